import { formatPercent } from '../campaigns/report-stats.js';
import { formatDuration } from '../campaigns/report-format.js';
import { wilsonInterval } from '../outcomes/interval.js';
import type { OutcomeReport, OutcomeSeries } from '../outcomes/outcome-types.js';
import { esc, jsonForScript, pageShell } from './html.js';

interface IntervalRow {
  label: string;
  rate: number;
  low: number;
  high: number;
}

const num = (n: number): string => n.toLocaleString('en-US');
const money = (n: number | null, currency: string): string => (n === null ? 'n/a' : `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`);

/** A figure whose raw value is in `data-value` (what tests compare with the JSON report) and whose text is for people. */
function tile(testId: string, label: string, value: number | null, text: string, sub = ''): string {
  return `<div class="tile"><div class="label">${esc(label)}</div><div class="value" data-testid="${esc(testId)}" data-value="${esc(value ?? '')}">${esc(text)}</div>` +
    `${sub ? `<div class="sub">${esc(sub)}</div>` : ''}</div>`;
}

function cell(testId: string, value: number | null, text: string): string {
  return `<td data-testid="${esc(testId)}" data-value="${esc(value ?? '')}">${esc(text)}</td>`;
}

/** The funnel: planned → submitted → delivered → clicked → converted (recipients at each step). */
export function funnelOf(report: OutcomeReport): Array<{ key: string; label: string; value: number }> {
  const excluded = Object.values(report.excluded).reduce((sum, n) => sum + n, 0);
  return [
    { key: 'planned', label: 'Planned', value: report.audience - excluded },
    { key: 'submitted', label: 'Submitted', value: report.submitted },
    { key: 'delivered', label: 'Delivered', value: report.delivered },
    { key: 'clicked', label: 'Clicked', value: report.clicks.unique },
    { key: 'converted', label: 'Converted', value: report.conversions.customers },
  ];
}

/** 95% Wilson intervals of each variant's conversion rate, and of the sent and held-out groups. */
function intervalsOf(report: OutcomeReport): IntervalRow[] {
  const rows: IntervalRow[] = [];
  const add = (label: string, x: number, n: number): void => {
    if (n <= 0) return;
    const [low, high] = wilsonInterval(Math.min(x, n), n);
    rows.push({ label, rate: Math.min(x, n) / n, low, high });
  };
  if (report.variants.length > 1) for (const v of report.variants) add(`Variant ${v.name}`, v.customers, v.reached);
  if (report.lift) {
    add('Sent', report.lift.sent.converted, report.lift.sent.contacts);
    add('Held out', report.lift.holdout.converted, report.lift.holdout.contacts);
  }
  return rows;
}

function variantsTable(report: OutcomeReport): string {
  const cur = report.revenue.currency;
  const rows = report.variants.map((v) => `<tr><td>${esc(v.name)}</td>${cell(`variant-${v.name}-delivered`, v.delivered, num(v.delivered))}` +
    `${cell(`variant-${v.name}-reached`, v.reached, num(v.reached))}<td>${esc(num(v.replies))}</td>${cell(`variant-${v.name}-clicks`, v.uniqueClicks, num(v.uniqueClicks))}` +
    `<td>${esc(formatPercent(v.clickRate))}</td>${cell(`variant-${v.name}-customers`, v.customers, num(v.customers))}<td>${esc(formatPercent(v.conversionRate))}</td>` +
    `${cell(`variant-${v.name}-revenue`, v.revenue, money(v.revenue, cur))}</tr>`).join('');
  const notes = [report.abTest && `Delivery/replies: ${report.abTest.note}`, report.abTests.conversion && `Conversion: ${report.abTests.conversion.note}`, report.abTests.replies && `Replies: ${report.abTests.replies.note}`]
    .filter((n): n is string => Boolean(n)).map((n) => `<p class="note">${esc(n)}</p>`).join('');
  return `<table><thead><tr><th>Variant</th><th>Delivered</th><th>Reached</th><th>Replies</th><th>Clicked</th><th>Click rate</th><th>Customers</th><th>Conversion</th><th>Revenue</th></tr></thead><tbody>${rows}</tbody></table>${notes}`;
}

function liftSection(report: OutcomeReport): string {
  const lift = report.lift;
  if (!lift) return '<p class="empty">No holdout: create the campaign with --holdout 5 to measure lift.</p>';
  const pp = (n: number | null): string => (n === null ? 'n/a' : `${n >= 0 ? '+' : ''}${(n * 100).toFixed(2)} pp`);
  return `<table><thead><tr><th>Group</th><th>Contacts</th><th>Converted</th><th>Rate</th></tr></thead><tbody>` +
    `<tr><td>Sent</td>${cell('lift-sent-contacts', lift.sent.contacts, num(lift.sent.contacts))}${cell('lift-sent-converted', lift.sent.converted, num(lift.sent.converted))}<td>${esc(formatPercent(lift.sent.rate))}</td></tr>` +
    `<tr><td>Held out</td>${cell('lift-holdout-contacts', lift.holdout.contacts, num(lift.holdout.contacts))}${cell('lift-holdout-converted', lift.holdout.converted, num(lift.holdout.converted))}<td>${esc(formatPercent(lift.holdout.rate))}</td></tr>` +
    `</tbody></table><p class="note">Lift <strong data-testid="lift-difference" data-value="${esc(lift.difference ?? '')}">${esc(pp(lift.difference))}</strong>, 95% CI ` +
    `<span data-testid="lift-ci-low" data-value="${esc(lift.ci95?.low ?? '')}">${esc(pp(lift.ci95?.low ?? null))}</span> to ` +
    `<span data-testid="lift-ci-high" data-value="${esc(lift.ci95?.high ?? '')}">${esc(pp(lift.ci95?.high ?? null))}</span> (Newcombe hybrid score). ${esc(lift.note)}</p>`;
}

