import type { OutboxMessage } from '../delivery/outbox.js';
import type { Campaign } from './campaign.js';
import { compareVariants, summarizeDurations } from './report-stats.js';

export { twoProportionZTest } from './report-stats.js';

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
}

interface Tally {
  audience: number;
  submitted: number;
  delivered: number;
  undelivered: number;
  failed: number;
  unknown: number;
  pending: number;
  canceled: number;
  segments: number;
  cost: number;
}

/** Who answered, and what we know to attribute the answer to a variant; resolved in result(). */
interface Responder {
  variant?: string;
  messageId?: string;
}

const newTally = (): Tally => ({ audience: 0, submitted: 0, delivered: 0, undelivered: 0, failed: 0, unknown: 0, pending: 0, canceled: 0, segments: 0, cost: 0 });
const ACCEPTED: ReadonlySet<OutboxMessage['status']> = new Set(['submitted', 'delivered', 'undelivered', 'expired']);
const round2 = (n: number): number => Math.round(n * 100) / 100;
const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** Did the gateway take this message? Its status says so, or it carries a submission time or a provider id. */
export function wasSubmitted(row: OutboxMessage): boolean {
  return ACCEPTED.has(row.status) || row.submittedAt !== undefined || row.providerMessageId !== undefined;
}

/** The failedByCode key of a failed, rejected or expired message. */
export function failureCode(row: OutboxMessage): string {
  if (row.status === 'expired') return 'expired';
  if (row.errorCode && row.errorCode !== 'unknown') return row.errorCode;
  return row.providerCode ?? row.errorCode ?? row.status;
}

