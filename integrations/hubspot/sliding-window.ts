/**
 * At most `limit` events in any window of `windowMs`: a ring of the last `limit` start times. The
 * next event may start once the oldest of them has left the window.
 */
export class SlidingWindow {
  private readonly starts: number[];
  private next = 0;
  private filled = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    this.starts = new Array<number>(limit).fill(0);
  }

  /** Milliseconds until one more event fits; 0 when it fits now. */
  waitMs(now: number): number {
    if (this.filled < this.limit) return 0;
    const oldest = this.starts[this.next] as number;
    return Math.max(0, oldest + this.windowMs - now);
  }

  record(now: number): void {
    this.starts[this.next] = now;
    this.next = (this.next + 1) % this.limit;
    if (this.filled < this.limit) this.filled += 1;
  }
}
