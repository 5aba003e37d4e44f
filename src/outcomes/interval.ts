/**
 * Confidence intervals for proportions and their difference. Pure functions.
 *
 * The difference uses Newcombe's hybrid score interval (Newcombe 1998, "Interval estimation for the
 * difference between independent proportions", method 10): it combines the two Wilson score
 * intervals, stays inside [−1, 1], and keeps close to its nominal 95% coverage with small groups
 * and rates near 0, where the Wald interval (p̂ ± z·SE) is too narrow or collapses to a point. A
 * holdout of a few hundred contacts converting at 1–3% is exactly that case.
 */

/** The two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;

/** Wilson score interval for x successes of n; [0, 1] when n is 0. */
export function wilsonInterval(x: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Newcombe's hybrid score interval for p1 − p2 (x1 of n1 against x2 of n2). Null when either group
 * is empty.
 */
export function newcombeInterval(x1: number, n1: number, x2: number, n2: number, z = Z95): { difference: number; low: number; high: number } | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const [l1, u1] = wilsonInterval(x1, n1, z);
  const [l2, u2] = wilsonInterval(x2, n2, z);
  const difference = p1 - p2;
  return {
    difference,
    low: difference - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
    high: difference + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
  };
}
