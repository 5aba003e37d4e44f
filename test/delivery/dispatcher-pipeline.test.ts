import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import type { DispatcherDeps } from '../../src/delivery/dispatcher.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { manualTimers } from '../../src/delivery/timers.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createFakeGateway, gatewayAccepted } from '../helpers/fake-gateway.js';
import { makeOutboxRow } from '../helpers/factories.js';
import { maxInWindow } from '../helpers/windows.js';

const START = '2026-11-27T07:00:00.000Z';
const T0 = Date.parse(START);

/**
 * The continuous pipeline (`run()`) on a manual clock: a gateway that answers after `latencyMs` of
 * that clock, every send start, claim and result write recorded.
 */
function setup(options: { rows: number; rate: number; latencyMs?: number; maxInFlight?: number; deps?: Partial<DispatcherDeps> }) {
  const store = new MemoryStore();
  const clock = fixedClock(START);
  const timers = manualTimers(clock);
  const gateway = createFakeGateway({ capabilities: { maxSegmentsPerSecond: options.rate, maxInFlight: options.maxInFlight ?? 100 } });
  const starts: number[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  gateway.respondWith((message) => {
    starts.push(clock.now().getTime());
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    return new Promise((resolve) => timers.setTimeout(() => {
      inFlight -= 1;
      resolve(gatewayAccepted(`P-${message.messageId}`));
    }, options.latencyMs ?? 30));
  });
  const claims: Array<{ at: number; limit: number; sentBefore: number; answeredBefore: number }> = [];
  let answered = 0;
  const claimDue = store.outbox.claimDue.bind(store.outbox);
  store.outbox.claimDue = async (claim) => {
    claims.push({ at: clock.now().getTime(), limit: claim.limit, sentBefore: starts.length, answeredBefore: answered });
    return claimDue(claim);
  };
  // Result writes: updateMany calls that move rows out of `sending` (claims write `sending` rows).
  const resultWrites: number[] = [];
  const updateMany = store.outbox.updateMany.bind(store.outbox);
  store.outbox.updateMany = async (rows) => {
    if (rows.some((row) => row.status !== 'sending')) resultWrites.push(rows.length);
    answered += rows.filter((row) => row.status === 'submitted').length;
    return updateMany(rows);
  };
  const active = new Set(['c1']);
  let n = 0;
  const dispatcher = new Dispatcher({
    store, gateway: () => gateway, clock, timers, logger: silentLogger, newId: () => `a-${(n += 1)}`, random: () => 0.5,
    activeCampaigns: async () => new Set(active), onCarrierOptOut: async () => undefined, ...options.deps,
  });
  const rows = Array.from({ length: options.rows }, (_, i) => makeOutboxRow({ campaignId: 'c1', contactId: `r${i}`, segments: 1, sendAfter: START }));
  return { store, clock, timers, gateway, dispatcher, rows, starts, claims, resultWrites, active, peakInFlight: () => peakInFlight };
}

/** Moves the manual clock 1 ms whenever everything waits on a timer, until `done()` or `maxMs` of clock time. */
async function drive(ctx: ReturnType<typeof setup>, done: () => boolean | Promise<boolean>, maxMs = 60_000): Promise<void> {
  const end = ctx.clock.now().getTime() + maxMs;
  while (!(await done()) && ctx.clock.now().getTime() < end) {
    await new Promise((resolve) => setImmediate(resolve));
    if (ctx.timers.pending() > 0) ctx.timers.advance(1);
  }
}

/** Drives until `run()` resolves (after a halt). */
async function finish(ctx: ReturnType<typeof setup>, running: Promise<void>): Promise<void> {
  let over = false;
  void running.finally(() => (over = true));
  await drive(ctx, () => over);
  await running;
}

const counts = (ctx: ReturnType<typeof setup>) => ctx.store.outbox.countByStatus('c1');

describe('the dispatch pipeline (run)', () => {
  it('sends at the rate, evenly, with no one-second window over it, the first second included', async () => {
    const ctx = setup({ rows: 1500, rate: 500 });
    await ctx.store.outbox.insertMany(ctx.rows);
    const running = ctx.dispatcher.run();
    await drive(ctx, async () => ((await counts(ctx)).submitted ?? 0) === 1500);
    ctx.dispatcher.halt();
    await finish(ctx, running);
    expect(ctx.starts).toHaveLength(1500);
    expect(maxInWindow(ctx.starts)).toBeLessThanOrEqual(500);
    expect(ctx.starts.filter((t) => t < T0 + 1000).length).toBeLessThanOrEqual(500);
    const achieved = (ctx.starts.length - 1) / (((ctx.starts.at(-1) as number) - (ctx.starts[0] as number)) / 1000);
    expect(achieved / 500).toBeGreaterThanOrEqual(0.98);
    // Evenly: about a tenth of the rate in any 100 ms, never a burst of a claim.
    expect(maxInWindow(ctx.starts, 100)).toBeLessThanOrEqual(60);
  });

  it('claims the next batch while the current one is still sending', async () => {
    const ctx = setup({ rows: 600, rate: 200, deps: { batchSize: 100 } });
    await ctx.store.outbox.insertMany(ctx.rows);
    const running = ctx.dispatcher.run();
    await drive(ctx, () => ctx.claims.length >= 3);
    ctx.dispatcher.halt();
    await finish(ctx, running);
    const [first, second] = ctx.claims;
    expect(first?.sentBefore).toBe(0);
    // The second claim came when about half of the first was sent, not after all of it was answered.
    expect(second?.sentBefore).toBeGreaterThan(0);
    expect(second?.sentBefore).toBeLessThan(100);
    expect(second?.answeredBefore).toBeLessThan(100);
    // And the gateway never waited for it: sends stayed evenly spaced across the claims.
    const gaps = ctx.starts.slice(1).map((t, i) => t - (ctx.starts[i] as number));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(7);
  });

  it('records results in group commits: far fewer writes than claims would need, one flush each', async () => {
    const ctx = setup({ rows: 1000, rate: 1000, deps: { batchSize: 50, recordEveryMs: 200 } });
    await ctx.store.outbox.insertMany(ctx.rows);
    ctx.resultWrites.length = 0;
    let flushes = 0;
    const flush = ctx.store.flush.bind(ctx.store);
    ctx.store.flush = async () => {
      flushes += 1;
      return flush();
    };
    const running = ctx.dispatcher.run();
    await drive(ctx, async () => ((await counts(ctx)).submitted ?? 0) === 1000);
    ctx.dispatcher.halt();
    await finish(ctx, running);
    const claimsWithRows = ctx.claims.length - 1;
    expect(claimsWithRows).toBeGreaterThanOrEqual(20);
    expect(ctx.resultWrites.reduce((a, b) => a + b, 0)).toBe(1000);
    // About one second of sending in ~200 ms commits: 5-7 writes for 20 claims.
    expect(ctx.resultWrites.length).toBeLessThanOrEqual(8);
    expect(flushes).toBeLessThanOrEqual(ctx.claims.length + ctx.resultWrites.length);
  });

  it('keeps as many requests in flight as rate × latency needs, within the cap', async () => {
    const ctx = setup({ rows: 1500, rate: 1000, latencyMs: 30, maxInFlight: 100 });
    await ctx.store.outbox.insertMany(ctx.rows);
    const running = ctx.dispatcher.run();
    await drive(ctx, async () => ((await counts(ctx)).submitted ?? 0) === 1500);
    ctx.dispatcher.halt();
    await finish(ctx, running);
    const achieved = (ctx.starts.length - 1) / (((ctx.starts.at(-1) as number) - (ctx.starts[0] as number)) / 1000);
    expect(achieved / 1000).toBeGreaterThanOrEqual(0.98);
    // Little's law: ~30 in flight carry 1,000/s at 30 ms; never past the cap.
    expect(ctx.peakInFlight()).toBeGreaterThanOrEqual(29);
    expect(ctx.peakInFlight()).toBeLessThanOrEqual(100);
  });

  it('a cap below what the latency needs limits the rate to cap / latency (why TWILIO_MAX_IN_FLIGHT is a cap, not the window)', async () => {
    const ctx = setup({ rows: 600, rate: 1000, latencyMs: 30, maxInFlight: 10 });
    await ctx.store.outbox.insertMany(ctx.rows);
    const running = ctx.dispatcher.run();
    await drive(ctx, async () => ((await counts(ctx)).submitted ?? 0) === 600);
    ctx.dispatcher.halt();
    await finish(ctx, running);
    expect(ctx.peakInFlight()).toBeLessThanOrEqual(10);
    const achieved = (ctx.starts.length - 1) / (((ctx.starts.at(-1) as number) - (ctx.starts[0] as number)) / 1000);
    expect(achieved).toBeLessThan(400);
  });

  it('a pause stops sends within stopCheckMs; what was claimed and not sent goes back to queued, its attempt not counted', async () => {
    const ctx = setup({ rows: 2000, rate: 500, deps: { stopCheckMs: 200 } });
    await ctx.store.outbox.insertMany(ctx.rows);
    const running = ctx.dispatcher.run();
    await drive(ctx, () => ctx.clock.now().getTime() >= T0 + 1500);
    const pausedAt = ctx.clock.now().getTime();
    ctx.active.delete('c1');
    await drive(ctx, () => ctx.clock.now().getTime() >= pausedAt + 1000);
    const last = Math.max(...ctx.starts);
    // stopCheckMs, plus one slot of the pace.
    expect(last - pausedAt).toBeLessThanOrEqual(200 + 3);
    const after = await counts(ctx);
    expect(after.sending ?? 0).toBe(0);
    expect((after.submitted ?? 0) + (after.queued ?? 0)).toBe(2000);
    expect(after.submitted).toBe(ctx.starts.length);
    const queued = [...(await ctx.store.outbox.getMany(ctx.rows.map((r) => r.id))).values()].filter((r) => r.status === 'queued');
    expect(queued.length).toBeGreaterThan(0);
    expect(queued.every((r: OutboxMessage) => r.attempts === 0 && r.attemptId === undefined && r.leaseUntil === undefined)).toBe(true);
    // Resumed: it picks up where it stopped, and everyone gets one message.
    ctx.active.add('c1');
    await drive(ctx, async () => ((await counts(ctx)).submitted ?? 0) === 2000);
    ctx.dispatcher.halt();
    await finish(ctx, running);
    expect(new Set(ctx.gateway.sent.map((m) => m.messageId)).size).toBe(2000);
    expect(ctx.gateway.sent).toHaveLength(2000);
  });

  it('halt: run() returns once sends under way are answered; the unsent claim is put back, nothing is left sending', async () => {
    const ctx = setup({ rows: 1000, rate: 500 });
    await ctx.store.outbox.insertMany(ctx.rows);
    const running = ctx.dispatcher.run();
    await drive(ctx, () => ctx.starts.length >= 300);
    ctx.dispatcher.halt();
    const haltedAt = ctx.clock.now().getTime();
    await finish(ctx, running);
    expect(ctx.clock.now().getTime() - haltedAt).toBeLessThanOrEqual(100);
    const after = await counts(ctx);
    expect(after.sending ?? 0).toBe(0);
    expect(after.submitted).toBe(ctx.starts.length);
    expect(after.queued).toBe(1000 - ctx.starts.length);
  });

  it('paces at the rate share it is given, read as it changes (another instance shares the gateway)', async () => {
    let share = 0.5;
    const asked: Array<[string, number]> = [];
    const ctx = setup({
      rows: 1200, rate: 400,
      deps: { rateShare: (gateway, configured) => (asked.push([gateway, configured]), configured * share) },
    });
    await ctx.store.outbox.insertMany(ctx.rows);
    const running = ctx.dispatcher.run();
    await drive(ctx, () => ctx.clock.now().getTime() >= T0 + 2000);
    const half = ctx.starts.filter((t) => t < T0 + 2000);
    expect(maxInWindow(half)).toBeLessThanOrEqual(200);
    expect(half.length).toBeGreaterThan(350);
    share = 1;
    await drive(ctx, async () => ((await counts(ctx)).submitted ?? 0) === 1200);
    ctx.dispatcher.halt();
    await finish(ctx, running);
    expect(maxInWindow(ctx.starts)).toBeLessThanOrEqual(400);
    expect(maxInWindow(ctx.starts.filter((t) => t >= T0 + 3100))).toBeGreaterThan(350);
    expect(asked.length).toBeGreaterThan(1200);
    // Asked with the gateway's name (the rows' gateway, or the default gateway's id before the first claim) and its configured rate.
    expect(new Set(asked.map(([gateway]) => gateway))).toEqual(new Set(['fake', ctx.rows[0]?.gateway]));
    expect(asked.every(([, configured]) => configured === 400)).toBe(true);
  });
});
