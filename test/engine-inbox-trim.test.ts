import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CampaignService } from '../src/campaigns/campaign-service.js';
import { fixedClock } from '../src/common/clock.js';
import { silentLogger } from '../src/common/logger.js';
import type { GatewayEvent } from '../src/delivery/gateway.js';
import { manualTimers } from '../src/delivery/timers.js';
import { DeliveryEngine } from '../src/engine.js';
import { DEFAULT_POLICY } from '../src/messages/compliance/index.js';
import { EventInbox } from '../src/store/lowdb/event-inbox.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { createFakeGateway } from './helpers/fake-gateway.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const receipt = (i: number): GatewayEvent => ({ type: 'status', gateway: 'simulator', providerMessageId: `P${i}`, status: 'delivered', at: '2026-11-27T07:00:00.000Z', key: `P${i}:delivered` });

describe('the event inbox after it is applied', () => {
  it('is trimmed to what is not applied yet once the applied part is big; events that arrive later are still applied', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-trim-'));
    const store = new MemoryStore();
    const clock = fixedClock('2026-11-27T07:00:00.000Z');
    const gateway = createFakeGateway();
    const campaigns = new CampaignService({ store, clock, newId: () => 'x', policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: {}, currency: 'RUB', gateway: () => gateway, testSendRequiredAbove: 100 });
    const file = path.join(dir, 'events.jsonl');
    const inbox = await EventInbox.open<GatewayEvent>(file);
    const engine = new DeliveryEngine({ store, clock, timers: manualTimers(clock), logger: silentLogger, newId: () => 'id', random: () => 0.5, gateway: () => gateway, campaigns, inbox });
    for (let i = 0; i < 12_000; i += 1000) await engine.accept(Array.from({ length: 1000 }, (_, j) => receipt(i + j)));
    const before = fs.statSync(file).size;
    expect(before).toBeGreaterThan(1 << 20);
    expect(await engine.processInbox()).toBe(12_000);
    expect(fs.statSync(file).size).toBe(0);
    await engine.accept([receipt(99_999)]);
    expect(await engine.processInbox()).toBe(1);
    expect(inbox.cursor()).toBe(12_001);
    await inbox.close();
  });
});
