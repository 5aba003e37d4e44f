import { describe, expect, it } from 'vitest';
import { createSimulatorGateway } from '../../integrations/gateways/simulator/index.js';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import type { SmsGateway } from '../../src/delivery/gateway.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { manualTimers } from '../../src/delivery/timers.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { makeContact, makeEntry, makeOutboxRow } from '../helpers/factories.js';

const START = '2026-11-27T07:00:00.000Z';

/** The simulator at `rate` segments/s, with every send start time recorded on the injected clock. */
function setup(rate: number) {
  const store = new MemoryStore();
  const clock = fixedClock(START);
  const timers = manualTimers(clock);
  const simulator = createSimulatorGateway(
    { seed: 'stop-bound', maxSegmentsPerSecond: rate, maxInFlight: 50, throttle: true, acceptRate: 1, replyRate: 0, receiptDelayMs: [10, 10] },
    { clock, timers, onEvents: () => undefined },
  );
  const sends: number[] = [];
  const gateway: SmsGateway = {
    id: 'simulator',
    capabilities: () => simulator.capabilities(),
    send: (message) => {
      sends.push(clock.now().getTime());
      return simulator.send(message);
    },
  };
  return { store, clock, timers, simulator, gateway, sends };
}

/** Runs batches until none is due, moving the manual clock 1 ms whenever everything waits on a timer; `at` hooks fire once their time comes. */
async function drive(ctx: { timers: ReturnType<typeof manualTimers>; clock: ReturnType<typeof fixedClock> }, dispatcher: Dispatcher, hooks: Array<{ at: number; run: () => Promise<void> | void }>, untilMs: number) {
  const end = Date.parse(START) + untilMs;
  const pending = [...hooks].sort((a, b) => a.at - b.at);
  while (ctx.clock.now().getTime() < end) {
    const batch = dispatcher.runBatch();
    let done = false;
    void batch.finally(() => (done = true));
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      while (pending.length > 0 && ctx.clock.now().getTime() >= Date.parse(START) + (pending[0] as { at: number }).at) await (pending.shift() as { run: () => Promise<void> | void }).run();
      if (!done && ctx.timers.pending() > 0) ctx.timers.advance(1);
    }
    if ((await batch) === 0) {
      ctx.timers.advance(50);
      while (pending.length > 0 && ctx.clock.now().getTime() >= Date.parse(START) + (pending[0] as { at: number }).at) await (pending.shift() as { run: () => Promise<void> | void }).run();
    }
  }
}

