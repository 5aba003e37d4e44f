import type { CampaignReport, VariantReport } from './report.js';

/**
 * Statistics for campaign reports: the complementary error function, the normal CDF, the
 * two-proportion z-test used for A/B comparisons, percentiles of delivery times, and the A/B verdict.
 * Pure functions, no I/O.
 */

/**
 * erfc(x), Chebyshev fit from Numerical Recipes (2nd ed., §6.2, `erfcc`): fractional (relative)
 * error below 1.2e-7 for every x. That is better than Abramowitz–Stegun 7.1.26 (absolute error
 * 1.5e-7), whose error swamps tail values: erfc(4) ≈ 1.5e-8 would be off by ten times its size,
 * while here small p-values keep about seven significant digits.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
      t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const value = t * Math.exp(-z * z + poly);
  return x >= 0 ? value : 2 - value;
}

/** erf(x) = 1 − erfc(x); absolute error below 1.2e-7 (from the relative bound on erfc, which is ≤ 2). */
export function erf(x: number): number {
  return 1 - erfc(x);
}

/** Standard normal CDF Φ(z) = erfc(−z/√2) / 2; relative error below 1.2e-7, tails included. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Two-sided two-proportion z-test with the pooled proportion:
 * z = (pA − pB) / √(p(1−p)(1/nA + 1/nB)), p = (xA + xB)/(nA + nB); pValue = 2(1 − Φ(|z|)).
 * z > 0 means A has the higher proportion. A zero total on either side, or zero variance (both at 0%
 * or both at 100%), gives no evidence: z = 0, pValue = 1. Counts must be finite, 0 ≤ successes ≤ total.
 */
export function twoProportionZTest(successesA: number, totalA: number, successesB: number, totalB: number): { z: number; pValue: number } {
  for (const [successes, total] of [[successesA, totalA], [successesB, totalB]] as const) {
    if (!Number.isFinite(successes) || !Number.isFinite(total) || successes < 0 || total < 0 || successes > total) {
      throw new RangeError(`twoProportionZTest needs 0 ≤ successes ≤ total, got ${successes} of ${total}.`);
    }
  }
  if (totalA === 0 || totalB === 0) return { z: 0, pValue: 1 };
  const pooled = (successesA + successesB) / (totalA + totalB);
  const variance = pooled * (1 - pooled) * (1 / totalA + 1 / totalB);
  if (!(variance > 0)) return { z: 0, pValue: 1 };
  const z = (successesA / totalA - successesB / totalB) / Math.sqrt(variance);
  // erfc(|z|/√2) is 2(1 − Φ(|z|)) without the cancellation of 1 − Φ for large |z|.
  const pValue = Math.min(1, Math.max(0, erfc(Math.abs(z) / Math.SQRT2)));
  return { z, pValue };
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of ascending-sorted values, by linear interpolation between closest
 * ranks (Hyndman–Fan type 7: numpy's default, Excel PERCENTILE.INC). The median of an even count is
 * the mean of the two middle values. Null for no values.
 */
export function quantile(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const position = Math.min(1, Math.max(0, q)) * (n - 1);
  const lower = Math.floor(position);
  const upper = Math.min(n - 1, lower + 1);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

/** Median and 95th percentile of durations (ms, rounded to whole ms), sorting a copy of the input. */
export function summarizeDurations(durations: readonly number[]): CampaignReport['timeToDelivery'] {
  const sorted = Float64Array.from(durations).sort();
  const round = (value: number | null): number | null => (value === null ? null : Math.round(value));
  return { medianMs: round(quantile(sorted, 0.5)), p95Ms: round(quantile(sorted, 0.95)), samples: sorted.length };
}

/** A rate as a percentage with one decimal ("4.1%"), or "n/a" when there is nothing to divide by. */
export function formatPercent(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

function formatP(pValue: number): string {
  return pValue < 0.001 ? 'p < 0.001' : `p = ${pValue.toFixed(3)}`;
}

/** Delivered messages each variant needs before a difference may be called significant. */
export const MIN_DELIVERED_FOR_SIGNIFICANCE = 30;
export const SIGNIFICANCE_LEVEL = 0.05;

/**
 * The A/B verdict: the two variants with the largest audience (ties: the earlier one in `variants`)
 * are compared on reply rate (replies / delivered) when both have at least one reply, otherwise on
 * delivery rate (delivered / submitted). Significant when p < 0.05 and each has ≥ 30 delivered.
 * Undefined with fewer than two variants that have messages.
 */
export function compareVariants(variants: readonly VariantReport[]): CampaignReport['abTest'] {
  const ranked = variants.filter((v) => v.audience > 0).map((v, i) => ({ v, i })).sort((a, b) => b.v.audience - a.v.audience || a.i - b.i);
  const first = ranked[0]?.v;
  const second = ranked[1]?.v;
  if (!first || !second) return undefined;
  const metric = first.replies >= 1 && second.replies >= 1 ? 'replyRate' : 'deliveryRate';
  // Successes are clamped to the total: a reply from a message whose receipt never said "delivered"
  // still counts as a reply, but a proportion cannot exceed 100%.
  const counts = (v: VariantReport): [number, number] =>
    metric === 'replyRate' ? [Math.min(v.replies, v.delivered), v.delivered] : [Math.min(v.delivered, v.submitted), v.submitted];
  const [xA, nA] = counts(first);
  const [xB, nB] = counts(second);
  const { z, pValue } = twoProportionZTest(xA, nA, xB, nB);
  const rateA = nA > 0 ? xA / nA : null;
  const rateB = nB > 0 ? xB / nB : null;
  const firstLeads = (rateA ?? -1) >= (rateB ?? -1);
  const [leader, other] = firstLeads ? [first, second] : [second, first];
  const [leaderRate, otherRate] = firstLeads ? [rateA, rateB] : [rateB, rateA];
  const enoughData = first.delivered >= MIN_DELIVERED_FOR_SIGNIFICANCE && second.delivered >= MIN_DELIVERED_FOR_SIGNIFICANCE;
  const significant = pValue < SIGNIFICANCE_LEVEL && enoughData;
  const label = metric === 'replyRate' ? 'reply rate' : 'delivery rate';
  const rates = `(${formatPercent(leaderRate)} vs ${formatPercent(otherRate)})`;
  const head = leaderRate === otherRate ? `${leader.name} and ${other.name} are level on ${label} ${rates}` : `${leader.name} leads ${other.name} on ${label} ${rates}`;
  const tail = significant
    ? `significant at ${formatP(pValue)}.`
    : !enoughData && pValue < SIGNIFICANCE_LEVEL
      ? `${formatP(pValue)}, but too early to call: each variant needs ${MIN_DELIVERED_FOR_SIGNIFICANCE} delivered messages.`
      : `not significant (${formatP(pValue)}).`;
  return { leader: leader.name, metric, z: firstLeads ? z : -z, pValue, significant, note: `${head}, ${tail}` };
}