/**
 * Folds a campaign's outbox rows and inbound records into a report, page by page, in any order.
 *
 * Memory: per outbox row seen, its id → variant (to attribute replies and drop duplicate rows) and,
 * for delivered rows, one duration (a number); per distinct responder, one small entry. For 100k
 * messages that is a few MB. Rows are not kept.
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
  private readonly total = newTally();
  private readonly variants = new Map<string, Tally>();
  private readonly variantById = new Map<string, string>();
  private readonly testIds = new Set<string>();
  private readonly failedByCode = new Map<string, number>();
  private readonly durations: number[] = [];
  private readonly replies = new Map<string, Responder>();
  private readonly optOuts = new Map<string, Responder>();
  private first: { at: string; ms: number } | null = null;
  private last: { at: string; ms: number } | null = null;

  constructor(
    private readonly campaign: Campaign,
    private readonly excluded: Record<string, number>,
    private readonly options: { currency?: string } = {},
  ) {
    for (const variant of campaign.variants) this.variants.set(variant.name, newTally());
  }

  addMessages(rows: readonly OutboxMessage[]): void {
    for (const row of rows) {
      if (row.campaignId !== this.campaign.id) continue;
      if (row.test) {
        this.testIds.add(row.id);
        continue;
      }
      if (this.variantById.has(row.id) || this.testIds.has(row.id)) continue;
      this.variantById.set(row.id, row.variant);
      let variant = this.variants.get(row.variant);
      if (!variant) this.variants.set(row.variant, (variant = newTally()));
      for (const tally of [this.total, variant]) this.count(tally, row);
      if (row.status === 'failed' || row.status === 'rejected' || row.status === 'expired') {
        const code = failureCode(row);
        this.failedByCode.set(code, (this.failedByCode.get(code) ?? 0) + 1);
      }
      this.track(row);
    }
  }

  addInbound(records: readonly InboundRecord[]): void {
    for (const record of records) {
      if (record.campaignId !== undefined && record.campaignId !== this.campaign.id) continue;
      const map = record.kind === 'reply' ? this.replies : record.kind === 'opt_out' ? this.optOuts : undefined;
      if (!map) continue;
      const who = record.contactId ?? (record.from || `inbound:${record.id}`);
      const seen = map.get(who);
      if (!seen) map.set(who, { variant: record.variant, messageId: record.messageId });
      else {
        seen.variant ??= record.variant;
        seen.messageId ??= record.messageId;
      }
    }
  }

  result(): CampaignReport {
    const replies = this.attribute(this.replies);
    const optOuts = this.attribute(this.optOuts);
    const excluded = Object.fromEntries(Object.entries(this.excluded).filter(([, n]) => Number.isFinite(n) && n > 0));
    const excludedTotal = Object.values(excluded).reduce((sum, n) => sum + n, 0);
    const t = this.total;
    const variants: VariantReport[] = [...this.variants].map(([name, v]) => {
      const r = replies.byVariant.get(name) ?? 0;
      return {
        name, audience: v.audience, submitted: v.submitted, delivered: v.delivered, undelivered: v.undelivered, failed: v.failed,
        unknown: v.unknown, pending: v.pending, replies: r, optOuts: optOuts.byVariant.get(name) ?? 0, segments: v.segments,
        cost: round2(v.cost), deliveryRate: ratio(v.delivered, v.submitted), replyRate: ratio(r, v.delivered),
      };
    });
    const report: CampaignReport = {
      id: this.campaign.id, name: this.campaign.name, status: this.campaign.status, kind: this.campaign.kind,
      audience: t.audience + excludedTotal, excluded,
      submitted: t.submitted, delivered: t.delivered, undelivered: t.undelivered, failed: t.failed,
      failedByCode: Object.fromEntries([...this.failedByCode].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
      unknown: t.unknown, pending: t.pending, canceled: t.canceled, replies: replies.total, optOuts: optOuts.total,
      segments: t.segments, cost: round2(t.cost),
      ...(this.options.currency ? { currency: this.options.currency } : {}),
      deliveryRate: ratio(t.delivered, t.submitted), replyRate: ratio(replies.total, t.delivered),
      firstSentAt: this.first?.at ?? null, lastSentAt: this.last?.at ?? null,
      timeToDelivery: summarizeDurations(this.durations),
      variants,
    };
    const abTest = compareVariants(variants);
    if (abTest) report.abTest = abTest;
    return report;
  }

  private count(tally: Tally, row: OutboxMessage): void {
    tally.audience += 1;
    if (wasSubmitted(row)) {
      tally.submitted += 1;
      tally.segments += row.segments;
      tally.cost += row.cost;
    }
    switch (row.status) {
      case 'queued': case 'sending': case 'submitted': tally.pending += 1; break;
      case 'delivered': tally.delivered += 1; break;
      case 'undelivered': tally.undelivered += 1; break;
      case 'failed': case 'rejected': case 'expired': tally.failed += 1; break;
      case 'unknown': tally.unknown += 1; break;
      case 'canceled': tally.canceled += 1; break;
    }
  }

  /** First/last send time and, for delivered messages, submission → final receipt (negative skew counts as 0). */
  private track(row: OutboxMessage): void {
    const sentMs = row.submittedAt === undefined ? Number.NaN : Date.parse(row.submittedAt);
    if (!Number.isFinite(sentMs) || row.submittedAt === undefined) return;
    if (!this.first || sentMs < this.first.ms) this.first = { at: row.submittedAt, ms: sentMs };
    if (!this.last || sentMs > this.last.ms) this.last = { at: row.submittedAt, ms: sentMs };
    const finalMs = row.status === 'delivered' && row.finalAt !== undefined ? Date.parse(row.finalAt) : Number.NaN;
    if (Number.isFinite(finalMs)) this.durations.push(Math.max(0, finalMs - sentMs));
  }

  private attribute(responders: ReadonlyMap<string, Responder>): { total: number; byVariant: Map<string, number> } {
    const byVariant = new Map<string, number>();
    let total = 0;
    for (const { variant, messageId } of responders.values()) {
      if (messageId !== undefined && this.testIds.has(messageId)) continue;
      total += 1;
      const name = variant ?? (messageId === undefined ? undefined : this.variantById.get(messageId));
      if (name !== undefined && this.variants.has(name)) byVariant.set(name, (byVariant.get(name) ?? 0) + 1);
    }
    return { total, byVariant };
  }
}
