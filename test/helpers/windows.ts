/**
 * The most of `times` (milliseconds, in any order) inside any half-open interval [t, t + windowMs):
 * the busiest sliding window of sends or arrivals, as a carrier counting per second would see it.
 */
export function maxInWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let first = 0, last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first += 1;
    best = Math.max(best, last - first + 1);
  }
  return best;
}
