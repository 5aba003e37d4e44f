import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import { fixedClock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import { DispatchLog } from '../../src/delivery/dispatch-log.js';
import type { GatewayEvent } from '../../src/delivery/gateway.js';
import { manualTimers } from '../../src/delivery/timers.js';
import { DeliveryEngine } from '../../src/engine.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { EventInbox } from '../../src/store/lowdb/event-inbox.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createFakeGateway, gatewayFailure } from '../helpers/fake-gateway.js';
import { makeContact, makeEntry } from '../helpers/factories.js';

function recordingLogger() {
  const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, msg: msg ?? '', obj: obj as Record<string, unknown> });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return { logger, lines };
}

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('dispatch log', () => {
  it('writes at most one progress line per campaign per 10 s, with sent, rate and failures', () => {
    const clock = fixedClock('2026-11-27T07:00:00.000Z');
    const { logger, lines } = recordingLogger();
    const log = new DispatchLog(logger, clock);
    for (let second = 0; second < 25; second += 1) {
      for (let i = 0; i < 5; i += 1) log.sent('c1', 'fake', { ok: true, providerMessageId: `P${second}-${i}` });
      log.flush();
      clock.advance(1000);
    }
    const progress = lines.filter((l) => l.msg === 'campaign progress');
    expect(progress).toHaveLength(2);
    expect(progress[0]?.obj).toMatchObject({ campaignId: 'c1', sent: 55, failures: 0, rate: 5.5 });
    expect(progress[1]?.obj).toMatchObject({ sent: 105, rate: 5 });
  });

  it('logs a gateway error at once, then its repeats as one line with a count per minute; never a phone number', () => {
    const clock = fixedClock('2026-11-27T07:00:00.000Z');
    const { logger, lines } = recordingLogger();
    const log = new DispatchLog(logger, clock);
    const failure = gatewayFailure('unavailable', { providerCode: 'HTTP_503', message: 'Twilio could not reach +79123456789' });
    for (let i = 0; i < 120; i += 1) {
      log.sent('c1', 'twilio', failure);
      log.flush();
      clock.advance(1000);
    }
    log.flush();
    const errors = lines.filter((l) => l.msg.startsWith('gateway error'));
    expect(errors.map((l) => l.obj.count)).toEqual([1, 60, 59]);
    expect(errors[0]?.obj).toMatchObject({ gateway: 'twilio', code: 'unavailable', providerCode: 'HTTP_503' });
    expect(JSON.stringify(lines)).not.toContain('79123456789');
  });

  it('the engine says when a campaign starts and finishes, with its counts', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-log-'));
    const store = new MemoryStore();
    const clock = fixedClock('2026-11-27T07:00:00.000Z');
    const gateway = createFakeGateway({ clock });
    const people = Array.from({ length: 3 }, () => makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' }));
    await store.contacts.upsertMany(people);
    await store.consent.append(people.map((c) => makeEntry({ contactId: c.id })));
    let n = 0;
    const campaigns = new CampaignService({
      store, clock, newId: () => `00000000-0000-0000-0000-${String((n += 1)).padStart(12, '0')}`, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU',
      prices: {}, currency: 'RUB', gateway: () => gateway, testSendRequiredAbove: 100,
    });
    const campaign = await campaigns.create({
      name: 'log', kind: 'transactional', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Hi', weight: 1 }], campaignVariables: {}, sender: 'SHOP', gateway: 'fake', schedule: { type: 'now' },
    });
    await campaigns.start(campaign.id);
    const { logger, lines } = recordingLogger();
    const engine = new DeliveryEngine({
      store, clock, timers: manualTimers(clock), logger, newId: () => `id-${(n += 1)}`, random: () => 0.5, gateway: () => gateway, campaigns,
      inbox: await EventInbox.open<GatewayEvent>(path.join(dir, 'events.jsonl')),
    });
    await engine.step();
    await engine.step();
    const start = lines.find((l) => l.msg === 'campaign sending');
    const finish = lines.find((l) => l.msg === 'campaign finished');
    expect(start?.obj).toMatchObject({ campaignId: campaign.id, total: 3 });
    expect(finish?.obj).toMatchObject({ campaignId: campaign.id, status: 'completed', messages: { submitted: 3 } });
    expect(JSON.stringify(lines)).not.toMatch(/\+7\d{6,}/);
  });
});
