import type { Timers } from '../../../src/delivery/timers.js';

/**
 * Timers and in-flight work the simulator owns, tracked so that `drain()` can wait for all of them
 * and `close()` can cancel them: a closed gateway must not call back into a stopped service.
 */
export interface TimerPool {
  /** Runs `fn` after `ms`; `onCancel` runs instead if the pool is cancelled first (or already was). */
  schedule(fn: () => void, ms: number, onCancel?: () => void): void;
  /** Counts `work` as pending until it settles (an event hand-off the service is still processing). */
  track(work: Promise<unknown>): void;
  pending(): number;
  /** Resolves once nothing is pending; work scheduled by work keeps it waiting. */
  idle(): Promise<void>;
  /** Clears every timer and refuses new ones: nothing may call back into a stopped service. */
  cancelAll(): void;
}

export function createTimerPool(timers: Timers): TimerPool {
  const scheduled = new Map<unknown, (() => void) | undefined>();
  let tracked = 0;
  let waiters: (() => void)[] = [];
  let stopped = false;

  const pending = (): number => scheduled.size + tracked;
  const wakeIfIdle = (): void => {
    if (pending() > 0) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  return {
    schedule(fn, ms, onCancel) {
      if (stopped) {
        onCancel?.();
        return;
      }
      const handle = timers.setTimeout(() => {
        scheduled.delete(handle);
        try {
          fn();
        } finally {
          // Checked after fn, so a timer that schedules the next one (receipt → reply) never looks idle.
          wakeIfIdle();
        }
      }, ms);
      scheduled.set(handle, onCancel);
    },
    track(work) {
      tracked++;
      void work.finally(() => {
        tracked--;
        wakeIfIdle();
      });
    },
    pending,
    idle() {
      if (pending() === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    cancelAll() {
      stopped = true;
      const cancelled = [...scheduled];
      scheduled.clear();
      for (const [handle, onCancel] of cancelled) {
        timers.clearTimeout(handle);
        onCancel?.();
      }
      wakeIfIdle();
    },
  };
}
