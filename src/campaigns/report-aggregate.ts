import type { MessageStatus, OutboxMessage } from '../delivery/outbox.js';
import { isPartiallyDelivered } from '../delivery/outbox.js';

/**
 * Running totals of a campaign's outbox, kept by the store as rows change (one `applyRow` with the old
 * image at -1 and the new at +1), so a report reads a few hundred numbers instead of every row. Plain
 * JSON throughout: a SQL store may keep it in a table or compute the same figures with GROUP BY.
 */
export interface MessageTally {
  /** Messages (test sends excluded). */
  audience: number;
  /** Accepted by the gateway (see wasSubmitted), whatever their receipt said since. */
  submitted: number;
  delivered: number;
  undelivered: number;
  /** Failed, rejected or expired. */
  failed: number;
  unknown: number;
  /** Queued, sending or submitted. */
  pending: number;
  canceled: number;
  /** Segments and cost of the submitted messages. */
  segments: number;
  cost: number;
}

/**
 * Submission → final receipt of delivered messages, in ms: value → count. Exact values while there are
 * at most EXACT_DURATIONS distinct ones; past that (`coarse`), each value is counted at the middle of
 * its 2%-wide logarithmic bucket, so medians and p95 are within 1% of the exact figure.
 */
export interface DurationHistogram {
  coarse: boolean;
  counts: Record<string, number>;
  samples: number;
}

export interface OutboxAggregate {
  total: MessageTally;
  /** By variant name, in the order first seen. */
  variants: Record<string, MessageTally>;
  /** Message counts by status (zero counts left out). */
  byStatus: Partial<Record<MessageStatus, number>>;
  /** What left cost (see OutboxRepository.spent): submitted rows and `unknown` ones. */
  spent: number;
  /** Failed, rejected or expired messages by failureCode. */
  failedByCode: Record<string, number>;
  partiallyDelivered: number;
  /** Earliest and latest submission time seen (ISO), null before the first. */
  firstSentAt: string | null;
  lastSentAt: string | null;
  timeToDelivery: DurationHistogram;
  /**
   * Messages that reached their recipient as far as is known (submitted, and delivered or still
   * waiting for a receipt), in all and by variant: the base of click, response and conversion rates.
   */
  reached: { total: number; byVariant: Record<string, number> };
}

/** Distinct recipients who replied or opted out, in all and by the variant their answer is attributed to. */
export interface ResponderTally {
  total: number;
  byVariant: Record<string, number>;
}

/** What a campaign's inbound messages add to its report (see InboundRepository.tally). */
export interface InboundTally {
  replies: ResponderTally;
  optOuts: ResponderTally;
}

/** One answering recipient: what is known to attribute the answer to a variant. */
export interface Responder {
  variant?: string;
  messageId?: string;
  /** Set by tallyResponders once the message is found: its variant and test flag never change. */
  resolved?: { variant: string; test: boolean };
}

/** How the store tells the variant of a message (and whether it was a test send); undefined when unknown. */
export type MessageLookup = (messageId: string) => { variant: string; test: boolean } | undefined;

export const EXACT_DURATIONS = 2000;
const BUCKET_STEP = Math.log(1.02);
const ACCEPTED: ReadonlySet<MessageStatus> = new Set(['submitted', 'delivered', 'undelivered', 'expired']);

export const newTally = (): MessageTally => ({ audience: 0, submitted: 0, delivered: 0, undelivered: 0, failed: 0, unknown: 0, pending: 0, canceled: 0, segments: 0, cost: 0 });

/** A deep copy (cheaper than structuredClone: a few small flat objects). */
export function copyAggregate(a: OutboxAggregate): OutboxAggregate {
  const variants: Record<string, MessageTally> = {};
  for (const [name, tally] of Object.entries(a.variants)) variants[name] = { ...tally };
  return {
    ...a, total: { ...a.total }, variants, byStatus: { ...a.byStatus }, failedByCode: { ...a.failedByCode },
    timeToDelivery: { ...a.timeToDelivery, counts: { ...a.timeToDelivery.counts } },
    reached: { total: a.reached.total, byVariant: { ...a.reached.byVariant } },
  };
}

export function emptyAggregate(): OutboxAggregate {
  return {
    total: newTally(), variants: {}, byStatus: {}, spent: 0, failedByCode: {}, partiallyDelivered: 0,
    firstSentAt: null, lastSentAt: null, timeToDelivery: { coarse: false, counts: {}, samples: 0 },
    reached: { total: 0, byVariant: {} },
  };
}

/** Did the gateway take this message? Its status says so, or it carries a submission time or a provider id. */
export function wasSubmitted(row: OutboxMessage): boolean {
  return ACCEPTED.has(row.status) || row.submittedAt !== undefined || row.providerMessageId !== undefined;
}

/** Submitted, and delivered or still waiting for a receipt: the message reached its recipient as far as is known. */
export function hasReached(row: OutboxMessage): boolean {
  return row.submittedAt !== undefined && (row.status === 'delivered' || row.status === 'submitted');
}

/** The failedByCode key of a failed, rejected or expired message. */
export function failureCode(row: OutboxMessage): string {
  if (row.status === 'expired') return 'expired';
  if (row.errorCode && row.errorCode !== 'unknown') return row.errorCode;
  return row.providerCode ?? row.errorCode ?? row.status;
}

/**
 * Adds (`sign` 1) or takes away (-1) one row's contribution; test rows contribute nothing. First and
 * last send times only widen (a submission time never goes away).
 */
