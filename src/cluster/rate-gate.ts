import type pg from 'pg';
import type { Logger } from '../common/logger.js';
import { ServerClock } from './server-clock.js';

/**
 * The cluster-wide hard cap on a gateway's rate, as send slots. The database hands out slots spaced
 * `windowMs / limit` apart across every instance (`cluster_take_slots`, migration step 5), so no
 * window of `windowMs` holds more than `limit` of them; each segment a process sends takes one, and
 * the message leaves at its last segment's slot, never before. Joins, deaths and stale heartbeats
 * cannot push the cluster over the limit: they only change who gets the slots.
 *
 * Slots are reserved a little ahead (at least a round trip, so a slot is still to come when its answer
 * arrives; at most `aheadMs`), so the instances keep the gateway busy without waiting for a round trip
 * between sends: while one request is out, the sends that queue up are asked for together in the next one. The window is one second plus a margin for how late a send may reach
 * the gateway after its slot. That lateness is held here: slots are in the server's time, placed on
 * this process's clock within bounds (ServerClock); a send leaves at the latest local time its slot
 * can be, and a slot that would be left more than `maxLateMs` after the earliest time it can be (a
 * stalled event loop) is dropped and the send asks again. A lost slot costs a little throughput; a
 * late one could carry a second past the limit.
 */
export interface RateGate {
  /**
   * Resolves when `segments` slots for `gateway` at `limit` per second have come; rejects when
   * `signal` aborts first (the waiter leaves the queue, its slots, if any, go unused).
   */
  take(gateway: string, limit: number, segments: number, options?: { signal?: AbortSignal }): Promise<void>;
  close(): void;
  /** What became of the slots this process took, since it started (for /metrics). */
  stats?(): RateGateStats;
}

/**
 * Counters of one process's slots. Every slot granted ends used, late, abandoned or unassigned (or is
 * still to come): each of the last three is a slot of the cluster's rate that no send took, the
 * throughput the cap lost.
 */
export interface RateGateStats {
  /** Asks to the database for slots. */
  asks: number;
  /** Slots the database handed to this process. */
  granted: number;
  /** Slots a send left at. */
  used: number;
  /** Slots whose send could not leave in time (a stalled event loop) and asked again. */
  late: number;
  /** Slots whose send gave up waiting (its wait ran out, or the gate closed). */
  abandoned: number;
  /** Slots granted beyond what whole messages could use (a message's slots are taken together). */
  unassigned: number;
}

export interface RateGateOptions {
  /** The slot window; the default 1,015 ms leaves 15 ms for a send to reach the gateway after its slot. */
  windowMs?: number;
  /** How far ahead slots may be reserved (default 250 ms). */
  aheadMs?: number;
  /** How late after its slot a send may still leave (default two thirds of the window's margin). */
  maxLateMs?: number;
  logger: Logger;
  /** Local monotonic time in ms (tests). */
  now?: () => number;
}

interface Waiter {
  segments: number;
  resolve(): void;
  reject(error: Error): void;
  /** The earliest and latest local time its (last) slot can be, once it has slots. */
  earliest: number;
  latest: number;
  /** Gave up while holding slots (they go unused). */
  gone?: boolean;
}

interface Lane {
  /** Waiters without slots, in arrival order. */
  waiters: Waiter[];
  /** Waiters with slots, in slot order; one timer lets them go as their slots come. */
  timed: Waiter[];
  timer?: NodeJS.Timeout;
  pumping: boolean;
  limit: number;
}

interface Slots {
  granted: number;
  /** The first slot, on the server's clock (epoch ms). */
  firstMs: number;
  spacingMs: number;
  waitMs: number;
}

export const DEFAULT_WINDOW_MS = 1015;
const DEFAULT_AHEAD_MS = 250;
/** Slots about a millisecond apart are let go a few at a time: one timer per this many ms at most. */
const WAKE_EVERY_MS = 2;
/** Asks again this long (plus two round trips) before the slots this lane holds run out. */
const REFILL_MS = 20;
/** The longest wait between asks while every slot within reach is taken. */
const MAX_PAUSE_MS = 50;

