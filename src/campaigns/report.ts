import type { OutboxMessage } from '../delivery/outbox.js';
import type { Campaign } from './campaign.js';
import type { InboundTally, MessageLookup, MessageTally, OutboxAggregate, Responder } from './report-aggregate.js';
import { applyRow, emptyAggregate, newTally, responderKey, summarizeHistogram, tallyResponders } from './report-aggregate.js';
import { compareVariants } from './report-stats.js';

export { twoProportionZTest } from './report-stats.js';
export { failureCode, wasSubmitted } from './report-aggregate.js';

/** An inbound SMS linked to a campaign (a reply, a STOP, a START, a HELP). */
export interface InboundRecord {
  id: string;
  at: string;
  from: string;
  contactId?: string;
  text: string;
  kind: 'reply' | 'opt_out' | 'opt_in' | 'help';
  campaignId?: string;
  messageId?: string;
  variant?: string;
  /** The gateway event's de-duplication key: a replayed inbound is recognised after a restart. */
  key?: string;
}

export interface VariantReport {
  name: string;
  audience: number;
  submitted: number;
  delivered: number;
  undelivered: number;
  failed: number;
  unknown: number;
  pending: number;
  replies: number;
  optOuts: number;
  segments: number;
  cost: number;
  deliveryRate: number | null;
  replyRate: number | null;
}

export interface CampaignReport {
  id: string;
  name: string;
  status: string;
  kind: string;
  /** Planned recipients (outbox rows, test sends aside) + excluded at planning. */
  audience: number;
  /** Reason → count, as recorded when the campaign was planned. */
  excluded: Record<string, number>;
  /** Accepted by the gateway, including those later delivered, undelivered, expired or failed by receipt. */
  submitted: number;
  delivered: number;
  undelivered: number;
  /** Long messages some of whose parts were delivered and some not (counted in undelivered/failed too). */
  partiallyDelivered: number;
  /** Messages now failed, rejected or expired. */
  failed: number;
  /** `failed` grouped by error code ("invalid_number", "expired", a vendor code, …). */
  failedByCode: Record<string, number>;
  unknown: number;
  /** Queued, sending or submitted without a final receipt yet. */
  pending: number;
  canceled: number;
  /** Distinct recipients who replied / opted out (see CampaignReportBuilder). */
  replies: number;
  optOuts: number;
  segments: number;
  cost: number;
  currency?: string;
  /** delivered / submitted; null when nothing was submitted. */
  deliveryRate: number | null;
  /** replies / delivered; null when nothing was delivered. */
  replyRate: number | null;
  firstSentAt: string | null;
  lastSentAt: string | null;
  timeToDelivery: { medianMs: number | null; p95Ms: number | null; samples: number };
  variants: VariantReport[];
  /** Two or more variants with messages: the two largest compared; `z` is leader minus the other (≥ 0). */
  abTest?: { leader: string; metric: 'deliveryRate' | 'replyRate'; z: number; pValue: number; significant: boolean; note: string };
  /** The campaign's budget, what left so far cost, and whether sending stopped on it. */
  budget?: { maxCost: number; spent: number; reached: boolean; stoppedAt?: string };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/**
 * Folds a campaign's outbox rows and inbound records into a report, page by page, in any order.
 *
 * Memory: per outbox row seen, its id → variant (to attribute replies and drop duplicate rows); the
 * figures themselves are the same running totals the store keeps (report-aggregate.ts), so a report
 * folded from rows and one read from the store agree. Rows are not kept.
 *
 * Rules: rows of other campaigns and test rows (`test: true`) are not counted; a row id seen twice is
 * counted once (the first version wins). Inbound records of another campaign or answering a test
 * message are ignored. Replies and opt-outs count distinct recipients (contactId, else phone), so a
 * reply rate stays a proportion; `opt_out` counts as an opt-out only; `opt_in` and `help` count as
 * neither. The variant of an answer is `record.variant`, else the variant of the row `messageId`
 * names, provided that row was seen by the time result() runs; unattributed answers count in the
 * campaign's totals only.
 */
export class CampaignReportBuilder {
  private readonly aggregate = emptyAggregate();
  private readonly variantById = new Map<string, string>();
  private readonly testIds = new Set<string>();
  private readonly replies = new Map<string, Responder>();
  private readonly optOuts = new Map<string, Responder>();

