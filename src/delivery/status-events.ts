import type { StatusEvent } from './gateway.js';
import { FINAL_STATUSES, canMove } from './outbox.js';
import type { MessageStatus, OutboxMessage, PartReceipt } from './outbox.js';

/**
 * What a delivery receipt did to its outbox row:
 * - 'applied': the row moved forward; `row` is the new row (the input is never mutated);
 * - 'stale': the receipt would move the row backwards or sideways (a late `submitted` after
 *   `delivered`, a second final status), or repeats the row's status (a duplicate): nothing to do;
 * - 'unmatched': no row was found for it (the caller keeps or logs it; receipts may beat the row).
 */
export type StatusApply = { outcome: 'applied'; row: OutboxMessage } | { outcome: 'stale' } | { outcome: 'unmatched' };

/**
 * Applies one receipt to the row it was matched to (by the caller: provider id or our echoed id).
 *
 * - Forward only, by `canMove`: a final status is never replaced, `submitted` never follows a final one.
 * - An `unknown` row (the process died between the gateway call and recording its answer) is resolved
 *   by any receipt: that is how reconciliation heals unknown rows.
 * - `submitted` sets `submittedAt` if unset. A final status sets `finalAt` and replaces `errorCode` and
 *   `providerCode` with the receipt's (a `delivered` receipt clears the codes of an earlier retried
 *   attempt); a failure receipt without a code gets `errorCode: 'unknown'`, so failed rows always
 *   carry one. A final receipt does not invent a `submittedAt`.
 * - Times: `submittedAt`/`finalAt` are the receipt's `at` (when the gateway says it happened; `now`
 *   when `at` is not a valid time); `updatedAt` is `now`.
 * - `providerMessageId` is taken from the receipt when the row has none (an unknown row learns it).
 *   Leases, attempts and retry times are the sender's business and are left as they are.
 */
export function applyStatusEvent(row: OutboxMessage | undefined, event: StatusEvent, now: string): StatusApply {
  if (!row) return { outcome: 'unmatched' };
  if (event.part && FINAL_STATUSES.has(event.status)) return applyPartReceipt(row, event as StatusEvent & { part: { id: string; total?: number } }, now);
  const next: MessageStatus = event.status;
  if (row.status === next || !canMove(row.status, next)) return { outcome: 'stale' };

  const at = Number.isNaN(Date.parse(event.at)) ? now : event.at;
  const updated: OutboxMessage = { ...row, status: next, updatedAt: now };
  if (updated.providerMessageId === undefined && event.providerMessageId) updated.providerMessageId = event.providerMessageId;

  if (next === 'submitted') {
    updated.submittedAt ??= at;
  } else if (FINAL_STATUSES.has(next)) {
    updated.finalAt = at;
    const errorCode = event.errorCode ?? (next === 'delivered' ? undefined : 'unknown');
    if (errorCode === undefined) delete updated.errorCode;
    else updated.errorCode = errorCode;
    if (event.providerCode === undefined) delete updated.providerCode;
    else updated.providerCode = event.providerCode;
  }
  return { outcome: 'applied', row: updated };
}

/**
 * A final receipt for one part of a multi-part message. The part's outcome is kept on the row
 * (`parts`); the row is delivered once every part (`part.total`, else the row's segments) is, and
 * undelivered (expired, failed...) with the failing part's codes as soon as one part is not, whatever
 * order the receipts come in. A part's receipt arriving after the row is final still updates `parts`,
 * so a report can count messages delivered only in part. A repeated part receipt is stale.
 */
function applyPartReceipt(row: OutboxMessage, event: StatusEvent & { part: { id: string; total?: number } }, now: string): StatusApply {
  const known = row.parts?.[event.part.id];
  if (known && FINAL_STATUSES.has(known.status)) return { outcome: 'stale' };
  const receipt: PartReceipt = { status: event.status, ...(event.errorCode ? { errorCode: event.errorCode } : event.status === 'delivered' ? {} : { errorCode: 'unknown' as const }), ...(event.providerCode ? { providerCode: event.providerCode } : {}) };
  const parts = { ...row.parts, [event.part.id]: receipt };
  const withParts: OutboxMessage = { ...row, parts, updatedAt: now };
  const outcomes = Object.values(parts);
  const failed = outcomes.find((p) => p.status !== 'delivered');
  const total = Math.max(1, event.part.total ?? row.segments);
  const verdict: PartReceipt | undefined = failed ?? (outcomes.length >= total ? { status: 'delivered' } : undefined);
  const whole: StatusEvent = { ...event, status: verdict?.status ?? 'submitted' };
  delete whole.part;
  if (!verdict || row.status === verdict.status || !canMove(row.status, verdict.status)) {
    // Parts still missing: a row whose send outcome was lost learns that the message went out.
    if (!verdict && row.status !== 'submitted' && canMove(row.status, 'submitted')) return applyStatusEvent(withParts, whole, now);
    // Otherwise (undecided, or the row is already final) only the part's outcome is kept.
    if (withParts.providerMessageId === undefined && event.providerMessageId) withParts.providerMessageId = event.providerMessageId;
    return { outcome: 'applied', row: withParts };
  }
  if (verdict.errorCode) whole.errorCode = verdict.errorCode;
  else delete whole.errorCode;
  if (verdict.providerCode) whole.providerCode = verdict.providerCode;
  else delete whole.providerCode;
  return applyStatusEvent(withParts, whole, now);
}

/**
 * Drops events whose `key` was seen before, in this batch or earlier (`seen` is updated), keeping the
 * first of each key in order. `seen` is the caller's to bound (e.g. a per-window set).
 */
export function dedupeEvents<T extends { key: string }>(events: readonly T[], seen: Set<string>): T[] {
  const fresh: T[] = [];
  for (const event of events) {
    if (seen.has(event.key)) continue;
    seen.add(event.key);
    fresh.push(event);
  }
  return fresh;
}
