/** The only way domain code learns the time: injected, so tests control it. */
export interface Clock {
  now(): Date;
}

// eslint-disable-next-line no-restricted-syntax -- the one place that reads the wall clock; everything else receives it.
export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until told to move; for tests and simulations. */
export function fixedClock(start: Date | string): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}
