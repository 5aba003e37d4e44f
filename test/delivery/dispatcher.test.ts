import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import type { GatewayError } from '../../src/delivery/gateway.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { manualTimers } from '../../src/delivery/timers.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createFakeGateway, gatewayFailure } from '../helpers/fake-gateway.js';
import { makeOutboxRow } from '../helpers/factories.js';

const START = '2026-11-27T07:00:00.000Z';

function setup(options: { rows?: number; active?: Set<string>; rate?: number; batchSize?: number } = {}) {
  const store = new MemoryStore();
  const clock = fixedClock(START);
  const timers = manualTimers(clock);
  const gateway = createFakeGateway({ capabilities: { maxSegmentsPerSecond: options.rate ?? 1000, maxInFlight: 4 } });
  const active = options.active ?? new Set(['c1']);
  const optOuts: Array<{ message: OutboxMessage; error: GatewayError }> = [];
  let n = 0;
  const dispatcher = new Dispatcher({
    store, gateway: () => gateway, clock, timers, logger: silentLogger, newId: () => `id-${(n += 1)}`, random: () => 0.5,
    activeCampaigns: async () => active, onCarrierOptOut: async (message, error) => void optOuts.push({ message, error }),
    batchSize: options.batchSize ?? 50, retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 },
  });
  const rows = Array.from({ length: options.rows ?? 5 }, (_, i) => makeOutboxRow({ campaignId: 'c1', contactId: `r${i}`, sendAfter: START }));
  return { store, clock, timers, gateway, active, optOuts, dispatcher, rows };
}

/** Runs a batch while advancing the manual clock whenever the dispatcher waits for the rate window. */
async function runBatch(ctx: ReturnType<typeof setup>): Promise<number> {
  const batch = ctx.dispatcher.runBatch();
  let done = false;
  void batch.finally(() => (done = true));
  for (let i = 0; i < 100_000 && !done; i += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    if (ctx.timers.pending() > 0) ctx.timers.advance(1);
  }
  return batch;
}

const statuses = async (ctx: ReturnType<typeof setup>) => [...(await ctx.store.outbox.getMany(ctx.rows.map((r) => r.id))).values()].map((r) => r.status);

describe('dispatcher', () => {
  it('submits due messages and records the provider id in one write', async () => {
    const ctx = setup();
    await ctx.store.outbox.insertMany(ctx.rows);
    expect(await runBatch(ctx)).toBe(5);
    expect(await statuses(ctx)).toEqual(Array(5).fill('submitted'));
    expect(ctx.gateway.sent.map((m) => m.messageId).sort()).toEqual(ctx.rows.map((r) => r.id).sort());
    expect(await runBatch(ctx)).toBe(0);
  });

  it('keeps to the rate: never more segments than allowed in any one-second window', async () => {
    const ctx = setup({ rows: 30, rate: 10, batchSize: 30 });
    const starts: number[] = [];
    ctx.gateway.respondWith((message) => {
      starts.push(ctx.clock.now().getTime());
      return { ok: true, providerMessageId: `P-${message.messageId}` };
    });
    await ctx.store.outbox.insertMany(ctx.rows);
    await runBatch(ctx);
    expect(starts).toHaveLength(30);
    for (const at of starts) expect(starts.filter((t) => t >= at && t < at + 1000).length).toBeLessThanOrEqual(10);
    // Spread over the second (one per ~100 ms), not in one burst...
    for (const at of starts) expect(starts.filter((t) => t >= at && t < at + 100).length).toBeLessThanOrEqual(1);
    // ...and not needlessly slow: 30 at 10/s take about 2.9 seconds.
    expect((starts.at(-1) as number) - (starts[0] as number)).toBeLessThan(3000);
  });

  it('retries throttling after Retry-After with backoff, and gives up after the last attempt', async () => {
    const ctx = setup({ rows: 1 });
    ctx.gateway.respondWith(() => gatewayFailure('throttled', { retryAfterMs: 5000 }));
    await ctx.store.outbox.insertMany(ctx.rows);
    await runBatch(ctx);
    const [first] = (await ctx.store.outbox.getMany([ctx.rows[0]?.id as string])).values();
    expect(first).toMatchObject({ status: 'queued', attempts: 1, errorCode: 'throttled' });
    expect(Date.parse(first?.retryAt as string) - Date.parse(START)).toBeGreaterThanOrEqual(5000);
    expect(await runBatch(ctx)).toBe(0);
    ctx.clock.set(first?.retryAt as string);
    await runBatch(ctx);
    ctx.clock.advance(120_000);
    await runBatch(ctx);
    expect(await statuses(ctx)).toEqual(['failed']);
    expect(ctx.gateway.sent).toHaveLength(3);
  });

  it('records permanent errors with their code, and carrier opt-outs in the consent path', async () => {
    const ctx = setup({ rows: 3 });
    ctx.gateway.enqueue(gatewayFailure('invalid_number', { providerCode: '21211' }), gatewayFailure('opted_out', { providerCode: '21610' }));
    await ctx.store.outbox.insertMany(ctx.rows);
    await runBatch(ctx);
    const rows = [...(await ctx.store.outbox.getMany(ctx.rows.map((r) => r.id))).values()];
    expect(rows.map((r) => [r.status, r.errorCode ?? null, r.providerCode ?? null]).sort()).toEqual([
      ['rejected', 'invalid_number', '21211'],
      ['rejected', 'opted_out', '21610'],
      ['submitted', null, null],
    ]);
    expect(ctx.optOuts.map((o) => o.error.providerCode)).toEqual(['21610']);
  });

  it('never retries a send whose outcome is unknown', async () => {
    const ctx = setup({ rows: 1 });
    ctx.gateway.enqueue(gatewayFailure('timeout', { retryable: true, outcomeUnknown: true }));
    await ctx.store.outbox.insertMany(ctx.rows);
    await runBatch(ctx);
    ctx.clock.advance(600_000);
    await runBatch(ctx);
    expect(await statuses(ctx)).toEqual(['unknown']);
    expect(ctx.gateway.sent).toHaveLength(1);
  });

  it('sends nothing for a paused campaign and resumes where it stopped', async () => {
    const ctx = setup({ rows: 20, batchSize: 5 });
    await ctx.store.outbox.insertMany(ctx.rows);
    await runBatch(ctx);
    ctx.active.delete('c1');
    expect(await runBatch(ctx)).toBe(0);
    expect(ctx.gateway.sent).toHaveLength(5);
    ctx.active.add('c1');
    while ((await runBatch(ctx)) > 0);
    expect(ctx.gateway.sent).toHaveLength(20);
  });

  it('holds messages deferred by quiet hours until their send-after time', async () => {
    const ctx = setup({ rows: 2 });
    const later = { ...(ctx.rows[1] as OutboxMessage), sendAfter: '2026-11-27T09:00:00.000Z' };
    await ctx.store.outbox.insertMany([ctx.rows[0] as OutboxMessage, later]);
    expect(await runBatch(ctx)).toBe(1);
    ctx.clock.set('2026-11-27T08:59:59.000Z');
    expect(await runBatch(ctx)).toBe(0);
    ctx.clock.set('2026-11-27T09:00:00.000Z');
    expect(await runBatch(ctx)).toBe(1);
  });

  it('treats a gateway that throws as an unknown outcome, not a crash of the batch', async () => {
    const ctx = setup({ rows: 2 });
    ctx.gateway.enqueue(() => {
      throw new Error('socket hang up');
    });
    await ctx.store.outbox.insertMany(ctx.rows);
    await runBatch(ctx);
    expect((await statuses(ctx)).sort()).toEqual(['submitted', 'unknown']);
  });
});