export function createPgRateGate(pool: pg.Pool, options: RateGateOptions): RateGate {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const aheadMs = options.aheadMs ?? DEFAULT_AHEAD_MS;
  const maxLateMs = options.maxLateMs ?? Math.max(1, ((windowMs - 1000) * 2) / 3);
  const now = options.now ?? (() => performance.timeOrigin + performance.now());
  const clock = new ServerClock();
  /** The round trip to the database, smoothed: slots are asked to start at least this far ahead. */
  let roundTripMs = 1;
  const lanes = new Map<string, Lane>();
  let closed = false;
  const stats: RateGateStats = { asks: 0, granted: 0, used: 0, late: 0, abandoned: 0, unassigned: 0 };

  /** `least`: the slots the first waiter needs, which are always asked for together however far they reach. */
  const ask = async (gateway: string, limit: number, want: number, least: number): Promise<Slots> => {
    const reach = Math.max(aheadMs, Math.ceil((least * windowMs) / limit));
    const asked = now();
    // A named statement: each connection parses and plans it once, not on every ask (a few hundred a second).
    const result = await pool.query<{ granted: number; now_ms: number; first_ms: number; spacing_ms: number; wait_ms: number }>({
      name: 'cluster_take_slots',
      text: 'SELECT granted, now_ms, first_ms, spacing_ms, wait_ms FROM cluster_take_slots($1, $2, $3, $4, $5, $6)',
      values: [gateway, limit, want, windowMs, Math.ceil(Math.min(roundTripMs, aheadMs / 2)), reach],
    });
    const answered = now();
    stats.asks += 1;
    roundTripMs += (answered - asked - roundTripMs) * 0.2;
    const row = result.rows[0];
    if (!row) return { granted: 0, firstMs: 0, spacingMs: 0, waitMs: MAX_PAUSE_MS };
    clock.observe(row.now_ms, asked, answered);
    return { granted: row.granted, firstMs: row.first_ms, spacingMs: row.spacing_ms, waitMs: row.wait_ms };
  };

  const cost = (lane: Lane, waiter: Waiter): number => Math.min(waiter.segments, lane.limit);

  /**
   * Lets go every waiter whose slot has come (at its latest local time), unless it is more than
   * maxLateMs past the earliest: those ask again. Then waits for the next slot.
   */
  const wake = (gateway: string, lane: Lane): void => {
    clearTimeout(lane.timer);
    lane.timer = undefined;
    const at = now();
    const late: Waiter[] = [];
    while (lane.timed.length > 0 && (lane.timed[0] as Waiter).latest <= at) {
      const waiter = lane.timed.shift() as Waiter;
      if (waiter.gone) continue;
      if (at - waiter.earliest <= maxLateMs) {
        stats.used += cost(lane, waiter);
        waiter.resolve();
      } else {
        stats.late += cost(lane, waiter);
        late.push(waiter);
      }
    }
    if (late.length > 0) {
      lane.waiters.unshift(...late);
      if (!lane.pumping) void pump(gateway, lane);
    }
    const next = lane.timed[0];
    if (next) lane.timer = setTimeout(() => wake(gateway, lane), Math.max(WAKE_EVERY_MS, next.latest - at));
  };

  const pump = async (gateway: string, lane: Lane): Promise<void> => {
    lane.pumping = true;
    try {
      while (lane.waiters.length > 0 && !closed) {
        // While this lane holds slots for a while yet, the sends that come meanwhile are asked for
        // together, shortly before those run out: a few asks a second, not one per send.
        const holdsFor = (lane.timed[lane.timed.length - 1]?.latest ?? 0) - now() - (REFILL_MS + 2 * roundTripMs);
        if (holdsFor > 0) await new Promise((resolve) => setTimeout(resolve, holdsFor));
        if (lane.waiters.length === 0 || closed) break;
        // A message of more segments than the limit could never go: it counts as the whole limit.
        const want = Math.min(lane.limit, lane.waiters.reduce((sum, w) => sum + cost(lane, w), 0));
        let slots: Slots;
        try {
          slots = await ask(gateway, lane.limit, want, cost(lane, lane.waiters[0] as Waiter));
        } catch (error) {
          options.logger.warn({ gateway, error }, 'could not take send slots from the database; trying again');
          slots = { granted: 0, firstMs: 0, spacingMs: 0, waitMs: 200 };
        }
        let used = 0;
        stats.granted += slots.granted;
        while (lane.waiters.length > 0 && !closed) {
          const next = lane.waiters[0] as Waiter;
          if (used + cost(lane, next) > slots.granted) break;
          used += cost(lane, next);
          lane.waiters.shift();
          Object.assign(next, clock.local(slots.firstMs + (used - 1) * slots.spacingMs));
          lane.timed.push(next);
        }
        stats.unassigned += slots.granted - used;
        if (used > 0) wake(gateway, lane);
        if (slots.granted < want) await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(1, slots.waitMs), MAX_PAUSE_MS)));
      }
    } finally {
      lane.pumping = false;
      if (closed) rejectAll(lane);
    }
  };

  const rejectAll = (lane: Lane): void => {
    clearTimeout(lane.timer);
    const timed = lane.timed.splice(0);
    for (const waiter of timed) if (!waiter.gone) stats.abandoned += cost(lane, waiter);
    for (const waiter of [...lane.waiters.splice(0), ...timed]) if (!waiter.gone) waiter.reject(new Error('the rate gate was closed'));
  };

  return {
    take: (gateway, limit, segments, takeOptions = {}) => {
      if (closed) return Promise.reject(new Error('the rate gate was closed'));
      let lane = lanes.get(gateway);
      if (!lane) lanes.set(gateway, (lane = { waiters: [], timed: [], pumping: false, limit }));
      lane.limit = Math.max(1, Math.floor(limit));
      const current = lane;
      const taken = new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { segments: Math.max(1, segments), resolve, reject, earliest: 0, latest: 0 };
        current.waiters.push(waiter);
        takeOptions.signal?.addEventListener('abort', () => {
          const at = current.waiters.indexOf(waiter);
          if (at >= 0) current.waiters.splice(at, 1);
          else if (current.timed.includes(waiter)) {
            waiter.gone = true;
            stats.abandoned += cost(current, waiter);
          } else return;
          reject(new Error('gave up waiting for a send slot'));
        }, { once: true });
      });
      if (!current.pumping) void pump(gateway, current);
      return taken;
    },
    stats: () => ({ ...stats }),
    close: () => {
      closed = true;
      for (const lane of lanes.values()) if (!lane.pumping) rejectAll(lane);
    },
  };
}