export function applyRow(aggregate: OutboxAggregate, row: OutboxMessage, sign: 1 | -1): void {
  if (row.test) return;
  const variant = (aggregate.variants[row.variant] ??= newTally());
  countInto(aggregate.total, row, sign);
  countInto(variant, row, sign);
  bump(aggregate.byStatus, row.status, sign);
  if (row.submittedAt !== undefined || row.status === 'unknown') aggregate.spent += sign * row.cost;
  if (row.status === 'failed' || row.status === 'rejected' || row.status === 'expired') bump(aggregate.failedByCode, failureCode(row), sign);
  if (isPartiallyDelivered(row)) aggregate.partiallyDelivered += sign;
  if (hasReached(row)) {
    aggregate.reached.total += sign;
    bump(aggregate.reached.byVariant, row.variant, sign);
  }
  const sentMs = row.submittedAt === undefined ? Number.NaN : Date.parse(row.submittedAt);
  if (!Number.isFinite(sentMs) || row.submittedAt === undefined) return;
  if (sign > 0) {
    if (aggregate.firstSentAt === null || sentMs < Date.parse(aggregate.firstSentAt)) aggregate.firstSentAt = row.submittedAt;
    if (aggregate.lastSentAt === null || sentMs > Date.parse(aggregate.lastSentAt)) aggregate.lastSentAt = row.submittedAt;
  }
  const finalMs = row.status === 'delivered' && row.finalAt !== undefined ? Date.parse(row.finalAt) : Number.NaN;
  if (Number.isFinite(finalMs)) addDuration(aggregate.timeToDelivery, Math.max(0, finalMs - sentMs), sign);
}

function countInto(tally: MessageTally, row: OutboxMessage, sign: number): void {
  tally.audience += sign;
  if (wasSubmitted(row)) {
    tally.submitted += sign;
    tally.segments += sign * row.segments;
    tally.cost += sign * row.cost;
  }
  switch (row.status) {
    case 'queued': case 'sending': case 'submitted': tally.pending += sign; break;
    case 'delivered': tally.delivered += sign; break;
    case 'undelivered': tally.undelivered += sign; break;
    case 'failed': case 'rejected': case 'expired': tally.failed += sign; break;
    case 'unknown': tally.unknown += sign; break;
    case 'canceled': tally.canceled += sign; break;
  }
}

function bump(counts: Record<string, number>, key: string, sign: number): void {
  const n = (counts[key] ?? 0) + sign;
  if (n === 0) delete counts[key];
  else counts[key] = n;
}

/** The middle of the 2% logarithmic bucket holding `ms` (whole ms; values under 50 ms are their own bucket). */
export function durationBucket(ms: number): number {
  if (ms < 50) return Math.round(ms);
  return Math.round(Math.exp((Math.floor(Math.log(ms) / BUCKET_STEP) + 0.5) * BUCKET_STEP));
}

export function addDuration(histogram: DurationHistogram, ms: number, sign: 1 | -1): void {
  const key = String(histogram.coarse ? durationBucket(ms) : Math.round(ms));
  const added = histogram.counts[key] === undefined;
  bump(histogram.counts, key, sign);
  histogram.samples += sign;
  // Counting the keys costs O(EXACT_DURATIONS): only when a value is new (not at every receipt).
  if (added && !histogram.coarse && Object.keys(histogram.counts).length > EXACT_DURATIONS) {
    const exact = histogram.counts;
    histogram.coarse = true;
    histogram.counts = {};
    for (const [key, n] of Object.entries(exact)) bump(histogram.counts, String(durationBucket(Number(key))), n);
  }
}

/**
 * Median and p95 (whole ms) of a histogram, interpolated like `quantile` (Hyndman–Fan type 7) over the
 * values it holds: exact while the histogram is exact.
 */
export function summarizeHistogram(histogram: DurationHistogram): { medianMs: number | null; p95Ms: number | null; samples: number } {
  const values = Object.entries(histogram.counts).map(([key, n]) => [Number(key), n] as const).filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const n = values.reduce((sum, [, count]) => sum + count, 0);
  const at = (rank: number): number => {
    let seen = 0;
    for (const [value, count] of values) {
      seen += count;
      if (rank < seen) return value;
    }
    return (values[values.length - 1] as readonly [number, number])[0];
  };
  const quantile = (q: number): number | null => {
    if (n === 0) return null;
    const position = q * (n - 1);
    const lower = Math.floor(position);
    const low = at(lower);
    return Math.round(low + (at(Math.min(n - 1, lower + 1)) - low) * (position - lower));
  };
  return { medianMs: quantile(0.5), p95Ms: quantile(0.95), samples: n };
}

/**
 * Counts distinct responders, attributing each to `variant`, else to the variant of the message it
 * answers; answers to a test message are not counted.
 */
export function tallyResponders(responders: Iterable<Responder>, lookup: MessageLookup): ResponderTally {
  const byVariant: Record<string, number> = {};
  let total = 0;
  for (const responder of responders) {
    const { variant, messageId } = responder;
    const message = messageId === undefined ? undefined : (responder.resolved ??= lookup(messageId));
    if (message?.test) continue;
    total += 1;
    const name = variant ?? message?.variant;
    if (name !== undefined) byVariant[name] = (byVariant[name] ?? 0) + 1;
  }
  return { total, byVariant };
}

/** Who an inbound record counts as, for distinct counts: the contact, else the number. */
export function responderKey(record: { id: string; contactId?: string; from: string }): string {
  return record.contactId ?? (record.from || `inbound:${record.id}`);
}
