import { formatPercent, MIN_DELIVERED_FOR_SIGNIFICANCE, SIGNIFICANCE_LEVEL, twoProportionZTest } from '../campaigns/report-stats.js';

export interface RateArm {
  name: string;
  /** Who could have done it (recipients the message reached). */
  total: number;
  /** Who did (distinct recipients). */
  successes: number;
}

export interface AbVerdict {
  leader: string;
  other: string;
  metric: 'conversionRate' | 'replyRate';
  leaderRate: number | null;
  otherRate: number | null;
  z: number;
  pValue: number;
  significant: boolean;
  note: string;
}

/**
 * The A/B verdict on one rate, as the delivery report's (report-stats.ts): the two arms with the most
 * recipients are compared with the two-proportion z-test; significant at p < 0.05 when each arm
 * reached at least 30 recipients. Undefined with fewer than two arms, or while no arm has a success
 * (nobody converted or replied yet: there is nothing to compare).
 */
export function verdictOn(metric: AbVerdict['metric'], arms: readonly RateArm[]): AbVerdict | undefined {
  const ranked = arms.filter((a) => a.total > 0).map((a, i) => ({ a, i })).sort((x, y) => y.a.total - x.a.total || x.i - y.i).map((r) => r.a);
  const [first, second] = ranked;
  if (!first || !second || first.successes + second.successes === 0) return undefined;
  const clamp = (arm: RateArm): number => Math.min(arm.successes, arm.total);
  const { z, pValue } = twoProportionZTest(clamp(first), first.total, clamp(second), second.total);
  const rateOf = (arm: RateArm): number => clamp(arm) / arm.total;
  const firstLeads = rateOf(first) >= rateOf(second);
  const [leader, other] = firstLeads ? [first, second] : [second, first];
  const enough = first.total >= MIN_DELIVERED_FOR_SIGNIFICANCE && second.total >= MIN_DELIVERED_FOR_SIGNIFICANCE;
  const significant = pValue < SIGNIFICANCE_LEVEL && enough;
  const label = metric === 'conversionRate' ? 'conversion rate' : 'reply rate';
  const p = pValue < 0.001 ? 'p < 0.001' : `p = ${pValue.toFixed(3)}`;
  const rates = `(${formatPercent(rateOf(leader))} vs ${formatPercent(rateOf(other))})`;
  const head = rateOf(leader) === rateOf(other) ? `${leader.name} and ${other.name} are level on ${label} ${rates}` : `${leader.name} leads ${other.name} on ${label} ${rates}`;
  const tail = significant
    ? `significant at ${p}.`
    : !enough && pValue < SIGNIFICANCE_LEVEL
      ? `${p}, but too early to call: each variant needs ${MIN_DELIVERED_FOR_SIGNIFICANCE} recipients reached.`
      : `not significant (${p}).`;
  return { leader: leader.name, other: other.name, metric, leaderRate: rateOf(leader), otherRate: rateOf(other), z: firstLeads ? z : -z, pValue, significant, note: `${head}, ${tail}` };
}
