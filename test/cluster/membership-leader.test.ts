import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLeader } from '../../src/cluster/leader.js';
import { leaderOnly } from '../../src/cluster/leader-only.js';
import { joinCluster } from '../../src/cluster/membership.js';
import { silentLogger } from '../../src/common/logger.js';
import type { Scheduler } from '../../src/schedule/scheduler.js';
import { createClusterTables, createScratchSchema, pgSkipReason, poolOn } from './pg-scratch.js';
import type { PgScratch } from './pg-scratch.js';

const skip = await pgSkipReason();
if (skip) console.warn(`skipped: ${skip}`);

describe.skipIf(Boolean(skip))('cluster membership and leadership in PostgreSQL', () => {
  let scratch: PgScratch;
  beforeAll(async () => {
    scratch = await createScratchSchema('lead');
    await createClusterTables(scratch.pool);
  });
  afterAll(async () => scratch?.drop());

  it('counts live instances and shares the rate among them, half as much again each; a stopped instance leaves at once, a silent one after the stale time', async () => {
    const other = poolOn(scratch);
    // Long beats: the test drives them by hand.
    const a = await joinCluster(scratch.pool, { logger: silentLogger, beatMs: 3_600_000, staleAfterMs: 60_000 });
    const b = await joinCluster(other, { logger: silentLogger, beatMs: 3_600_000, staleAfterMs: 60_000 });
    await a.beat();
    expect([a.live(), b.live()]).toEqual([2, 2]);
    expect(a.rateShare('twilio', 1000)).toBe(750);
    await b.leave();
    await a.beat();
    expect(a.live()).toBe(1);
    expect(a.rateShare('twilio', 1000)).toBe(1000);
    // A silent instance (died without leaving): counted until its heartbeat is older than staleAfterMs.
    await scratch.pool.query("INSERT INTO cluster_instances (id, host, pid, last_seen) VALUES ('dead', 'h', 1, clock_timestamp() - interval '59 seconds')");
    await a.beat();
    expect(a.live()).toBe(2);
    await scratch.pool.query("UPDATE cluster_instances SET last_seen = clock_timestamp() - interval '61 seconds' WHERE id = 'dead'");
    await a.beat();
    expect(a.live()).toBe(1);
    await a.leave();
    await other.end();
  });

  it('elects one leader; a dead session frees the lock for a new one; a stopped leader lets go and another takes over', { timeout: 120_000 }, async () => {
    const options = { connectionString: scratch.url, schema: scratch.schema, logger: silentLogger, retryMs: 50 };
    const first = createLeader(options);
    const second = createLeader(options);
    await first.start();
    await second.start();
    expect([first.isLeader(), second.isLeader()]).toEqual([true, false]);
    // Another schema's instances elect their own leader (advisory locks are per database).
    const elsewhere = await createScratchSchema('lead2');
    const foreign = createLeader({ ...options, connectionString: elsewhere.url, schema: elsewhere.schema });
    await foreign.start();
    expect(foreign.isLeader()).toBe(true);
    await foreign.stop();
    await elsewhere.drop();

    // The leader's session dies (as with a killed process, or a broken connection): the server frees
    // the lock, and an instance takes it again on a new session (the old leader, still alive here,
    // may win the race too: what matters is one leader, on a live session).
    const holder = async (): Promise<number | undefined> =>
      (await scratch.pool.query<{ pid: number }>(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = (hashtext('smsbridge-leader:' || $1::text)::bigint & 4294967295)::oid",
        [scratch.schema],
      )).rows[0]?.pid;
    const killed = await holder();
    expect(killed).toBeDefined();
    await scratch.pool.query('SELECT pg_terminate_backend($1)', [killed]);
    await vi.waitFor(async () => {
      const now = await holder();
      expect(now !== undefined && now !== killed).toBe(true);
      expect([first.isLeader(), second.isLeader()].filter(Boolean)).toHaveLength(1);
    }, { timeout: 30_000, interval: 20 });

    // A leader that stops lets go at once; the other takes over.
    const [leader, other] = first.isLeader() ? [first, second] : [second, first];
    await leader.stop();
    await vi.waitFor(() => expect(other.isLeader()).toBe(true), { timeout: 30_000, interval: 20 });
    await other.stop();
  });

  it('runs a scheduled job only where this instance leads', async () => {
    const ran: string[] = [];
    const inner: Scheduler = {
      cron: (_expression, _zone, _name, task) => {
        void task();
        return { stop: () => undefined };
      },
      at: (_when, _name, task) => {
        void task();
        return { stop: () => undefined };
      },
      stopAll: () => undefined,
    };
    let leading = false;
    const gated = leaderOnly(inner, () => leading, silentLogger);
    gated.cron('* * * * *', 'UTC', 'follower', async () => void ran.push('follower'));
    leading = true;
    gated.at(new Date(), 'leader', async () => void ran.push('leader'));
    await vi.waitFor(() => expect(ran).toEqual(['leader']));
  });
});
