import type { DeliveryStatus, GatewayError, GatewayErrorCode } from '../../../src/delivery/gateway.js';
import { maskPhonesInText } from '../../../src/common/mask.js';

/**
 * SMS.ru status codes (https://sms.ru/api/status and /api/send; texts as in Bitrix24's smsru.php and
 * the third-party TS port cited in CONTRACTS.md §3.1). One table for both the request-level code and
 * the per-number code of an answer: SMS.ru uses the same numbering for both.
 */
interface CodeRule {
  code: GatewayErrorCode;
  retryable: boolean;
  text: string;
}

const rule = (code: GatewayErrorCode, text: string, retryable = false): CodeRule => ({ code, retryable, text });

// 206/230/231/232 are SMS.ru's daily and duplicate limits. They are "throttled" but NOT retryable:
// the limit resets at the next (Moscow) day, and an automatic retry then would land at midnight, in
// everyone's quiet hours; 231/232 mean this exact text already reached this number, so a retry would
// be a duplicate. No retryAfterMs either: the dispatcher pauses the whole gateway on a throttled
// answer with a Retry-After, and a per-number limit must not stop the other recipients.
const SEND_CODES: ReadonlyMap<number, CodeRule> = new Map([
  [-1, rule('unknown', 'Message not found')],
  [200, rule('auth_failed', 'Wrong api_id')],
  [201, rule('insufficient_funds', 'Not enough money on the SMS.ru account')],
  [202, rule('invalid_number', 'Wrong recipient number, or no route to it')],
  [203, rule('message_rejected', 'The message has no text')],
  [204, rule('invalid_sender', 'The sender name is not approved by SMS.ru')],
  [205, rule('message_rejected', 'The message is too long (more than 8 SMS)')],
  [206, rule('throttled', 'The account daily limit is reached: raise it in the SMS.ru settings and send again')],
  [207, rule('invalid_number', 'Messages cannot be sent to this number')],
  [208, rule('message_rejected', 'Wrong send time')],
  [209, rule('opted_out', 'The number is in the account stop-list')],
  [212, rule('message_rejected', 'The text is not UTF-8')],
  [214, rule('blocked', 'The number is abroad and the account sends to Russian numbers only')],
  [215, rule('opted_out', 'The number is in the SMS.ru stop-list (the recipient complained of spam)')],
  [216, rule('message_rejected', 'The text contains a forbidden word')],
  [220, rule('unavailable', 'SMS.ru is temporarily unavailable', true)],
  [230, rule('throttled', 'The daily limit of messages to this number is reached')],
  [231, rule('throttled', 'The same text already went to this number in the last minute')],
  [232, rule('throttled', 'The same text already went to this number today')],
  [300, rule('auth_failed', 'Wrong token (expired, or the IP changed)')],
  [301, rule('auth_failed', 'Wrong api_id, or login and password')],
  [302, rule('auth_failed', 'The SMS.ru account is not confirmed')],
  [500, rule('unavailable', 'SMS.ru server error', true)],
]);

/** The port's error for an SMS.ru status code; `statusText` is SMS.ru's own wording, when it gave one. */
export function mapSmsRuError(statusCode: number, statusText?: string): GatewayError {
  const known = SEND_CODES.get(statusCode);
  const text = statusText?.trim() ? maskPhonesInText(statusText.trim()) : (known?.text ?? 'Unexpected SMS.ru status');
  return {
    code: known?.code ?? 'unknown',
    retryable: known?.retryable ?? false,
    providerCode: String(statusCode),
    message: `SMS.ru ${statusCode}: ${text}`,
  };
}

export interface ReceiptStatus {
  status: DeliveryStatus;
  errorCode?: GatewayErrorCode;
}

/** Delivery codes, as the status callback and sms/status report them. */
const RECEIPT_CODES: ReadonlyMap<number, ReceiptStatus> = new Map<number, ReceiptStatus>([
  [100, { status: 'submitted' }], // in SMS.ru's queue
  [101, { status: 'submitted' }], // being passed to the operator
  [102, { status: 'submitted' }], // sent, in transit
  [103, { status: 'delivered' }],
  [104, { status: 'expired' }], // its lifetime ran out
  [105, { status: 'rejected', errorCode: 'blocked' }], // deleted by the operator
  [106, { status: 'undelivered' }], // failure in the handset
  [107, { status: 'undelivered', errorCode: 'unknown' }], // unknown reason
  [108, { status: 'rejected', errorCode: 'blocked' }], // rejected
  [110, { status: 'delivered' }], // read (Viber): delivered and then some
  [150, { status: 'failed', errorCode: 'invalid_number' }], // no route to this number
]);

/** The delivery status for a receipt code; undefined for codes that are not delivery states (-1, 2xx…). */
export function mapSmsRuReceipt(statusCode: number): ReceiptStatus | undefined {
  const known = RECEIPT_CODES.get(statusCode);
  return known && { ...known };
}

/** An HTTP answer that is not 2xx: SMS.ru normally answers 200 with a status code, so these come from proxies. */
export function mapHttpStatus(httpStatus: number, retryAfterMs: number | undefined): GatewayError {
  const error = (code: GatewayErrorCode, retryable: boolean, message: string): GatewayError => ({
    code,
    retryable,
    providerCode: `HTTP ${httpStatus}`,
    message,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
  if (httpStatus === 429) return { ...error('throttled', true, 'SMS.ru rate limit (HTTP 429)'), retryAfterMs: retryAfterMs ?? DEFAULT_THROTTLE_MS };
  if (httpStatus >= 500) return error('unavailable', true, `SMS.ru is failing (HTTP ${httpStatus})`);
  if (httpStatus === 401 || httpStatus === 403) return error('auth_failed', false, `SMS.ru refused the request (HTTP ${httpStatus})`);
  return error('unknown', false, `Unexpected HTTP ${httpStatus} from SMS.ru`);
}

/** What a 429 without Retry-After waits. */
export const DEFAULT_THROTTLE_MS = 1000;

/** Retry-After as delta-seconds or an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
