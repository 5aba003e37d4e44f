import type pg from 'pg';
import type { Logger } from '../common/logger.js';

/**
 * The cluster-wide hard cap on a gateway's rate. Every segment a process sends first takes a permit
 * from `cluster_take_permits` (see cluster-schema.ts), which grants permits so that in any window of
 * `windowMs` (one second plus a margin for the jitter between grant and arrival at the gateway) no
 * more than the configured rate are granted, across every instance together: joins, deaths and
 * stale heartbeats cannot push the cluster over the limit, they only change who gets the permits.
 *
 * One request per gateway is in flight at a time from this process; the sends that queue up while it
 * is out are asked for together in the next one, so permits are granted in small blocks at the moment
 * they are used (no permit is held for later: a send always starts right after its grant, which is
 * what keeps the arrival times within the window the database counted). Permits left over from a
 * partial grant that does not cover the next send are dropped, never carried.
 */
export interface RateGate {
  /**
   * Resolves when `segments` permits for `gateway` at `limit` per second have been granted; rejects
   * when `signal` aborts first (the waiter leaves the queue, no permit is taken for it).
   */
  take(gateway: string, limit: number, segments: number, options?: { signal?: AbortSignal }): Promise<void>;
  close(): void;
}

export interface RateGateOptions {
  /** The counting window; the default 1,015 ms keeps 15 ms of grant-to-arrival jitter inside one second. */
  windowMs?: number;
  logger: Logger;
}

interface Waiter {
  segments: number;
  resolve(): void;
  reject(error: Error): void;
}

interface Lane {
  waiters: Waiter[];
  pumping: boolean;
  limit: number;
}

export const DEFAULT_WINDOW_MS = 1015;
/** The longest wait between tries while the window is full. */
const MAX_PAUSE_MS = 50;

export function createPgRateGate(pool: pg.Pool, options: RateGateOptions): RateGate {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const lanes = new Map<string, Lane>();
  let closed = false;

  const grant = async (gateway: string, limit: number, want: number): Promise<{ granted: number; waitMs: number }> => {
    const result = await pool.query<{ granted: number; wait_ms: number }>('SELECT granted, wait_ms FROM cluster_take_permits($1, $2, $3, $4)', [gateway, limit, want, windowMs]);
    const row = result.rows[0];
    return { granted: row?.granted ?? 0, waitMs: row?.wait_ms ?? MAX_PAUSE_MS };
  };

  const pump = async (gateway: string, lane: Lane): Promise<void> => {
    lane.pumping = true;
    try {
      while (lane.waiters.length > 0 && !closed) {
        // A message of more segments than the limit could never go: it counts as the whole limit.
        const want = Math.min(lane.limit, lane.waiters.reduce((sum, w) => sum + Math.min(w.segments, lane.limit), 0));
        let answer: { granted: number; waitMs: number };
        try {
          answer = await grant(gateway, lane.limit, want);
        } catch (error) {
          options.logger.warn({ gateway, error }, 'could not take send permits from the database; trying again');
          answer = { granted: 0, waitMs: 200 };
        }
        let left = answer.granted;
        while (lane.waiters.length > 0) {
          const cost = Math.min((lane.waiters[0] as Waiter).segments, lane.limit);
          if (cost > left) break;
          left -= cost;
          (lane.waiters.shift() as Waiter).resolve();
        }
        if (answer.granted < want) await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(1, answer.waitMs), MAX_PAUSE_MS)));
      }
    } finally {
      lane.pumping = false;
      if (closed) for (const waiter of lane.waiters.splice(0)) waiter.reject(new Error('the rate gate was closed'));
    }
  };

  return {
    take: (gateway, limit, segments, takeOptions = {}) => {
      if (closed) return Promise.reject(new Error('the rate gate was closed'));
      let lane = lanes.get(gateway);
      if (!lane) lanes.set(gateway, (lane = { waiters: [], pumping: false, limit }));
      lane.limit = Math.max(1, Math.floor(limit));
      const current = lane;
      const taken = new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { segments: Math.max(1, segments), resolve, reject };
        current.waiters.push(waiter);
        takeOptions.signal?.addEventListener('abort', () => {
          const at = current.waiters.indexOf(waiter);
          if (at < 0) return;
          current.waiters.splice(at, 1);
          reject(new Error('gave up waiting for a send permit'));
        }, { once: true });
      });
      if (!current.pumping) void pump(gateway, current);
      return taken;
    },
    close: () => {
      closed = true;
      for (const lane of lanes.values()) if (!lane.pumping) for (const waiter of lane.waiters.splice(0)) waiter.reject(new Error('the rate gate was closed'));
    },
  };
}
