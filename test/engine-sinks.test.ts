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

describe('event sinks', () => {
  it('a sink that is down catches up later, in order, without losing or repeating an event', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-sinks-'));
    const store = new MemoryStore();
    const clock = fixedClock('2026-11-27T07:00:00.000Z');
    const gateway = createFakeGateway();
    const campaigns = new CampaignService({ store, clock, newId: () => 'x', policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: {}, currency: 'RUB', gateway: () => gateway, testSendRequiredAbove: 100 });
    const received: string[] = [];
    let down = true;
    const sink = { name: 'crm', handle: async (events: readonly GatewayEvent[]) => {
      if (down) throw new Error('CRM unreachable');
      received.push(...events.map((e) => e.key));
    } };
    const engine = new DeliveryEngine({
      store, clock, timers: manualTimers(clock), logger: silentLogger, newId: () => 'id', random: () => 0.5, gateway: () => gateway, campaigns,
      inbox: await EventInbox.open<GatewayEvent>(path.join(dir, 'events.jsonl')),
      sinks: [{ sink, inbox: await EventInbox.open<GatewayEvent>(path.join(dir, 'crm.jsonl')) }],
    });
    await engine.accept([receipt(1), receipt(2)]);
    await engine.feedSinks();
    expect(received).toEqual([]);
    await engine.accept([receipt(3)]);
    down = false;
    await engine.feedSinks();
    await engine.feedSinks();
    expect(received).toEqual(['P1:delivered', 'P2:delivered', 'P3:delivered']);
  });

  it('keeps for a sink only the events it wants', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-sinks-'));
    const store = new MemoryStore();
    const clock = fixedClock('2026-11-27T07:00:00.000Z');
    const gateway = createFakeGateway();
    const campaigns = new CampaignService({ store, clock, newId: () => 'x', policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: {}, currency: 'RUB', gateway: () => gateway, testSendRequiredAbove: 100 });
    const received: string[] = [];
    const sink = { name: 'chat', wants: (e: GatewayEvent) => e.type === 'inbound', handle: async (events: readonly GatewayEvent[]) => void received.push(...events.map((e) => e.key)) };
    const sinkInbox = await EventInbox.open<GatewayEvent>(path.join(dir, 'chat.jsonl'));
    const engine = new DeliveryEngine({
      store, clock, timers: manualTimers(clock), logger: silentLogger, newId: () => 'id', random: () => 0.5, gateway: () => gateway, campaigns,
      inbox: await EventInbox.open<GatewayEvent>(path.join(dir, 'events.jsonl')), sinks: [{ sink, inbox: sinkInbox }],
    });
    const reply: GatewayEvent = { type: 'inbound', gateway: 'simulator', providerMessageId: 'I1', from: '+79120000001', to: 'SHOP', text: 'hi', at: '2026-11-27T07:00:00.000Z', key: 'I1' };
    await engine.accept([receipt(1), reply, receipt(2)]);
    expect((await sinkInbox.readAfter(0, 10)).map((e) => e.event.key)).toEqual(['I1']);
    await engine.feedSinks();
    expect(received).toEqual(['I1']);
  });
});

describe('event sinks hear of sends', () => {
  it('a message the gateway accepts or refuses reaches the sinks as a send-result event, test sends excepted', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-sinks-'));
    const store = new MemoryStore();
    const clock = fixedClock('2026-11-27T07:00:00.000Z');
    const gateway = createFakeGateway();
    gateway.enqueue({ ok: true, providerMessageId: 'P-1' }, { ok: false, error: { code: 'invalid_number', retryable: false, message: 'no such number' } });
    let n = 0;
    const newId = () => `id-${(n += 1)}`;
    const campaigns = new CampaignService({ store, clock, newId, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: {}, currency: 'RUB', gateway: () => gateway, testSendRequiredAbove: 100 });
    const received: GatewayEvent[] = [];
    const inboxes = [await EventInbox.open<GatewayEvent>(path.join(dir, 'events.jsonl')), await EventInbox.open<GatewayEvent>(path.join(dir, 'crm.jsonl'))] as const;
    const engine = new DeliveryEngine({
      store, clock, timers: manualTimers(clock), logger: silentLogger, newId, random: () => 0.5, gateway: () => gateway, campaigns,
      inbox: inboxes[0], sinks: [{ sink: { name: 'crm', handle: async (events) => void received.push(...events) }, inbox: inboxes[1] }],
    });
    const campaign = await campaigns.create({
      name: 'two', kind: 'transactional', audience: { phones: ['+79161230001', '+79161230002'] }, variants: [{ name: 'A', text: 'Hello', weight: 1 }],
      campaignVariables: {}, sender: 'SHOP', gateway: 'fake', schedule: { type: 'now' },
    });
    await campaigns.start(campaign.id);
    await engine.step();
    expect(received.map((e) => e.type === 'status' && [e.status, e.key.endsWith(`:sent:${e.status}`), e.messageId !== undefined])).toEqual([
      ['submitted', true, true],
      ['rejected', true, true],
    ]);
    for (const inbox of inboxes) await inbox.close();
  });
});
