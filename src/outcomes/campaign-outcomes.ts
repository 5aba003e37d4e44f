import type { Campaign } from '../campaigns/campaign.js';
import type { CampaignReport } from '../campaigns/report.js';
import type { Store } from '../store/port.js';
import { keysetPages } from '../store/keyset-pages.js';
import type { RateArm } from './ab-verdict.js';
import { verdictOn } from './ab-verdict.js';
import type { ConversionRecord } from './conversion.js';
import { computeLift } from './lift.js';
import { surveyTally } from '../campaigns/survey.js';
import type { CampaignOutcomes, OutcomeSeries, VariantOutcomes } from './outcome-types.js';
import type { EventTimes } from './timeline.js';
import { buildSeries, emptyEventTimes, isoMs } from './timeline.js';

export interface OutcomeDeps {
  store: Store;
  /** ATTRIBUTION_WINDOW_DAYS. */
  windowDays: number;
  /** SMS_CURRENCY: revenue is summed in it, and ROI set against the cost in it. */
  currency: string;
}

export interface GatheredOutcomes {
  outcomes: CampaignOutcomes;
  byVariant: Map<string, VariantOutcomes>;
  series: OutcomeSeries;
}

export const ATTRIBUTION_RULE =
  'Each order goes to at most one campaign: the one whose link the contact clicked last within the window before the order, else whose marketing message last reached them ' +
  '(delivered, or submitted without a receipt yet), else whose holdout they were in.';

const DAY_MS = 86_400_000;
const round2 = (n: number): number => Math.round(n * 100) / 100;
const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);


/**
 * Reads what a campaign brought: its running totals, its clicks, replies, credited
 * conversions and holdout, and folds them into the outcome keys, per-variant figures and chart series.
 */
export async function gatherOutcomes(campaign: Campaign, report: CampaignReport, deps: OutcomeDeps, options: { series?: boolean } = {}): Promise<GatheredOutcomes> {
  const events = emptyEventTimes();
  const clicks = await deps.store.clicks.listByCampaign(campaign.id);
  const inbound = await deps.store.inbound.listByCampaign(campaign.id);
  const credited = await deps.store.conversions.listByCampaign(campaign.id);
  // Who was reached comes from the store's running totals: a report never reads every row while the
  // campaign sends (only the page's charts do, below). Variants of answers are looked up by message id.
  const aggregate = await deps.store.outbox.aggregate(campaign.id);
  const reached = aggregate.reached.total;
  const reachedBy = new Map(Object.entries(aggregate.reached.byVariant));
  const wanted = new Set<string>();
  for (const item of [...clicks, ...inbound]) if (item.messageId !== undefined) wanted.add(item.messageId);
  for (const c of credited) if (c.attribution?.messageId !== undefined && c.attribution.variant === undefined) wanted.add(c.attribution.messageId);
  const messages = await deps.store.outbox.getMany([...wanted]);
  const variantOf = (_contactId: string | undefined, messageId: string | undefined): string | undefined => {
    const row = messageId !== undefined ? messages.get(messageId) : undefined;
    return row && !row.test && row.campaignId === campaign.id ? row.variant : undefined;
  };
  if (options.series !== false) await scanTimes(campaign.id, deps.store, events);

  // Clicks: people only; unique by recipient.
  const clickers = new Map<string, string | undefined>();
  const clicksBy = new Map<string, number>();
  let humanClicks = 0;
  for (const click of clicks) {
    if (!click.human) continue;
    humanClicks += 1;
    events.clicks.push(Date.parse(click.at));
    const variant = variantOf(click.contactId, click.messageId);
    if (variant !== undefined) clicksBy.set(variant, (clicksBy.get(variant) ?? 0) + 1);
    clickers.set(click.contactId ?? `message:${click.messageId}`, variant);
  }
  const uniqueClicksBy = countBy(clickers.values());

  // Replies: distinct recipients, for the response rate and the reply verdict.
  const replies = inbound.filter((r) => r.kind === 'reply');
  const responders = new Map<string, string | undefined>(clickers);
  const repliers = new Map<string, string | undefined>();
  for (const reply of replies) {
    const who = reply.contactId ?? `phone:${reply.from}`;
    const variant = reply.variant ?? variantOf(reply.contactId, reply.messageId);
    repliers.set(who, variant);
    responders.set(who, variant);
  }

  const sold = credited.filter((c) => c.attribution?.via !== 'holdout');
  for (const c of sold) events.conversions.push(Date.parse(c.at));
  const money = revenueOf(sold, deps.currency);
  const ordersByCustomer = countBy(sold.map((c) => c.contactId));
  const customers = ordersByCustomer.size;
  const repeat = [...ordersByCustomer.values()].filter((n) => n >= 2).length;
  const soldBy = new Map<string, { orders: number; customers: Set<string>; revenue: number }>();
  for (const c of sold) {
    const variant = c.attribution?.variant ?? variantOf(c.contactId, c.attribution?.messageId);
    if (variant === undefined) continue;
    const entry = soldBy.get(variant) ?? { orders: 0, customers: new Set<string>(), revenue: 0 };
    entry.orders += 1;
    entry.customers.add(c.contactId);
    if (c.currency === deps.currency) entry.revenue += c.amount;
    soldBy.set(variant, entry);
  }

  const byVariant = new Map<string, VariantOutcomes>();
  for (const v of report.variants) {
    const n = reachedBy.get(v.name) ?? 0;
    const s = soldBy.get(v.name);
    const unique = uniqueClicksBy.get(v.name) ?? 0;
    byVariant.set(v.name, {
      reached: n, clicks: clicksBy.get(v.name) ?? 0, uniqueClicks: unique, clickRate: ratio(unique, n),
      conversions: s?.orders ?? 0, customers: s?.customers.size ?? 0, conversionRate: ratio(s?.customers.size ?? 0, n), revenue: round2(s?.revenue ?? 0),
    });
  }
  const arms = (successes: ReadonlyMap<string, number>): RateArm[] => report.variants.map((v) => ({ name: v.name, total: reachedBy.get(v.name) ?? 0, successes: successes.get(v.name) ?? 0 }));
  const abConversion = verdictOn('conversionRate', arms(new Map([...soldBy].map(([name, s]) => [name, s.customers.size]))));
  const abReplies = verdictOn('replyRate', arms(countBy(repliers.values())));

  const outcomes: CampaignOutcomes = {
    reached,
    clicks: { total: humanClicks, unique: clickers.size, rate: ratio(clickers.size, reached), fetchers: clicks.length - humanClicks },
    response: { recipients: responders.size, rate: ratio(responders.size, reached) },
    conversions: { count: sold.length, customers, rate: ratio(customers, reached), holdout: credited.length - sold.length },
    revenue: {
      total: round2(money.total), currency: deps.currency, perRecipient: reached > 0 ? round2(money.total / reached) : null,
      perCustomer: customers > 0 ? round2(money.total / customers) : null, otherCurrencies: money.other,
    },
    roi: { cost: report.cost, revenue: round2(money.total), ratio: report.cost > 0 ? round2(money.total / report.cost) : null },
    repeatPurchase: { customers: repeat, rate: ratio(repeat, customers) },
    abTests: { ...(abConversion ? { conversion: abConversion } : {}), ...(abReplies ? { replies: abReplies } : {}) },
    attribution: { windowDays: deps.windowDays, rule: ATTRIBUTION_RULE },
  };
  const lift = await liftOf(campaign.id, aggregate.total.submitted, deps);
  if (lift) outcomes.lift = lift;
  if (campaign.survey) outcomes.survey = surveyTally(campaign, inbound);
  return { outcomes, byVariant, series: buildSeries(events) };
}

