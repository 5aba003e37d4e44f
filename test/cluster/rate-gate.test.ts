import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureClusterSchema } from '../../src/cluster/cluster-schema.js';
import { createPgRateGate } from '../../src/cluster/rate-gate.js';
import { silentLogger } from '../../src/common/logger.js';
import { createScratchSchema, pgSkipReason, poolOn } from './pg-scratch.js';
import type { PgScratch } from './pg-scratch.js';

const skip = await pgSkipReason();
if (skip) console.warn(`skipped: ${skip}`);

describe.skipIf(Boolean(skip))('the cluster-wide rate cap in PostgreSQL', () => {
  let scratch: PgScratch;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    scratch = await createScratchSchema('rate');
    await ensureClusterSchema(scratch.pool);
    // Schema creation is idempotent: a second instance starting runs it again.
    await ensureClusterSchema(scratch.pool);
    pools.push(poolOn(scratch), poolOn(scratch), poolOn(scratch));
  });
  afterAll(async () => {
    for (const pool of pools) await pool.end();
    await scratch?.drop();
  });

  const take = async (pool: pg.Pool, gateway: string, limit: number, want: number, windowMs: number) =>
    (await pool.query<{ granted: number; wait_ms: number }>('SELECT granted, wait_ms FROM cluster_take_permits($1, $2, $3, $4)', [gateway, limit, want, windowMs])).rows[0];

  it('grants up to the limit in a window, then a partial grant, then nothing with the time until a permit frees', async () => {
    expect(await take(scratch.pool, 'a', 10, 4, 60_000)).toEqual({ granted: 4, wait_ms: 0 });
    expect(await take(scratch.pool, 'a', 10, 4, 60_000)).toEqual({ granted: 4, wait_ms: 0 });
    const partial = await take(scratch.pool, 'a', 10, 4, 60_000);
    expect(partial?.granted).toBe(2);
    const none = await take(scratch.pool, 'a', 10, 1, 60_000);
    expect(none?.granted).toBe(0);
    expect(none?.wait_ms).toBeGreaterThan(50_000);
    expect(none?.wait_ms).toBeLessThanOrEqual(60_001);
    // Another gateway has its own budget.
    expect((await take(scratch.pool, 'b', 10, 10, 60_000))?.granted).toBe(10);
  });

  it('never grants past the limit when three instances ask at once', async () => {
    const asks = Array.from({ length: 240 }, (_, i) => take(pools[i % 3] as pg.Pool, 'c', 100, 1 + (i % 3), 60_000));
    const granted = (await Promise.all(asks)).reduce((sum, row) => sum + (row?.granted ?? 0), 0);
    expect(granted).toBe(100);
  });

  it('lets sends through a gate only as permits are granted, across gates on one database', async () => {
    const gates = pools.map((pool) => createPgRateGate(pool, { logger: silentLogger, windowMs: 60_000 }));
    let passed = 0;
    const sends = Array.from({ length: 45 }, (_, i) => (gates[i % 3] as ReturnType<typeof createPgRateGate>).take('d', 30, 1).then(() => (passed += 1)));
    await vi.waitFor(() => expect(passed).toBe(30), { timeout: 10_000 });
    for (const gate of gates) gate.close();
    const settled = await Promise.allSettled(sends);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(30);
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(15);
  });

  it('counts a message of several segments as several permits', async () => {
    const gate = createPgRateGate(scratch.pool, { logger: silentLogger, windowMs: 60_000 });
    await gate.take('e', 10, 3);
    await gate.take('e', 10, 3);
    await gate.take('e', 10, 3);
    expect(await take(scratch.pool, 'e', 10, 5, 60_000)).toMatchObject({ granted: 1 });
    gate.close();
  });
});
