export interface InFlightWindowOptions {
  /** The most requests in flight at once, whatever the sizing says (`<GATEWAY>_MAX_IN_FLIGHT`). */
  cap: number;
  /** Headroom over Little's law for latency that varies (default 2). */
  safety?: number;
  /** The latency assumed before the first answer (default 100 ms). */
  initialLatencyMs?: number;
  /** Weight of each new latency sample in the moving average (default 0.1). */
  smoothing?: number;
}

/**
 * How many requests one gateway may have in flight: by Little's law, requests in flight = rate ×
 * latency, so a gateway 30 ms away needs 30 in flight to carry 1,000 per second, and a fixed cap of 10
 * would hold it to ~330 (less as latency grows). Sized from the rate and the measured latency (a
 * moving average) with a safety factor, at least 1 and never above the configured cap.
 */
export class InFlightWindow {
  private latencyMs: number;
  private readonly safety: number;
  private readonly smoothing: number;

  constructor(private readonly options: InFlightWindowOptions) {
    this.latencyMs = options.initialLatencyMs ?? 100;
    this.safety = options.safety ?? 2;
    this.smoothing = options.smoothing ?? 0.1;
  }

  /** The configured cap changed (capabilities are read afresh on each claim). */
  setCap(cap: number): void {
    this.options.cap = cap;
  }

  /** One answer came after `ms`. */
  observe(ms: number): void {
    this.latencyMs += (Math.max(0, ms) - this.latencyMs) * this.smoothing;
  }

  /** The latency the window is sized for now, in ms. */
  latency(): number {
    return this.latencyMs;
  }

  /** Requests allowed in flight at `ratePerSecond` (messages per second). */
  size(ratePerSecond: number): number {
    const needed = Math.ceil((ratePerSecond * this.latencyMs * this.safety) / 1000) + 1;
    return Math.max(1, Math.min(this.options.cap, needed));
  }
}
