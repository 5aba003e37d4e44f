/**
 * A carrier-side rate limit: at most `limit` segments per 1-second window of the clock. Fixed windows
 * (not a sliding log) because that is how most SMS APIs count "per second", and it makes the expected
 * Retry-After exact: the time left until the next window starts.
 */
export interface SegmentWindow {
  take(segments: number, nowMs: number): { ok: true } | { ok: false; retryAfterMs: number };
}

export function createSegmentWindow(limit: number): SegmentWindow {
  let window = Number.NaN;
  let used = 0;
  return {
    take(segments, nowMs) {
      const current = Math.floor(nowMs / 1000);
      if (current !== window) {
        window = current;
        used = 0;
      }
      // A message bigger than the whole budget still goes out in an empty window, or it never could.
      if (used > 0 && used + segments > limit) return { ok: false, retryAfterMs: (current + 1) * 1000 - nowMs };
      used += segments;
      return { ok: true };
    },
  };
}
