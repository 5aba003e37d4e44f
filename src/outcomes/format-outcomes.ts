import { formatPercent } from '../campaigns/report-stats.js';
import type { OutcomeReport } from './outcome-types.js';

const money = (n: number | null, currency: string): string => (n === null ? 'n/a' : `${n.toFixed(2)} ${currency}`);

/** The outcome keys as readable lines for the CLI, after the delivery report's lines. */
export function formatOutcomes(report: OutcomeReport): string[] {
  const cur = report.revenue.currency;
  const other = Object.entries(report.revenue.otherCurrencies).map(([code, n]) => `${n.toFixed(2)} ${code}`);
  const lines = [
    '',
    `Outcomes (orders credited within ${report.attribution.windowDays} d; rates over ${report.reached} recipients reached):`,
    `Clicks: ${report.clicks.total} by ${report.clicks.unique} recipients (${formatPercent(report.clicks.rate)})${report.clicks.fetchers > 0 ? ` · ${report.clicks.fetchers} link-preview fetches not counted` : ''}.`,
    `Response (clicked or replied): ${report.response.recipients} recipients (${formatPercent(report.response.rate)}).`,
    `Conversions: ${report.conversions.count} orders by ${report.conversions.customers} customers (${formatPercent(report.conversions.rate)})${report.conversions.holdout > 0 ? ` · ${report.conversions.holdout} by the holdout` : ''}.`,
    `Revenue: ${money(report.revenue.total, cur)}${other.length > 0 ? ` (+ ${other.join(', ')} apart)` : ''} · per recipient ${money(report.revenue.perRecipient, cur)} · per customer ${money(report.revenue.perCustomer, cur)}.`,
    `Cost ${money(report.roi.cost, cur)} · ROI (revenue ÷ cost): ${report.roi.ratio === null ? 'n/a' : `${report.roi.ratio.toFixed(2)}×`} · repeat purchase: ${report.repeatPurchase.customers} customers (${formatPercent(report.repeatPurchase.rate)}).`,
  ];
  if (report.variants.length > 1) {
    for (const v of report.variants) {
      lines.push(`  ${v.name}: reached ${v.reached}, clicked ${v.uniqueClicks} (${formatPercent(v.clickRate)}), converted ${v.customers} (${formatPercent(v.conversionRate)}), revenue ${money(v.revenue, cur)}.`);
    }
  }
  if (report.abTests.conversion) lines.push(`A/B on conversion: ${report.abTests.conversion.note}`);
  if (report.abTests.replies) lines.push(`A/B on replies: ${report.abTests.replies.note}`);
  if (report.lift) lines.push(`Lift against the holdout (${report.lift.holdout.contacts} held out): ${report.lift.note}`);
  if (report.survey) {
    const tallies = report.survey.options.map((o) => `${o.key} ${o.label}: ${o.count}`).join(' · ');
    lines.push(`Survey (${report.survey.voters} voters): ${tallies}${report.survey.other.length > 0 ? ` · ${report.survey.other.length} other replies` : ''}.`);
  }
  return lines;
}
