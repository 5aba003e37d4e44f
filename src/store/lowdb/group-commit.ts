/**
 * Group commit: every caller that asks for a write while one is running shares the next write.
 * N changes in a burst cost at most two writes, and each caller's promise resolves only once a
 * write that started after its change has finished.
 */
export class GroupCommit {
  private running = false;
  private waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(private readonly write: () => Promise<void>) {}

  request(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Resolves when no write is running or waiting. */
  async idle(): Promise<void> {
    if (this.running || this.waiting.length > 0) await this.request();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        try {
          await this.write();
          for (const waiter of batch) waiter.resolve();
        } catch (error) {
          for (const waiter of batch) waiter.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
