interface Waiters {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function waiters(): Waiters {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failed write is reported to each caller that awaits it; nobody awaiting is not a crash.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Group commit: every caller that asks for a write while one is running shares the next write.
 * N changes in a burst cost at most two writes, and each caller's promise resolves only once a
 * write that started after its change has finished.
 *
 * A whole-file write costs more as the file grows (CONTRACTS.md Part C: ~370 ms at 100k+100k), so
 * after a write that took d ms the next one waits `spacing × d` ms: background writing then takes at
 * most 1/(1+spacing) of the time, and a bulk import gathers more changes into each write. `idle()`
 * (a flush) cuts that wait short: whoever waits for durability does not wait for the spacing.
 */
export class GroupCommit {
  private next: Waiters | null = null;
  private running = false;
  private finished: Promise<void> = Promise.resolve();
  private notBefore = 0;
  private wake: (() => void) | null = null;
  /** Set while someone waits in idle(): no spacing until the queue is empty. */
  private urgent = false;

  constructor(
    /** Performs the write; may return the milliseconds it kept the process busy (else wall time counts). */
    private readonly write: () => Promise<number | void>,
    private readonly spacing = 20,
  ) {}

  request(): Promise<void> {
    this.next ??= waiters();
    const { promise } = this.next;
    if (!this.running) {
      this.running = true;
      this.finished = this.drain();
    }
    return promise;
  }

  /** Resolves once every requested write has run (successful or not), starting a spaced one now. */
  async idle(): Promise<void> {
    while (this.running) {
      this.urgent = true;
      this.wake?.();
      await this.finished;
    }
  }

  private async drain(): Promise<void> {
    while (this.next) {
      const wait = this.urgent ? 0 : this.notBefore - performance.now();
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
      const batch = this.next;
      this.next = null;
      const started = performance.now();
      let busy: number | void = undefined;
      try {
        busy = await this.write();
        batch.resolve();
      } catch (error) {
        batch.reject(error);
      }
      const ended = performance.now();
      this.notBefore = ended + (busy ?? ended - started) * this.spacing;
    }
    this.running = false;
    this.urgent = false;
  }
}