  constructor(
    private readonly campaign: Campaign,
    private readonly excluded: Record<string, number>,
    private readonly options: { currency?: string } = {},
  ) {}

  addMessages(rows: readonly OutboxMessage[]): void {
    for (const row of rows) {
      if (row.campaignId !== this.campaign.id) continue;
      if (row.test) {
        this.testIds.add(row.id);
        continue;
      }
      if (this.variantById.has(row.id) || this.testIds.has(row.id)) continue;
      this.variantById.set(row.id, row.variant);
      applyRow(this.aggregate, row, 1);
    }
  }

  addInbound(records: readonly InboundRecord[]): void {
    for (const record of records) {
      if (record.campaignId !== undefined && record.campaignId !== this.campaign.id) continue;
      const map = record.kind === 'reply' ? this.replies : record.kind === 'opt_out' ? this.optOuts : undefined;
      if (!map) continue;
      const who = responderKey(record);
      const seen = map.get(who);
      if (!seen) map.set(who, { variant: record.variant, messageId: record.messageId });
      else {
        seen.variant ??= record.variant;
        seen.messageId ??= record.messageId;
      }
    }
  }

  result(): CampaignReport {
    const lookup: MessageLookup = (id) => {
      if (this.testIds.has(id)) return { variant: '', test: true };
      const variant = this.variantById.get(id);
      return variant === undefined ? undefined : { variant, test: false };
    };
    const inbound: InboundTally = { replies: tallyResponders(this.replies.values(), lookup), optOuts: tallyResponders(this.optOuts.values(), lookup) };
    return campaignReportFrom(this.campaign, { excluded: this.excluded, aggregate: this.aggregate, inbound, ...this.options });
  }
}

/**
 * The report from the store's running totals (OutboxRepository.aggregate, InboundRepository.tally):
 * costs the same whatever the campaign's size. Variants: the campaign's own first, then any other
 * seen in its messages; answers attributed to a variant with no messages count in the totals only.
 */
export function campaignReportFrom(
  campaign: Campaign,
  input: { excluded: Record<string, number>; aggregate: OutboxAggregate; inbound: InboundTally; currency?: string | undefined },
): CampaignReport {
  const { aggregate, inbound } = input;
  const excluded = Object.fromEntries(Object.entries(input.excluded).filter(([, n]) => Number.isFinite(n) && n > 0));
  const excludedTotal = Object.values(excluded).reduce((sum, n) => sum + n, 0);
  const tallies = new Map<string, MessageTally>(campaign.variants.map((v) => [v.name, newTally()]));
  for (const [name, tally] of Object.entries(aggregate.variants)) if (tally.audience > 0 || tallies.has(name)) tallies.set(name, tally);
  const t = aggregate.total;
  const variants: VariantReport[] = [...tallies].map(([name, v]) => {
    const r = inbound.replies.byVariant[name] ?? 0;
    return {
      name, audience: v.audience, submitted: v.submitted, delivered: v.delivered, undelivered: v.undelivered, failed: v.failed,
      unknown: v.unknown, pending: v.pending, replies: r, optOuts: inbound.optOuts.byVariant[name] ?? 0, segments: v.segments,
      cost: round2(v.cost), deliveryRate: ratio(v.delivered, v.submitted), replyRate: ratio(r, v.delivered),
    };
  });
  const report: CampaignReport = {
    id: campaign.id, name: campaign.name, status: campaign.status, kind: campaign.kind,
    audience: t.audience + excludedTotal, excluded,
    submitted: t.submitted, delivered: t.delivered, undelivered: t.undelivered, partiallyDelivered: aggregate.partiallyDelivered, failed: t.failed,
    failedByCode: Object.fromEntries(Object.entries(aggregate.failedByCode).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
    unknown: t.unknown, pending: t.pending, canceled: t.canceled, replies: inbound.replies.total, optOuts: inbound.optOuts.total,
    segments: t.segments, cost: round2(t.cost),
    ...(input.currency ? { currency: input.currency } : {}),
    deliveryRate: ratio(t.delivered, t.submitted), replyRate: ratio(inbound.replies.total, t.delivered),
    firstSentAt: aggregate.firstSentAt, lastSentAt: aggregate.lastSentAt,
    timeToDelivery: summarizeHistogram(aggregate.timeToDelivery),
    variants,
  };
  const abTest = compareVariants(variants);
  if (abTest) report.abTest = abTest;
  return report;
}
