import type { Encoding } from '../messages/encoding.js';
import type { DeliveryStatus, GatewayErrorCode } from './gateway.js';

/**
 * The message lifecycle (DESIGN.md): planned → queued → sending → submitted → delivered | undelivered
 * | failed | expired, plus excluded (decided at plan time), rejected (refused for good), canceled and
 * unknown (the process died between the gateway call and recording its answer). Status only moves
 * forward: a late or duplicated receipt never moves a final status back.
 */
export type MessageStatus =
  | 'queued'
  | 'sending'
  | 'submitted'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'expired'
  | 'rejected'
  | 'canceled'
  | 'unknown';

export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set(['delivered', 'undelivered', 'failed', 'expired', 'rejected', 'canceled']);

/** Rank for forward-only moves; final statuses share the top rank and never replace one another. */
const RANK: Record<MessageStatus, number> = {
  queued: 0,
  sending: 1,
  unknown: 2,
  submitted: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  expired: 4,
  rejected: 4,
  canceled: 4,
};

/** May a message in `current` move to `next`? Forward only; a final status is final. */
export function canMove(current: MessageStatus, next: MessageStatus): boolean {
  if (FINAL_STATUSES.has(current)) return false;
  if (current === 'sending') return true;
  return RANK[next] > RANK[current];
}

/** What one part's final receipt said. */
export interface PartReceipt {
  status: DeliveryStatus;
  errorCode?: GatewayErrorCode;
  providerCode?: string;
}

/** Some parts delivered and some not: the recipient got a fragment of the text. */
export function isPartiallyDelivered(row: Pick<OutboxMessage, 'parts'>): boolean {
  const parts = Object.values(row.parts ?? {});
  return parts.some((p) => p.status === 'delivered') && parts.some((p) => p.status !== 'delivered');
}

/** One row of the outbox: one message to one recipient in one campaign. */
export interface OutboxMessage {
  id: string;
  campaignId: string;
  contactId: string;
  phone: string;
  kind: 'marketing' | 'transactional';
  variant: string;
  text: string;
  encoding: Encoding;
  segments: number;
  cost: number;
  sender: string;
  gateway: string;
  /** Not before this time (quiet hours); ISO. */
  sendAfter: string;
  status: MessageStatus;
  attempts: number;
  /** The attempt in progress: written before the gateway is called, so a crash leaves a trace. */
  attemptId?: string;
  leaseUntil?: string;
  /** Retry not before (backoff); ISO. */
  retryAt?: string;
  providerMessageId?: string;
  errorCode?: GatewayErrorCode;
  providerCode?: string;
  /**
   * Final receipts of the parts of a multi-part message, by each part's provider id: the message is
   * delivered once every part is, undelivered as soon as one part is not (with that part's codes).
   */
  parts?: Record<string, PartReceipt>;
  /** When reconciliation queued it again: the gateway confirmed it never received the earlier attempt. */
  requeuedAt?: string;
  /** True for messages of a test send (not counted in the campaign's report). */
  test?: boolean;
  createdAt: string;
  submittedAt?: string;
  finalAt?: string;
  updatedAt: string;
}
