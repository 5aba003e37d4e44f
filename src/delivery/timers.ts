import type { Clock } from '../common/clock.js';

/**
 * The only way delivery code waits: injected like the clock, so tests drive time with vitest fake
 * timers or `manualTimers` instead of sleeping. Handles are opaque; pass them back to clearTimeout.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The process timers. The globals are looked up on every call (not captured at import) so that
 * vitest's fake timers, installed after this module loads, still take effect.
 */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/** A clock the manual timers can move: `fixedClock` from common/clock.ts fits. */
export interface SettableClock extends Clock {
  set(at: Date | string): void;
}

export interface ManualTimers extends Timers {
  /** Timers scheduled and neither fired nor cleared. */
  pending(): number;
  /** Moves the clock forward by `ms`, firing every timer that falls due on the way, in time order. */
  advance(ms: number): void;
  /** Fires timers (including ones they schedule) until none is left; the clock ends at the last one. */
  runAll(): void;
}

interface Scheduled {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * Timers that fire only when told to, moving `clock` to each timer's due time before running it, so
 * code under test sees the time it would see in production. For tests and simulations, like fixedClock.
 */
export function manualTimers(clock: SettableClock): ManualTimers {
  const queue = new Map<number, Scheduled>();
  let nextId = 1;

  // Earliest due first; equal times fire in scheduling order, as real timers do.
  const nextDue = (): Scheduled | undefined => {
    let best: Scheduled | undefined;
    for (const entry of queue.values()) if (!best || entry.at < best.at) best = entry;
    return best;
  };

  const fire = (entry: Scheduled): void => {
    queue.delete(entry.id);
    if (entry.at > clock.now().getTime()) clock.set(new Date(entry.at));
    entry.fn();
  };

  return {
    setTimeout(fn, ms) {
      const id = nextId++;
      queue.set(id, { id, at: clock.now().getTime() + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      if (typeof handle === 'number') queue.delete(handle);
    },
    pending: () => queue.size,
    advance(ms) {
      const end = clock.now().getTime() + ms;
      for (let entry = nextDue(); entry && entry.at <= end; entry = nextDue()) fire(entry);
      if (clock.now().getTime() < end) clock.set(new Date(end));
    },
    runAll() {
      // A guard against code that reschedules itself forever, which would otherwise hang the test.
      for (let fired = 0, entry = nextDue(); entry; entry = nextDue(), fired++) {
        if (fired >= 100_000) throw new Error('manualTimers.runAll: more than 100000 timers fired; something reschedules forever');
        fire(entry);
      }
    },
  };
}
