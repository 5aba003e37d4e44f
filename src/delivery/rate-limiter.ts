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
    private limit: number,
    private windowMs = 1000,
  ) {}

  /** A longer or shorter window from now on; sends already counted keep their times. */
  setWindow(windowMs: number): void {
    this.windowMs = windowMs;
  }

  /** A new limit from now on (a rate shared with other instances changes); what is in the window stays counted. */
  setLimit(limit: number): void {
    this.limit = limit;
  }

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

/** Answer times the window margin is set from, at a time. */
const LATENCY_SAMPLES = 200;

export interface PacerOptions {
  /** The share of the rate aimed at (default 0.99): the rest is margin for jitter between here and the gateway. */
  headroom?: number;
  /**
   * The strict window is this much longer than a second (default 10 ms), so a send that reaches the
   * gateway up to this much later than those before it still cannot make any of its seconds hold more
   * than the rate. With the default headroom the even pacing alone stays under it, so it costs no
   * throughput; beyond ~1000 × (1 / headroom − 1) ms it would.
   */
  windowMarginMs?: number;
  /**
   * The most the margin may grow to (default 20 ms) when the measured spread of the gateway's answer
   * times says requests reach it less evenly than `windowMarginMs` covers (`observeLatency`): a wider
   * margin costs throughput (at most 1000 / (1000 + margin) of the rate), a narrower one lets jitter
   * put more than the rate into a second at the gateway.
   */
  maxWindowMarginMs?: number;
  /**
   * How much pacing a late wake-up may still make up (default 500 ms): slots missed while the event
   * loop was busy (a GC pause, a group commit, a report) or the queue waited for a claim are sent
   * afterwards, at most `catchUpRate` times the rate and always within the strict window, so a stall
   * costs no throughput and releases no burst. Slots missed longer ago than this are given up.
   */
  catchUpMs?: number;
  /** How much faster than the rate missed slots are made up (default 1.5): the spacing while behind is 1 / (rate × this). */
  catchUpRate?: number;
  /**
   * While catching up, a late wake-up may send at once what `catchUpRate` would have sent in this many
   * ms (default 5), no more: a timer is often a millisecond or two late on a busy loop.
   */
  burstMs?: number;
  /** The slots a fresh start (or one after a second of silence) may use at once (default 10 ms of them). */
  startBurstMs?: number;
}

/**
 * Paces one gateway's sends evenly: one segment every 1 / (rate × headroom) seconds, so a second
 * holds about `headroom` of the rate spread over it, never a burst at its start (a carrier counting
 * strictly, or per 100 ms, sees an even stream). The rate is read at every decision (`rate()`: the
 * configured rate, or this instance's share of it). Slots a late wake-up missed are made up at a
 * bounded multiple of the rate (`catchUpRate`, for up to `catchUpMs` of them), so a stalled event loop
 * neither loses throughput nor releases a burst. Under the pacing,
 * a strict sliding window of send starts (at most `rate` segments in any `1000 + windowMarginMs` ms) is
 * the safety net: whatever the timers do, the gateway never gets more than its rate in a second from
 * this process, latency jitter included up to the margin. The margin follows the measured spread of
 * the gateway's answer times (`observeLatency`), from `windowMarginMs` up to `maxWindowMarginMs`.
 */
export class GatewayPacer {
  private readonly window: SlidingWindowLimiter;
  private readonly headroom: number;
  private readonly catchUpMs: number;
  private readonly catchUpRate: number;
  private readonly burstMs: number;
  private readonly startBurstMs: number;
  /** The virtual time of the next slot (ms); undefined before the first send. */
  private next: number | undefined;
  /** The earliest time of the next send while catching up (spaced 1 / (rate × catchUpRate)). */
  private fastNext = 0;
  /** Slots a fresh start may still send ahead of the pacing, and until when. */
  private startCredit = 0;
  private creditUntil = 0;
  private limit: number;
  private readonly minMarginMs: number;
  private readonly maxMarginMs: number;
  private marginMs: number;
  /** The last answer times (ms), a ring; the margin is set from their spread every time it fills. */
  private readonly latencies = new Float64Array(LATENCY_SAMPLES);
  private latencyCount = 0;

