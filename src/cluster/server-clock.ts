/**
 * Where the database server's clock stands against this process's, within bounds: each answer that
 * carries the server's time, read somewhere between asking and the answer, bounds the offset (server −
 * local) to [server − answered, server − asked]; the bounds of every answer are intersected, so they
 * close in on the fastest round trip seen rather than the last one. They widen with time by `driftPerMs`
 * (the two clocks' rates may differ), and start afresh when an answer contradicts them (a clock stepped).
 */
export class ServerClock {
  private low = Number.NEGATIVE_INFINITY;
  private high = Number.POSITIVE_INFINITY;
  private at = 0;

  constructor(private readonly driftPerMs = 1e-4) {}

  /** The server said `serverMs` between local `asked` and `answered`. */
  observe(serverMs: number, asked: number, answered: number): void {
    this.widen(answered);
    const low = serverMs - answered;
    const high = serverMs - asked;
    if (low > this.high || high < this.low) {
      this.low = low;
      this.high = high;
    } else {
      this.low = Math.max(this.low, low);
      this.high = Math.min(this.high, high);
    }
  }

  /** The earliest and the latest local time that a server time can be (known bounds only after observe). */
  local(serverMs: number): { earliest: number; latest: number } {
    return { earliest: serverMs - this.high, latest: serverMs - this.low };
  }

  private widen(now: number): void {
    const drift = Math.max(0, now - this.at) * this.driftPerMs;
    this.low -= drift;
    this.high += drift;
    this.at = now;
  }
}
