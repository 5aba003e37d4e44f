import type { DeliveryStatus, StatusEvent } from '../../../src/delivery/gateway.js';
import { mapReceiptErrorCode } from './map-error.js';

/** "Validity Period Expired": the message waited in Twilio's queue past its ValidityPeriod. https://www.twilio.com/docs/api/errors/30036 */
const VALIDITY_EXPIRED = '30036';

/**
 * Twilio's message statuses (twilio-node message.ts `MessageStatus`) as ours. Everything before a
 * final answer is `submitted`. `canceled` only happens to a scheduled message that was cancelled
 * before it went out: it was never sent and never billed, which is what our `failed` means.
 * `read` (WhatsApp/RCS) implies delivery. `receiving`/`received` describe inbound messages and
 * `partially_delivered` multi-part non-SMS channels: they are not receipts for an SMS we sent.
 */
const STATUS_MAP: Readonly<Record<string, DeliveryStatus>> = {
  accepted: 'submitted',
  scheduled: 'submitted',
  queued: 'submitted',
  sending: 'submitted',
  sent: 'submitted',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

export interface TwilioStatusInput {
  gateway: string;
  messageSid: string;
  /** Twilio's status word, as sent. */
  status: string;
  errorCode?: string | undefined;
  /** Our message id, when the callback URL carried it. */
  messageId?: string | undefined;
  at: string;
}

/** A StatusEvent for one Twilio status, or undefined when the status is not a receipt for an SMS we sent. */
export function twilioStatusEvent(input: TwilioStatusInput): StatusEvent | undefined {
  const mapped = STATUS_MAP[input.status];
  if (mapped === undefined) return undefined;
  const codes = mapped === 'delivered' || mapped === 'submitted' ? {} : mapReceiptErrorCode(input.errorCode);
  // Twilio reports an expired validity period as `failed` + 30036; our report keeps it apart as `expired`.
  const status: DeliveryStatus = mapped === 'failed' && codes.providerCode === VALIDITY_EXPIRED ? 'expired' : mapped;
  return {
    type: 'status',
    gateway: input.gateway,
    providerMessageId: input.messageSid,
    ...(input.messageId ? { messageId: input.messageId } : {}),
    status,
    ...codes,
    at: input.at,
    // Twilio's own word, not ours: `queued` and `sent` are two receipts, both `submitted`.
    key: `${input.messageSid}:${input.status}`,
  };
}