/** One pass over the campaign's outbox rows (test sends aside), in pages, for the charts' time series. */
async function scanTimes(campaignId: string, store: Store, events: EventTimes): Promise<void> {
  for await (const page of keysetPages((options) => store.outbox.listByCampaign(campaignId, options), 5000)) {
    for (const row of page) {
      if (row.test || row.submittedAt === undefined) continue;
      const submittedMs = isoMs(row.submittedAt);
      events.submitted.push(submittedMs);
      if (row.status === 'delivered' && row.finalAt !== undefined) {
        const finalMs = isoMs(row.finalAt);
        events.delivered.push(finalMs);
        events.deliveryMs.push(Math.max(0, finalMs - submittedMs));
      }
    }
  }
}

/** Lift against the holdout: contacts sent to vs held out, converted within the window after the holdout was drawn. */
async function liftOf(campaignId: string, sent: number, deps: OutcomeDeps): Promise<CampaignOutcomes['lift']> {
  const holdout = await deps.store.holdouts.get(campaignId);
  if (!holdout) return undefined;
  const start = Date.parse(holdout.at);
  const end = new Date(start + deps.windowDays * DAY_MS).toISOString();
  const converted = new Set((await deps.store.conversions.between(holdout.at, end)).map((c) => c.contactId));
  const held = new Set(holdout.contactIds);
  // Those sent to who converted: the converted contacts this campaign's messages went to (held-out
  // contacts have no message of it).
  const candidates = [...converted].filter((contactId) => !held.has(contactId));
  const sentTo = await deps.store.outbox.marketingSentTo(candidates, new Date(start));
  let sentConverted = 0;
  for (const rows of sentTo.values()) if (rows.some((row) => row.campaignId === campaignId && !row.test && row.submittedAt !== undefined)) sentConverted += 1;
  let heldConverted = 0;
  for (const contactId of held) if (converted.has(contactId)) heldConverted += 1;
  return computeLift({ contacts: sent, converted: sentConverted }, { contacts: held.size, converted: heldConverted }, deps.windowDays);
}

function revenueOf(records: readonly ConversionRecord[], currency: string): { total: number; other: Record<string, number> } {
  let total = 0;
  const other: Record<string, number> = {};
  for (const c of records) {
    if (c.currency === currency) total += c.amount;
    else other[c.currency] = round2((other[c.currency] ?? 0) + c.amount);
  }
  return { total, other };
}

function countBy<T>(items: Iterable<T | undefined>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) if (item !== undefined) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}