describe('stops that stop', () => {
  for (const rate of [5, 500]) {
    it(`at ${rate} segments/s: nothing is sent more than one second after a pause, and nothing is left sending`, async () => {
      const ctx = setup(rate);
      const rows = Array.from({ length: rate * 6 }, (_, i) => makeOutboxRow({ campaignId: 'c1', contactId: `r${i}`, segments: 1, sendAfter: START }));
      await ctx.store.outbox.insertMany(rows);
      const active = new Set(['c1']);
      let claims = 0;
      const claimDue = ctx.store.outbox.claimDue.bind(ctx.store.outbox);
      ctx.store.outbox.claimDue = async (options) => {
        claims = Math.max(claims, options.limit);
        return claimDue(options);
      };
      let n = 0;
      const dispatcher = new Dispatcher({
        store: ctx.store, gateway: () => ctx.gateway, clock: ctx.clock, timers: ctx.timers, logger: silentLogger, newId: () => `a-${(n += 1)}`, random: () => 0.5,
        activeCampaigns: async () => new Set(active), onCarrierOptOut: async () => undefined,
      });
      const stopAt = 2_300;
      await drive(ctx, dispatcher, [{ at: stopAt, run: () => void active.delete('c1') }], 5_000);
      const last = Math.max(...ctx.sends) - Date.parse(START);
      expect(ctx.sends.length).toBeGreaterThan(rate * 2);
      expect(ctx.sends.length).toBeLessThan(rows.length);
      expect(last).toBeLessThanOrEqual(stopAt + 1000);
      // A claim is about one second of the gateway's rate, not a fixed 200.
      expect(claims).toBeLessThanOrEqual(Math.max(1, rate));
      const counts = await ctx.store.outbox.countByStatus('c1');
      expect(counts.sending ?? 0).toBe(0);
      expect((counts.submitted ?? 0) + (counts.queued ?? 0)).toBe(rows.length);
      // What went back was never sent: its attempt is not counted.
      const queued = [...(await ctx.store.outbox.getMany(rows.map((r) => r.id))).values()].filter((r) => r.status === 'queued');
      expect(queued.every((r) => r.attempts === 0 && r.attemptId === undefined)).toBe(true);
      expect(ctx.simulator.stats().throttled).toBe(0);
    });
  }

  it('a 60-message campaign at 5/s, paused then canceled, does not send all 60', async () => {
    const ctx = setup(5);
    const people = Array.from({ length: 60 }, () => makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' }));
    await ctx.store.contacts.upsertMany(people);
    await ctx.store.consent.append(people.map((c) => makeEntry({ contactId: c.id })));
    let n = 0;
    const service = new CampaignService({
      store: ctx.store, clock: ctx.clock, newId: () => `00000000-0000-0000-0000-${String((n += 1)).padStart(12, '0')}`, policy: DEFAULT_POLICY,
      defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: { default: { RU: 2 } }, currency: 'RUB', gateway: () => ctx.gateway, testSendRequiredAbove: 100,
    });
    const campaign = await service.create({
      name: 'stop', kind: 'marketing', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Sale {{firstName}}', weight: 1 }],
      campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' },
    });
    await service.start(campaign.id);
    const dispatcher = new Dispatcher({
      store: ctx.store, gateway: () => ctx.gateway, clock: ctx.clock, timers: ctx.timers, logger: silentLogger, newId: () => `a-${(n += 1)}`, random: () => 0.5,
      activeCampaigns: () => service.activeIds(), onCarrierOptOut: async () => undefined,
    });
    const hooks = [
      { at: 3_000, run: async () => void (await service.pause(campaign.id)) },
      { at: 3_500, run: async () => void (await service.cancel(campaign.id)) },
    ];
    await drive(ctx, dispatcher, hooks, 6_000);
    expect(ctx.sends.length).toBeLessThan(60);
    expect(Math.max(...ctx.sends) - Date.parse(START)).toBeLessThanOrEqual(4_000);
    const counts = await ctx.store.outbox.countByStatus(campaign.id);
    expect(counts).toEqual({ submitted: ctx.sends.length, canceled: 60 - ctx.sends.length });
  });

  it('halt (graceful shutdown) puts the unsent part of the batch back and returns at once', async () => {
    const ctx = setup(5);
    const rows = Array.from({ length: 5 }, (_, i) => makeOutboxRow({ campaignId: 'c1', contactId: `r${i}`, sendAfter: START }));
    await ctx.store.outbox.insertMany(rows);
    const dispatcher = new Dispatcher({
      store: ctx.store, gateway: () => ctx.gateway, clock: ctx.clock, timers: ctx.timers, logger: silentLogger, newId: () => 'a', random: () => 0.5,
      activeCampaigns: async () => new Set(['c1']), onCarrierOptOut: async () => undefined,
    });
    await drive(ctx, dispatcher, [{ at: 250, run: () => dispatcher.halt() }], 2_000);
    const stored = [...(await ctx.store.outbox.getMany(rows.map((r) => r.id))).values()] as OutboxMessage[];
    expect(ctx.sends.length).toBeGreaterThan(0);
    expect(ctx.sends.length).toBeLessThan(5);
    expect(stored.filter((r) => r.status === 'queued')).toHaveLength(5 - ctx.sends.length);
    expect(stored.some((r) => r.status === 'sending')).toBe(false);
    expect(await dispatcher.runBatch()).toBe(0);
  });
});

describe('claims across gateways of different rates', () => {
  it('a batch sized for a fast gateway sends about one second of a slow one and puts the rest back', async () => {
    const store = new MemoryStore();
    const clock = fixedClock(START);
    const timers = manualTimers(clock);
    const { createFakeGateway } = await import('../helpers/fake-gateway.js');
    const fast = createFakeGateway({ id: 'fast', capabilities: { maxSegmentsPerSecond: 100 } });
    const slow = createFakeGateway({ id: 'slow', capabilities: { maxSegmentsPerSecond: 2 } });
    const rows = Array.from({ length: 20 }, (_, i) => makeOutboxRow({ campaignId: 'c1', contactId: `r${i}`, gateway: i % 2 ? 'fast' : 'slow', sendAfter: START }));
    await store.outbox.insertMany(rows);
    const dispatcher = new Dispatcher({
      store, gateway: (name) => (name === 'fast' ? fast : slow), clock, timers, logger: silentLogger, newId: () => 'a', random: () => 0.5,
      activeCampaigns: async () => new Set(['c1']), onCarrierOptOut: async () => undefined, batchSize: 20,
    });
    await drive({ timers, clock }, dispatcher, [], 1);
    expect(fast.sent).toHaveLength(10);
    expect(slow.sent).toHaveLength(2);
    const counts = await store.outbox.countByStatus('c1');
    expect(counts).toEqual({ submitted: 12, queued: 8 });
  });
});