describe('dispatcher failover', () => {
  it('sends through the failover gateway while the primary keeps failing, then goes back', async () => {
    const store = new MemoryStore();
    const clock = fixedClock(START);
    const timers = manualTimers(clock);
    const primary = createFakeGateway({ id: 'primary', capabilities: { maxInFlight: 1 } });
    const secondary = createFakeGateway({ id: 'secondary' });
    primary.respondWith(() => gatewayFailure('unavailable'));
    let n = 0;
    const opened: Array<[string, string, string]> = [];
    const dispatcher = new Dispatcher({
      store, gateway: (name) => (name === 'secondary' ? secondary : primary), clock, timers, logger: silentLogger, newId: () => `id-${(n += 1)}`, random: () => 0,
      activeCampaigns: async () => new Set(['c1']), onCarrierOptOut: async () => undefined, batchSize: 3,
      retry: { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 10 }, failover: { gateway: 'secondary', afterFailures: 3, cooldownMs: 60_000 },
      onCircuitOpen: (gateway, failover, until) => opened.push([gateway, failover, until.toISOString()]),
    });
    const rows = Array.from({ length: 6 }, (_, i) => makeOutboxRow({ campaignId: 'c1', contactId: `r${i}`, gateway: 'primary', sendAfter: START }));
    await store.outbox.insertMany(rows);
    const ctx = { dispatcher, timers } as unknown as ReturnType<typeof setup>;
    await runBatch(ctx);
    expect(primary.sent).toHaveLength(3);
    expect(opened).toEqual([['primary', 'secondary', expect.stringMatching(/^2026-11-27T07:01:/)]]);
    clock.advance(1000);
    while ((await runBatch(ctx)) > 0) clock.advance(1000);
    expect(secondary.sent).toHaveLength(6);
    const stored = [...(await store.outbox.getMany(rows.map((r) => r.id))).values()];
    expect(stored.every((r) => r.status === 'submitted' && r.gateway === 'secondary')).toBe(true);
    clock.advance(120_000);
    primary.respondWith((m) => ({ ok: true, providerMessageId: `P-${m.messageId}` }));
    await store.outbox.insertMany([makeOutboxRow({ campaignId: 'c1', contactId: 'late', gateway: 'primary', sendAfter: START })]);
    await runBatch(ctx);
    expect(primary.sent).toHaveLength(4);
  });
});
