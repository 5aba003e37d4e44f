import { formatPercent } from '../campaigns/report-stats.js';
import { newcombeInterval } from './interval.js';

export interface GroupRate {
  contacts: number;
  converted: number;
  rate: number | null;
}

/**
 * The lift of a campaign against its holdout: the conversion rate of the contacts it was sent to
 * minus that of the contacts held out, with a 95% interval (Newcombe hybrid score). Every contact
 * of either group who converted within the attribution window after the campaign started counts,
 * whichever campaign the order is credited to (intention to treat: both groups see the same other
 * campaigns, so the difference is this campaign's own effect).
 */
export interface Lift {
  sent: GroupRate;
  holdout: GroupRate;
  /** sent.rate − holdout.rate (percentage points as a fraction); null when a group is empty. */
  difference: number | null;
  /** 95% interval of the difference; null when a group is empty. */
  ci95: { low: number; high: number } | null;
  /** difference / holdout.rate; null when the holdout converted nobody. */
  relative: number | null;
  /** The interval excludes 0. */
  significant: boolean;
  method: 'newcombe-hybrid-score';
  windowDays: number;
  note: string;
}

export function computeLift(sent: { contacts: number; converted: number }, holdout: { contacts: number; converted: number }, windowDays: number): Lift {
  const rate = (g: { contacts: number; converted: number }): number | null => (g.contacts > 0 ? g.converted / g.contacts : null);
  const sentRate = rate(sent);
  const holdoutRate = rate(holdout);
  const interval = newcombeInterval(sent.converted, sent.contacts, holdout.converted, holdout.contacts);
  const significant = interval !== null && (interval.low > 0 || interval.high < 0);
  const relative = interval !== null && holdoutRate !== null && holdoutRate > 0 ? interval.difference / holdoutRate : null;
  const points = (n: number): string => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)} pp`;
  const note = interval === null
    ? 'No lift yet: the campaign or its holdout has no contacts.'
    : `Sent ${formatPercent(sentRate)} vs held out ${formatPercent(holdoutRate)} converted within ${windowDays} d: ${points(interval.difference)} ` +
      `(95% CI ${points(interval.low)} to ${points(interval.high)}), ${significant ? 'a real difference' : 'not distinguishable from no effect'}.`;
  return {
    sent: { ...sent, rate: sentRate }, holdout: { ...holdout, rate: holdoutRate },
    difference: interval?.difference ?? null, ci95: interval ? { low: interval.low, high: interval.high } : null,
    relative, significant, method: 'newcombe-hybrid-score', windowDays, note,
  };
}
