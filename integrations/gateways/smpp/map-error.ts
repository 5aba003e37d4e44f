import type { DeliveryStatus, GatewayError, GatewayErrorCode } from '../../../src/delivery/gateway.js';

/**
 * SMPP 3.4 command_status values (§5.1.3; constants as in node-smpp lib/defs.js) mapped to the port's
 * closed set of failure codes. Pure and table-tested.
 */
const STATUS: Readonly<Record<number, { name: string; code: GatewayErrorCode }>> = {
  0x01: { name: 'ESME_RINVMSGLEN', code: 'message_rejected' },
  // Not bound (any more): the link is going down; nothing was accepted.
  0x04: { name: 'ESME_RINVBNDSTS', code: 'unavailable' },
  0x08: { name: 'ESME_RSYSERR', code: 'unavailable' },
  0x0a: { name: 'ESME_RINVSRCADR', code: 'invalid_sender' },
  0x0b: { name: 'ESME_RINVDSTADR', code: 'invalid_number' },
  0x0d: { name: 'ESME_RBINDFAIL', code: 'auth_failed' },
  0x0e: { name: 'ESME_RINVPASWD', code: 'auth_failed' },
  0x0f: { name: 'ESME_RINVSYSID', code: 'auth_failed' },
  0x14: { name: 'ESME_RMSGQFUL', code: 'throttled' },
  0x43: { name: 'ESME_RINVESMCLASS', code: 'message_rejected' },
  0x45: { name: 'ESME_RSUBMITFAIL', code: 'message_rejected' },
  0x48: { name: 'ESME_RINVSRCTON', code: 'invalid_sender' },
  0x49: { name: 'ESME_RINVSRCNPI', code: 'invalid_sender' },
  0x50: { name: 'ESME_RINVDSTTON', code: 'invalid_number' },
  0x51: { name: 'ESME_RINVDSTNPI', code: 'invalid_number' },
  0x53: { name: 'ESME_RINVSYSTYP', code: 'auth_failed' },
  0x58: { name: 'ESME_RTHROTTLED', code: 'throttled' },
  0x62: { name: 'ESME_RINVEXPIRY', code: 'message_rejected' },
  0xc0: { name: 'ESME_RINVTLVSTREAM', code: 'message_rejected' },
  0xc4: { name: 'ESME_RINVTLVVAL', code: 'message_rejected' },
  0xfe: { name: 'ESME_RDELIVERYFAILURE', code: 'message_rejected' },
  // SMPP 5.0 values some 3.4 SMSCs return too.
  0x101: { name: 'ESME_RPROHIBITED', code: 'blocked' },
  0x104: { name: 'ESME_RINVDCS', code: 'message_rejected' },
};

/** Statuses that ask to come back later: throttling, the SMSC's queue, a system error, a lost bind. */
const RETRYABLE: ReadonlySet<GatewayErrorCode> = new Set(['throttled', 'unavailable']);

/** The vendor's own code for reports: `0x0000000B ESME_RINVDSTADR`. */
export function statusLabel(status: number): string {
  const hex = `0x${status.toString(16).toUpperCase().padStart(8, '0')}`;
  const known = STATUS[status];
  if (known) return `${hex} ${known.name}`;
  return status >= 0x400 && status <= 0x4ff ? `${hex} vendor-specific` : hex;
}

export interface MapStatusOptions {
  /** retryAfterMs for a throttling answer (SMPP carries no Retry-After; the caller's backoff). */
  throttleRetryAfterMs?: number;
  /** Vendor-specific statuses configured to mean "opted out" (SMPP_OPTED_OUT_STATUSES). */
  optedOutStatuses?: readonly number[];
}

/** A failed response's command_status as the port's error. Unknown codes are `unknown`, not retried. */
export function mapCommandStatus(status: number, options: MapStatusOptions = {}): GatewayError {
  const providerCode = statusLabel(status);
  const code: GatewayErrorCode = options.optedOutStatuses?.includes(status) ? 'opted_out' : (STATUS[status]?.code ?? 'unknown');
  const error: GatewayError = { code, retryable: RETRYABLE.has(code), providerCode, message: `The SMSC refused the request: ${providerCode}` };
  if (code === 'throttled' && options.throttleRetryAfterMs !== undefined) error.retryAfterMs = options.throttleRetryAfterMs;
  return error;
}

/** The `message_state` TLV (SMPP 3.4 §5.2.28; 0 and 9 are SMPP 5.0) as a delivery status. */
const MESSAGE_STATES: Readonly<Record<number, { name: string; status: DeliveryStatus }>> = {
  0: { name: 'SCHEDULED', status: 'submitted' },
  1: { name: 'ENROUTE', status: 'submitted' },
  2: { name: 'DELIVERED', status: 'delivered' },
  3: { name: 'EXPIRED', status: 'expired' },
  4: { name: 'DELETED', status: 'failed' },
  5: { name: 'UNDELIVERABLE', status: 'undelivered' },
  // "Manually read on behalf of the subscriber by customer service": not proof the phone got it.
  6: { name: 'ACCEPTED', status: 'submitted' },
  7: { name: 'UNKNOWN', status: 'failed' },
  8: { name: 'REJECTED', status: 'rejected' },
  9: { name: 'SKIPPED', status: 'failed' },
};

/** The receipt text's `stat:` word (SMPP 3.4 Appendix B, vendor specific) as a delivery status. */
const STAT_WORDS: Readonly<Record<string, DeliveryStatus>> = {
  ENROUTE: 'submitted',
  DELIVRD: 'delivered',
  DELIVERED: 'delivered',
  EXPIRED: 'expired',
  DELETED: 'failed',
  UNDELIV: 'undelivered',
  UNDELIVERABLE: 'undelivered',
  ACCEPTD: 'submitted',
  ACCEPTED: 'submitted',
  UNKNOWN: 'failed',
  REJECTD: 'rejected',
  REJECTED: 'rejected',
};

/** message_state → status and the vendor word for reports; undefined for a value outside the spec. */
export function statusFromMessageState(state: number): { status: DeliveryStatus; providerCode: string } | undefined {
  const known = MESSAGE_STATES[state];
  return known && { status: known.status, providerCode: known.name };
}

/** `stat:` word → status, case-insensitive; undefined for a word we do not know. */
export function statusFromStatWord(word: string): { status: DeliveryStatus; providerCode: string } | undefined {
  const upper = word.toUpperCase();
  const status = STAT_WORDS[upper];
  return status && { status, providerCode: upper };
}
