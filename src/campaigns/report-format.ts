import type { CampaignReport } from './report.js';
import { formatPercent } from './report-stats.js';

/**
 * A duration for people: "850 ms", "4.2 s", "3 min", "2.5 h", "1.5 d"; "n/a" for none. Each unit is
 * used while its rounded value stays below the next unit.
 */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'n/a';
  const value = Math.max(0, ms);
  if (Math.round(value) < 1000) return `${Math.round(value)} ms`;
  const seconds = Math.round(value / 100) / 10;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.round(value / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(value / 360_000) / 10;
  if (hours < 24) return `${hours.toFixed(1)} h`;
  return `${(Math.round(value / 8_640_000) / 10).toFixed(1)} d`;
}

/** "reason 3, other 1", largest first; "" when empty. */
function byCount(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
}

/** A text table; numeric columns (all but the first) are right-aligned. */
function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The report as readable lines for the CLI: headline figures, a per-variant table, the A/B verdict. */
export function formatCampaignReport(report: CampaignReport): string[] {
  const money = (n: number): string => `${n.toFixed(2)}${report.currency ? ` ${report.currency}` : ''}`;
  const excludedTotal = Object.values(report.excluded).reduce((sum, n) => sum + n, 0);
  const failedDetail = report.failed > 0 && Object.keys(report.failedByCode).length > 0 ? ` (${byCount(report.failedByCode)})` : '';
  const ttd = report.timeToDelivery;
  const lines = [
    `Campaign ${report.id} "${report.name}": ${report.status}, ${report.kind}.`,
    `Audience: ${report.audience} — planned ${report.audience - excludedTotal}, excluded ${excludedTotal}${excludedTotal > 0 ? ` (${byCount(report.excluded)})` : ''}.`,
    `Submitted: ${report.submitted} · delivered ${report.delivered} · undelivered ${report.undelivered} · failed ${report.failed}${failedDetail} · unknown ${report.unknown} · pending ${report.pending} · canceled ${report.canceled}.`,
    ...(report.partiallyDelivered > 0 ? [`Partially delivered: ${report.partiallyDelivered} long message(s) reached the phone only in part (a part failed; counted as not delivered).`] : []),
    `Replies: ${report.replies} · opt-outs: ${report.optOuts}.`,
    `Segments: ${report.segments} · cost ${money(report.cost)}.`,
    `Delivery rate: ${formatPercent(report.deliveryRate)} · reply rate: ${formatPercent(report.replyRate)}.`,
    `First send: ${report.firstSentAt ?? 'n/a'} · last send: ${report.lastSentAt ?? 'n/a'}.`,
    ttd.samples > 0
      ? `Time to delivery: median ${formatDuration(ttd.medianMs)}, p95 ${formatDuration(ttd.p95Ms)} (${ttd.samples} delivered).`
      : 'Time to delivery: n/a (no delivery receipts yet).',
  ];
  if (report.variants.length > 0) {
    const headers = ['variant', 'audience', 'submitted', 'delivered', 'undelivered', 'failed', 'unknown', 'pending', 'replies', 'opt-outs', 'segments', 'cost', 'delivery', 'reply'];
    const rows = report.variants.map((v) => [
      v.name, ...[v.audience, v.submitted, v.delivered, v.undelivered, v.failed, v.unknown, v.pending, v.replies, v.optOuts, v.segments].map(String),
      money(v.cost), formatPercent(v.deliveryRate), formatPercent(v.replyRate),
    ]);
    lines.push('', ...table(headers, rows));
  }
  if (report.abTest) lines.push('', `A/B: ${report.abTest.note}`);
  return lines;
}
