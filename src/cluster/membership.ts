import os from 'node:os';
import type pg from 'pg';
import type { Logger } from '../common/logger.js';

/**
 * This instance's heartbeat in `cluster_instances`, and the count of live instances it reads back on
 * the same beat. An instance is live while its heartbeat is younger than `staleAfterMs` (three beats by
 * default), measured on the database server's clock, so the instances' own clocks do not matter.
 *
 * `rateShare(gateway, configured)` is what this process paces itself to: its even share (configured ÷
 * live) and half as much again, never above the configured rate. The hard cap is the rate gate in the
 * database (rate-gate.ts), which hands out one stream of send slots to every instance; the shares
 * overlap so that the cap, not the pacing, is what binds: an instance whose share of a campaign ran out
 * (at its end), or that has not joined yet (at its start), leaves its slots to the others instead of
 * to nobody. Transients: a joining instance counts itself at once while the others learn of it on
 * their next beat; a dead instance is counted for up to `staleAfterMs`, a stopped one deletes its row
 * and is gone at the others' next beat. Neither can push the cluster past the cap.
 */
export interface Membership {
  readonly id: string;
  /** Live instances as of the last beat (at least 1: this one). */
  live(): number;
  rateShare(gateway: string, configuredPerSecond: number): number;
  /** Writes the heartbeat and reads the live count now (also done on every beat). */
  beat(): Promise<void>;
  /** Stops beating and removes this instance's row. */
  leave(): Promise<void>;
}

export interface MembershipOptions {
  logger: Logger;
  beatMs?: number;
  staleAfterMs?: number;
}

export const DEFAULT_BEAT_MS = 2000;
/** How much more than its even share an instance paces itself to (see rateShare). */
const SHARE_OVERLAP = 1.5;

export async function joinCluster(pool: pg.Pool, options: MembershipOptions): Promise<Membership> {
  const beatMs = options.beatMs ?? DEFAULT_BEAT_MS;
  const staleAfterMs = options.staleAfterMs ?? beatMs * 3;
  const id = `${os.hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let live = 1;
  let left = false;

  const beat = async (): Promise<void> => {
    if (left) return;
    const result = await pool.query<{ live: number }>(
      `WITH me AS (
         INSERT INTO cluster_instances (id, host, pid, last_seen) VALUES ($1, $2, $3, clock_timestamp())
         ON CONFLICT (id) DO UPDATE SET last_seen = clock_timestamp()
       )
       SELECT count(*)::int AS live FROM cluster_instances
        WHERE id <> $1 AND last_seen > clock_timestamp() - make_interval(secs => $4::double precision / 1000)`,
      [id, os.hostname(), process.pid, staleAfterMs],
    );
    // The CTE's insert is not visible to the select in the same statement: others + this one.
    live = (result.rows[0]?.live ?? 0) + 1;
  };

  await beat();
  const timer = setInterval(() => {
    beat().catch((error: unknown) => options.logger.warn({ error }, 'cluster heartbeat failed; the instance keeps its last view of the cluster'));
  }, beatMs);
  timer.unref();
  options.logger.info({ instance: id, live }, 'joined the cluster');

  return {
    id,
    live: () => live,
    rateShare: (_gateway, configured) => Math.min(configured, (configured * SHARE_OVERLAP) / Math.max(1, live)),
    beat,
    leave: async () => {
      left = true;
      clearInterval(timer);
      await pool.query('DELETE FROM cluster_instances WHERE id = $1', [id]);
    },
  };
}
