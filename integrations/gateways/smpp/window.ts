/**
 * The SMPP window: at most `size` requests awaiting their response. A released slot passes straight
 * to the longest waiter, so waiters are served in order and a newcomer cannot overtake them.
 */
export interface Window {
  acquire(): Promise<void>;
  release(): void;
  /** Slots taken now. */
  inFlight(): number;
}

export function createWindow(size: number): Window {
  const waiters: (() => void)[] = [];
  let taken = 0;
  return {
    acquire() {
      if (taken < size && waiters.length === 0) {
        taken++;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiters.push(resolve));
    },
    release() {
      const next = waiters.shift();
      if (next) next();
      else taken = Math.max(0, taken - 1);
    },
    inFlight: () => taken,
  };
}
