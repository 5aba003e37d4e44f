import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureClusterSchema } from '../../src/cluster/cluster-schema.js';
import { createPgRateGate } from '../../src/cluster/rate-gate.js';
import { silentLogger } from '../../src/common/logger.js';
import { createClusterTables, createScratchSchema, pgSkipReason, poolOn } from './pg-scratch.js';
import type { PgScratch } from './pg-scratch.js';

const skip = await pgSkipReason();
if (skip) console.warn(`skipped: ${skip}`);

interface Grant {
  granted: number;
  now_ms: number;
  first_ms: number;
  spacing_ms: number;
  wait_ms: number;
}

describe.skipIf(Boolean(skip))('the cluster-wide rate cap in PostgreSQL', () => {
  let scratch: PgScratch;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    scratch = await createScratchSchema('rate');
    await expect(ensureClusterSchema(scratch.pool)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await createClusterTables(scratch.pool);
    await ensureClusterSchema(scratch.pool);
    pools.push(poolOn(scratch), poolOn(scratch), poolOn(scratch));
  });
  afterAll(async () => {
    for (const pool of pools) await pool.end();
    await scratch?.drop();
  });

  const take = async (pool: pg.Pool, gateway: string, options: { limit: number; want: number; windowMs: number; leadMs?: number; aheadMs: number }): Promise<Grant> =>
    (await pool.query<Grant>('SELECT * FROM cluster_take_slots($1, $2, $3, $4, $5, $6)', [gateway, options.limit, options.want, options.windowMs, options.leadMs ?? 0, options.aheadMs])).rows[0] as Grant;

  it('hands out consecutive slots spaced window ÷ limit apart, none further ahead than asked, and says when more can be had', async () => {
    const ask = { limit: 10, windowMs: 60_000, aheadMs: 30_000 };
    const first = await take(scratch.pool, 'a', { ...ask, want: 4 });
    expect(first).toMatchObject({ granted: 4, spacing_ms: 6000, wait_ms: 0 });
    expect(first.first_ms).toBeCloseTo(first.now_ms, 6);
    // Slots at +0, +6, +12, +18 s are gone: the next starts at +24 s, and only +24 and +30 are within reach.
    const partial = await take(scratch.pool, 'a', { ...ask, want: 4 });
    expect(partial.granted).toBe(2);
    expect(partial.first_ms).toBeCloseTo(first.first_ms + 24_000, 6);
    expect(partial.wait_ms).toBeGreaterThan(5000);
    expect(partial.wait_ms).toBeLessThanOrEqual(6000);
    const none = await take(scratch.pool, 'a', { ...ask, want: 1 });
    expect(none.granted).toBe(0);
    expect(none.wait_ms).toBeGreaterThan(5000);
    // Another gateway has its own slots; a lead starts them that much later.
    const other = await take(scratch.pool, 'b', { ...ask, want: 2, leadMs: 500 });
    expect(other.granted).toBe(2);
    expect(other.first_ms - other.now_ms).toBeCloseTo(500, 6);
  });

  it('never hands one slot out twice when three instances ask at once: every window holds at most the limit', async () => {
    const ask = { limit: 100, windowMs: 60_000, aheadMs: 30_000 };
    const grants = await Promise.all(Array.from({ length: 240 }, (_, i) => take(pools[i % 3] as pg.Pool, 'c', { ...ask, want: 1 + (i % 3) })));
    const given = grants.filter((g) => g.granted > 0).sort((x, y) => x.first_ms - y.first_ms);
    // Slots within 30 s at one per 600 ms: 51 of them (one more each 600 ms the asking takes).
    expect(given.reduce((sum, g) => sum + g.granted, 0)).toBeGreaterThanOrEqual(51);
    for (let i = 1; i < given.length; i += 1) {
      const previous = given[i - 1] as Grant;
      expect((given[i] as Grant).first_ms).toBeGreaterThanOrEqual(previous.first_ms + previous.granted * 600 - 1e-6);
    }
  });

  it('lets sends through gates on one database at their slots: no second holds more than the limit', async () => {
    const gates = pools.map((pool) => createPgRateGate(pool, { logger: silentLogger, windowMs: 1015 }));
    const passed: number[] = [];
    const sends = Array.from({ length: 45 }, (_, i) => (gates[i % 3] as ReturnType<typeof createPgRateGate>).take('d', 30, 1).then(() => passed.push(performance.now())));
    await Promise.all(sends);
    for (const gate of gates) gate.close();
    passed.sort((x, y) => x - y);
    expect(passed).toHaveLength(45);
    for (let i = 30; i < passed.length; i += 1) expect((passed[i] as number) - (passed[i - 30] as number)).toBeGreaterThanOrEqual(1000);
  });

  it('takes one slot per segment, the slots of a message together, and rejects what waits when the gate closes', async () => {
    const asks: Array<{ want: number; granted: number }> = [];
    const names = new Set<string | undefined>();
    const counting = { query: async (config: pg.QueryConfig) => {
      const result = await scratch.pool.query(config);
      names.add(config.name);
      asks.push({ want: config.values?.[2] as number, granted: (result.rows[0] as Grant).granted });
      return result;
    } } as unknown as pg.Pool;
    const gate = createPgRateGate(counting, { logger: silentLogger, windowMs: 1015 });
    await Promise.all([gate.take('e', 1000, 3), gate.take('e', 1000, 3), gate.take('e', 1000, 3)]);
    // Asked for whole messages (a slot that came too late is asked for again, with its message's others).
    expect(asks.every((a) => a.want % 3 === 0 && a.granted % 3 === 0)).toBe(true);
    expect(asks.reduce((sum, a) => sum + a.granted, 0)).toBeGreaterThanOrEqual(9);
    // One named statement: a connection parses and plans it once, not at every ask.
    expect([...names]).toEqual(['cluster_take_slots']);
    // One slot a minute: the second send waits, and is rejected when the gate closes.
    const slow = createPgRateGate(scratch.pool, { logger: silentLogger, windowMs: 60_000 });
    await slow.take('f', 1, 1);
    const waiting = slow.take('f', 1, 1);
    slow.close();
    await expect(waiting).rejects.toThrow('closed');
    gate.close();
  });
});
