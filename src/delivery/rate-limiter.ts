/**
 * A sliding-window limiter counted in segments: in any window of `windowMs` no more than `limit`
 * segments start. Exact, unlike a token bucket, whose burst allowance lets one second carry more than
 * the gateway's rate (CONTRACTS.md Part C: rates are per second, counted in segments).
 */
export class SlidingWindowLimiter {
  private readonly sent: Array<{ at: number; segments: number }> = [];
  private inWindow = 0;
  private pausedUntil = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1000,
  ) {}

  /** Milliseconds to wait before `segments` may start at `now` (0: go now, and it is counted). */
  tryTake(segments: number, now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.expire(now);
    const cost = Math.min(segments, this.limit);
    if (this.inWindow + cost <= this.limit) {
      this.sent.push({ at: now, segments: cost });
      this.inWindow += cost;
      return 0;
    }
    // Wait until enough of the oldest sends leave the window.
    let freed = this.limit - this.inWindow;
    for (const entry of this.sent) {
      freed += entry.segments;
      if (freed >= cost) return Math.max(1, entry.at + this.windowMs - now);
    }
    return this.windowMs;
  }

  /** The gateway said to slow down: nothing starts before `until`. */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  private expire(now: number): void {
    while (this.sent.length > 0 && (this.sent[0] as { at: number }).at <= now - this.windowMs) {
      this.inWindow -= (this.sent.shift() as { segments: number }).segments;
    }
  }
}