  constructor(
    private readonly rateNow: () => number,
    options: PacerOptions = {},
  ) {
    this.headroom = options.headroom ?? 0.99;
    this.catchUpMs = options.catchUpMs ?? 500;
    this.catchUpRate = Math.max(1, options.catchUpRate ?? 1.5);
    this.burstMs = options.burstMs ?? 5;
    this.startBurstMs = options.startBurstMs ?? 10;
    this.limit = this.rate;
    this.minMarginMs = options.windowMarginMs ?? 10;
    this.maxMarginMs = Math.max(this.minMarginMs, options.maxWindowMarginMs ?? 20);
    this.marginMs = this.minMarginMs;
    this.window = new SlidingWindowLimiter(this.limit, 1000 + this.marginMs);
  }

  /** The segments per second allowed now. */
  get rate(): number {
    return Math.max(Number.MIN_VALUE, this.rateNow());
  }

  /** Milliseconds to wait before `segments` may start at `now`; 0: they start now (and are counted). */
  tryTake(segments: number, now: number): number {
    const rate = this.rate;
    if (rate !== this.limit) {
      this.limit = rate;
      this.window.setLimit(rate);
    }
    const spacing = 1000 / (rate * this.headroom);
    const slots = Math.max(1, segments);
    // A fresh start (or one after a second of silence) may send startBurstMs of whole slots at once,
    // within the window. After that, slots a late wake-up missed (up to catchUpMs of them) are made up
    // at catchUpRate times the rate; older ones are given up.
    if (this.next === undefined || this.next < now - 1000) {
      this.next = now;
      this.fastNext = now;
      this.startCredit = Math.floor(this.startBurstMs / spacing);
      this.creditUntil = now + this.startBurstMs;
    }
    const start = Math.max(this.next, now - this.catchUpMs);
    const onCredit = start > now && this.startCredit >= slots && now <= this.creditUntil;
    if (start > now && !onCredit) return Math.max(1, Math.ceil(start - now));
    // Behind the pacing: no faster than catchUpRate × the rate, at most burstMs of that at once.
    const fast = Math.max(this.fastNext, now - this.burstMs);
    if (!onCredit && fast > now) return Math.max(1, Math.ceil(fast - now));
    const wait = this.window.waitFor(segments, now);
    if (wait > 0) return wait;
    this.window.record(segments, now);
    if (onCredit) this.startCredit -= slots;
    else {
      this.next = start + slots * spacing;
      this.fastNext = fast + (slots * spacing) / this.catchUpRate;
    }
    return 0;
  }

  /**
   * One request took `ms` from its start to its answer. How much that varies bounds how unevenly the
   * requests reach the gateway (the time to it is part of it), so every LATENCY_SAMPLES answers the
   * window's margin is set to their spread (95th percentile over the 5th), between `windowMarginMs`
   * and `maxWindowMarginMs`.
   */
  observeLatency(ms: number): void {
    this.latencies[this.latencyCount % LATENCY_SAMPLES] = ms;
    this.latencyCount += 1;
    if (this.latencyCount % LATENCY_SAMPLES !== 0) return;
    const sorted = Float64Array.from(this.latencies).sort();
    const spread = (sorted[Math.floor(LATENCY_SAMPLES * 0.95)] as number) - (sorted[Math.floor(LATENCY_SAMPLES * 0.05)] as number);
    const margin = Math.min(this.maxMarginMs, Math.max(this.minMarginMs, Math.ceil(spread)));
    if (margin !== this.marginMs) {
      this.marginMs = margin;
      this.window.setWindow(1000 + margin);
    }
  }

  /** The strict window's margin over a second now (ms). */
  windowMargin(): number {
    return this.marginMs;
  }

  /** The gateway said to slow down: nothing starts before `until`. */
  pause(until: number): void {
    this.window.pause(until);
  }

  /** Until when the gateway asked us to hold off (0 or a past time: it did not). */
  pausedTill(): number {
    return this.window.pausedTill();
  }
}