function countsTable(testPrefix: string, heading: string, counts: Array<[string, number]>): string {
  if (counts.length === 0) return '<p class="empty">None.</p>';
  return `<table><thead><tr><th>${esc(heading)}</th><th>Count</th></tr></thead><tbody>${counts.map(([k, n]) => `<tr><td>${esc(k)}</td>${cell(`${testPrefix}-${k}`, n, num(n))}</tr>`).join('')}</tbody></table>`;
}

function chart(id: string): string {
  return `<div class="chart"><canvas id="${id}" role="img"></canvas></div>`;
}

/** The report page of one campaign: server-rendered figures and tables, charts drawn from the embedded JSON. */
export function renderReportPage(report: OutcomeReport, series: OutcomeSeries, options: { generatedAt: string }): string {
  const cur = report.revenue.currency;
  const funnel = funnelOf(report);
  const excluded = Object.entries(report.excluded).sort((a, b) => b[1] - a[1]);
  const survey = report.survey?.options.map((o) => ({ label: `${o.key} ${o.label}`, count: o.count }));
  const data = { funnel, series, intervals: intervalsOf(report), excluded: excluded.map(([reason, count]) => ({ reason, count })), ...(survey ? { survey } : {}) };
  const ttd = report.timeToDelivery;
  const tiles = [
    tile('audience', 'Audience', report.audience, num(report.audience)),
    tile('delivered', 'Delivered', report.delivered, num(report.delivered), `of ${num(report.submitted)} submitted · ${formatPercent(report.deliveryRate)}`),
    tile('clicks-unique', 'Clicked', report.clicks.unique, num(report.clicks.unique), `${num(report.clicks.total)} clicks · ${formatPercent(report.clicks.rate)}`),
    tile('response-rate', 'Response rate', report.response.rate, formatPercent(report.response.rate), `${num(report.response.recipients)} clicked or replied`),
    tile('conversions-count', 'Orders', report.conversions.count, num(report.conversions.count), `${num(report.conversions.customers)} customers · ${formatPercent(report.conversions.rate)}`),
    tile('revenue-total', 'Revenue', report.revenue.total, money(report.revenue.total, cur), `${money(report.revenue.perCustomer, cur)} per customer`),
    tile('revenue-per-recipient', 'Per recipient', report.revenue.perRecipient, money(report.revenue.perRecipient, cur)),
    tile('cost', 'Cost', report.cost, money(report.cost, cur)),
    tile('roi', 'ROI', report.roi.ratio, report.roi.ratio === null ? 'n/a' : `${report.roi.ratio.toFixed(2)}×`, 'revenue ÷ cost'),
    tile('repeat-rate', 'Repeat purchase', report.repeatPurchase.rate, formatPercent(report.repeatPurchase.rate), `${num(report.repeatPurchase.customers)} customers`),
  ].join('');
  const funnelTable = `<table><tbody>${funnel.map((s) => `<tr><td>${esc(s.label)}</td>${cell(`funnel-${s.key}`, s.value, num(s.value))}</tr>`).join('')}</tbody></table>`;
  const surveySection = report.survey
    ? `<section class="card"><h2>Survey (${esc(num(report.survey.voters))} voters)</h2>${chart('chart-survey')}${countsTable('survey', 'Option', report.survey.options.map((o) => [`${o.key} ${o.label}`, o.count]))}` +
      `${report.survey.other.length > 0 ? `<p class="note">Other replies: ${report.survey.other.slice(-20).map((o) => `“${esc(o.text)}”`).join(', ')}</p>` : ''}</section>`
    : '';
  const body = `<header><h1>${esc(report.name)}</h1><span>Campaign ${esc(report.id)} · ${esc(report.status)} · ${esc(report.kind)} · first send ${esc(report.firstSentAt ?? 'n/a')}</span>` +
    `<a href="/reports">All campaigns</a></header><main>` +
    `<div class="tiles">${tiles}</div>` +
    `<div class="grid"><section class="card"><h2>Funnel</h2>${chart('chart-funnel')}${funnelTable}</section>` +
    `<section class="card"><h2>Over time (per ${esc(series.bucket)})</h2>${chart('chart-timeline')}</section></div>` +
    `<div class="grid"><section class="card"><h2>Time to delivery</h2>${chart('chart-ttd')}<p class="note">Median <span data-testid="ttd-median" data-value="${esc(ttd.medianMs ?? '')}">${esc(formatDuration(ttd.medianMs))}</span>, ` +
    `p95 ${esc(formatDuration(ttd.p95Ms))} over ${esc(num(ttd.samples))} delivery receipts.</p></section>` +
    `<section class="card"><h2>A/B and holdout: conversion rate with 95% intervals</h2>${data.intervals.length > 0 ? chart('chart-intervals') : '<p class="empty">One variant and no holdout: nothing to compare.</p>'}${liftSection(report)}</section></div>` +
    `<section class="card"><h2>Variants</h2>${variantsTable(report)}</section>` +
    `<div class="grid">${surveySection}<section class="card"><h2>Excluded at planning, by reason</h2>${excluded.length > 0 ? chart('chart-excluded') : ''}${countsTable('excluded', 'Reason', excluded)}</section></div>` +
    `<p class="note">${esc(report.attribution.rule)} Window: ${esc(report.attribution.windowDays)} days. Generated ${esc(options.generatedAt)}.</p>` +
    `<script type="application/json" id="report-data">${jsonForScript(data)}</script></main>`;
  return pageShell(`${report.name} — campaign report`, body, { charts: true });
}
