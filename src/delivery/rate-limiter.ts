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

  /** Milliseconds to wait before `segments` may start at `now` (0: they may start now). */
  waitFor(segments: number, now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.expire(now);
    const cost = Math.min(segments, this.limit);
    if (this.inWindow + cost <= this.limit) return 0;
    // Wait until enough of the oldest sends leave the window.
    let freed = this.limit - this.inWindow;
    for (const entry of this.sent) {
      freed += entry.segments;
      if (freed >= cost) return Math.max(1, entry.at + this.windowMs + 1 - now);
    }
    return this.windowMs;
  }

  /** Counts `segments` as started at `now`. */
  record(segments: number, now: number): void {
    const cost = Math.min(segments, this.limit);
    this.sent.push({ at: now, segments: cost });
    this.inWindow += cost;
  }

  /** waitFor, and when it is 0, record: the usual single-window use. */
  tryTake(segments: number, now: number): number {
    const wait = this.waitFor(segments, now);
    if (wait === 0) this.record(segments, now);
    return wait;
  }

  /** The gateway said to slow down: nothing starts before `until`. */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /** Until when a pause holds (0 or a past time: not paused). */
  pausedTill(): number {
    return this.pausedUntil;
  }

  private expire(now: number): void {
    // Strictly older than the window: a send at X still counts at X + windowMs.
    while (this.sent.length > 0 && (this.sent[0] as { at: number }).at < now - this.windowMs) {
      this.inWindow -= (this.sent.shift() as { segments: number }).segments;
    }
  }
}

/**
 * The gateway's rate as the dispatcher keeps it: at most `rate` segments in any second, measured over
 * a slightly longer window (`marginMs`) so that latency jitter cannot push one second's sends into the
 * carrier's next, and at most a tenth of that in any 100 ms, so sends are spread over the second
 * instead of leaving in one burst that a carrier counting per 100 ms would throttle.
 */
export class GatewayRateLimiter {
  private readonly windows: SlidingWindowLimiter[];

  constructor(
    readonly rate: number,
    marginMs = 8,
  ) {
    this.windows = [new SlidingWindowLimiter(rate, 1000 + marginMs), new SlidingWindowLimiter(Math.max(1, Math.ceil(rate / 10)), 100)];
  }

  tryTake(segments: number, now: number): number {
    const wait = Math.max(...this.windows.map((window) => window.waitFor(segments, now)));
    if (wait === 0) for (const window of this.windows) window.record(segments, now);
    return wait;
  }

  pause(until: number): void {
    for (const window of this.windows) window.pause(until);
  }

  /** Until when the gateway asked us to hold off (0 or a past time: it did not). */
  pausedTill(): number {
    return Math.max(...this.windows.map((window) => window.pausedTill()));
  }
}
