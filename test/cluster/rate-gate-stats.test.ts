import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPgRateGate } from '../../src/cluster/rate-gate.js';
import { silentLogger } from '../../src/common/logger.js';
import { Metrics } from '../../src/http/metrics.js';

/**
 * What becomes of the slots a process takes (RateGate.stats, shown on /metrics): the database is a
 * stand-in that answers each ask with the slots a test chooses, on this process's own clock.
 */
type Answer = (want: number, serverMs: number) => { granted: number; first_ms: number; wait_ms?: number };

function scriptedPool(answers: Answer[]): { pool: pg.Pool; wants: number[] } {
  const wants: number[] = [];
  const pool = {
    query: async (config: pg.QueryConfig) => {
      const want = config.values?.[2] as number;
      wants.push(want);
      const serverMs = performance.timeOrigin + performance.now();
      const answer = (answers.shift() ?? ((n: number, at: number) => ({ granted: n, first_ms: at + 2, wait_ms: 0 })))(want, serverMs);
      return { rows: [{ granted: answer.granted, now_ms: serverMs, first_ms: answer.first_ms, spacing_ms: 1, wait_ms: answer.wait_ms ?? 0 }] };
    },
  } as unknown as pg.Pool;
  return { pool, wants };
}

describe('the rate gate counts what became of its slots', () => {
  it('a slot that comes too late for its send is counted late and asked for again; the new one is used', async () => {
    // The first slot was 10 s ago (as after a stalled event loop): far past the lateness allowed (1 s
    // here, not the default 10 ms, so that a busy test machine cannot make the second one late too).
    const { pool, wants } = scriptedPool([(n, at) => ({ granted: n, first_ms: at - 10_000 })]);
    const gate = createPgRateGate(pool, { logger: silentLogger, maxLateMs: 1000 });
    await gate.take('g', 1000, 1);
    expect(wants).toEqual([1, 1]);
    expect(gate.stats?.()).toEqual({ asks: 2, granted: 2, used: 1, late: 1, abandoned: 0, unassigned: 0 });
    gate.close();
  });

  it('slots beyond what whole messages can use are unassigned; a send that gives up holding its slot abandons it', async () => {
    // Two messages of 3 segments ask for 6 slots and get 5: one message goes, 2 slots are left over.
    const { pool } = scriptedPool([(_n, at) => ({ granted: 5, first_ms: at + 2, wait_ms: 1 })]);
    const gate = createPgRateGate(pool, { logger: silentLogger, maxLateMs: 1000 });
    await Promise.all([gate.take('g', 1000, 3), gate.take('g', 1000, 3)]);
    expect(gate.stats?.()).toEqual({ asks: 2, granted: 8, used: 6, late: 0, abandoned: 0, unassigned: 2 });

    const far = scriptedPool([(n, at) => ({ granted: n, first_ms: at + 60_000 })]);
    const slow = createPgRateGate(far.pool, { logger: silentLogger });
    const controller = new AbortController();
    const waiting = slow.take('g', 1000, 2, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await expect(waiting).rejects.toThrow('gave up');
    expect(slow.stats?.()).toMatchObject({ granted: 2, used: 0, abandoned: 2 });
    slow.close();

    // A gate that closes while a send holds a slot to come: that slot is abandoned too.
    const closing = createPgRateGate(scriptedPool([(n, at) => ({ granted: n, first_ms: at + 60_000 })]).pool, { logger: silentLogger });
    const held = closing.take('g', 1000, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    closing.close();
    await expect(held).rejects.toThrow('closed');
    expect(closing.stats?.()).toMatchObject({ granted: 1, used: 0, abandoned: 1 });
    gate.close();
  });

  it('/metrics shows them, and nothing of the kind without a cluster', () => {
    const gauges = { messagesByStatus: {}, outboxDepth: 0, submittedTotal: 0, uptimeSeconds: 1 };
    const text = new Metrics().render({ ...gauges, clusterSlots: { asks: 7, granted: 40, used: 35, late: 3, abandoned: 1, unassigned: 1 } });
    expect(text).toContain('smsbridge_cluster_send_slots_total{outcome="used"} 35\n');
    expect(text).toContain('smsbridge_cluster_send_slots_total{outcome="late"} 3\n');
    expect(text).toContain('smsbridge_cluster_send_slots_total{outcome="abandoned"} 1\n');
    expect(text).toContain('smsbridge_cluster_send_slots_total{outcome="unassigned"} 1\n');
    expect(text).toContain('smsbridge_cluster_slot_asks_total 7\n');
    expect(new Metrics().render(gauges)).not.toContain('smsbridge_cluster');
  });
});
