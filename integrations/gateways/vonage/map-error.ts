import { maskPhonesInText } from '../../../src/common/mask.js';
import type { DeliveryStatus, GatewayError, GatewayErrorCode } from '../../../src/delivery/gateway.js';

/** Used when Vonage throttles without saying how long to wait: its limits are per second. */
export const DEFAULT_THROTTLE_WAIT_MS = 1000;

interface Entry {
  code: GatewayErrorCode;
  label: string;
  retryable?: boolean;
}

/**
 * The SMS API's per-message `status` (HTTP 200 even on failure).
 * https://developer.vonage.com/en/api-errors/sms and Nexmo/api-specification definitions/sms.yml (x-errors).
 */
const SEND_STATUS: Readonly<Record<string, Entry>> = {
  '1': { code: 'throttled', label: 'Throttled', retryable: true },
  '2': { code: 'message_rejected', label: 'Missing parameters' },
  '3': { code: 'message_rejected', label: 'Invalid parameters' },
  '4': { code: 'auth_failed', label: 'Invalid credentials' },
  '5': { code: 'unavailable', label: 'Internal error', retryable: true },
  '6': { code: 'message_rejected', label: 'Invalid message' },
  '7': { code: 'blocked', label: 'Number barred' },
  '8': { code: 'auth_failed', label: 'Partner account barred' },
  // "Partner quota violation" means the account has no credit: topping up fixes it, waiting does not.
  '9': { code: 'insufficient_funds', label: 'Partner quota violation (no credit)' },
  // An SMPP bind limit; the documented resolution is "back off and retry".
  '10': { code: 'throttled', label: 'Too many existing binds', retryable: true },
  '11': { code: 'auth_failed', label: 'Account not enabled for HTTP' },
  '12': { code: 'message_rejected', label: 'Message too long' },
  '14': { code: 'auth_failed', label: 'Invalid signature' },
  '15': { code: 'invalid_sender', label: 'Invalid sender address' },
  '22': { code: 'message_rejected', label: 'Invalid network code' },
  // Every message carries the same callback: this one means PUBLIC_URL is unusable.
  '23': { code: 'message_rejected', label: 'Invalid callback URL (check PUBLIC_URL)' },
  // A demo account may only send to its whitelisted test numbers.
  '29': { code: 'blocked', label: 'Non-whitelisted destination (demo account)' },
  '32': { code: 'auth_failed', label: 'Signature and API secret disallowed' },
  '33': { code: 'invalid_number', label: 'Number de-activated' },
};

// "Throughput Rate Exceeded - please wait [ 978 ] and retry": the wait is in milliseconds
// (nyaruka/courier's Nexmo handler sleeps for exactly that many ms before retrying).
const THROTTLE_WAIT = /please wait \[\s*(\d+)\s*\]/i;

/** The wait a status-1 `error-text` names, in ms. */
export function throttleWaitMs(errorText: string | undefined): number | undefined {
  const match = errorText === undefined ? null : THROTTLE_WAIT.exec(errorText);
  return match ? Number(match[1]) : undefined;
}

/**
 * The port's error for a non-zero SMS API `status`. `retryAfterMs` is what the HTTP layer saw
 * (Retry-After), used for throttling when the error text names no wait.
 */
export function mapSendStatus(status: string, errorText?: string, retryAfterMs?: number): GatewayError {
  const entry = SEND_STATUS[status] ?? { code: 'unknown', label: 'Unknown status' };
  const detail = errorText ? `: ${maskPhonesInText(errorText).slice(0, 200)}` : '';
  const error: GatewayError = {
    code: entry.code,
    retryable: entry.retryable ?? false,
    providerCode: `status ${status}`,
    message: `Vonage refused the message with status ${status} (${entry.label})${detail}`,
  };
  if (entry.code === 'throttled') error.retryAfterMs = throttleWaitMs(errorText) ?? retryAfterMs ?? DEFAULT_THROTTLE_WAIT_MS;
  return error;
}

/** The port's error for an HTTP answer other than 200 (the SMS API answers 200 for its own refusals). */
export function mapHttpStatus(httpStatus: number, retryAfterMs?: number): GatewayError {
  const providerCode = `HTTP ${httpStatus}`;
  const withWait = (error: GatewayError): GatewayError => (retryAfterMs === undefined ? error : { ...error, retryAfterMs });
  if (httpStatus === 429) {
    return withWait({ code: 'throttled', retryable: true, providerCode, message: 'Vonage answered 429 Too Many Requests' });
  }
  if (httpStatus >= 500) {
    return withWait({ code: 'unavailable', retryable: true, providerCode, message: `Vonage answered HTTP ${httpStatus}` });
  }
  if (httpStatus === 401 || httpStatus === 403) {
    return { code: 'auth_failed', retryable: false, providerCode, message: `Vonage refused the API key and secret (HTTP ${httpStatus})` };
  }
  return { code: 'unknown', retryable: false, providerCode, message: `Vonage answered HTTP ${httpStatus}` };
}

/**
 * DLR `err-code` (non-zero means not delivered).
 * 0–14: https://api.support.vonage.com/hc/en-us/articles/204014733 ; 15–99 as listed by nyaruka/courier
 * from developer.vonage.com/messaging/sms/guides/delivery-receipts#dlr-error-codes (not read first-hand).
 */
const RECEIPT_ERROR: Readonly<Record<string, Entry>> = {
  '1': { code: 'unknown', label: 'Unknown' },
  '2': { code: 'unavailable', label: 'Absent subscriber - temporary' },
  '3': { code: 'invalid_number', label: 'Absent subscriber - permanent' },
  '4': { code: 'blocked', label: 'Call barred by user' },
  '5': { code: 'unknown', label: 'Portability error' },
  '6': { code: 'message_rejected', label: 'Anti-spam rejection' },
  '7': { code: 'unavailable', label: 'Handset busy' },
  '8': { code: 'unavailable', label: 'Network error' },
  // "Illegal number" is what Vonage reports when the recipient opted out of this sender.
  '9': { code: 'opted_out', label: 'Illegal number (recipient opted out)' },
  '10': { code: 'message_rejected', label: 'Illegal message' },
  '11': { code: 'unknown', label: 'Unroutable' },
  '12': { code: 'invalid_number', label: 'Destination unreachable' },
  '13': { code: 'blocked', label: 'Subscriber age restriction' },
  '14': { code: 'blocked', label: 'Number blocked by carrier' },
  '15': { code: 'unknown', label: 'Prepaid insufficient funds' },
  '16': { code: 'unknown', label: 'Gateway quota exceeded' },
  '50': { code: 'blocked', label: 'Entity filter' },
  '51': { code: 'blocked', label: 'Header filter' },
  '52': { code: 'message_rejected', label: 'Content filter' },
  '53': { code: 'blocked', label: 'Consent filter' },
  '54': { code: 'blocked', label: 'Regulation error' },
  '99': { code: 'unknown', label: 'General error' },
};

/** DLR `status` values (Nexmo/api-specification DeliveryReceipt `x-possible-values`). */
export const RECEIPT_STATUSES = ['delivered', 'expired', 'failed', 'rejected', 'accepted', 'buffered', 'unknown'] as const;

export interface MappedReceipt {
  status: DeliveryStatus;
  errorCode?: GatewayErrorCode;
  providerCode?: string;
}

/**
 * What a DLR means for the message, or undefined for a status we do not know (ignored, not refused,
 * so Vonage does not retry it for 24 h). `accepted`/`buffered` are still on their way; `failed` is the
 * carrier's "not delivered"; `unknown` is final only with a non-zero err-code ("a non-zero code
 * indicates that the message could not be delivered"), otherwise nothing has been learnt.
 */
export function mapReceipt(status: string, errCode?: string): MappedReceipt | undefined {
  const code = errCode?.trim() || '0';
  const failure = (next: DeliveryStatus): MappedReceipt => ({
    status: next,
    errorCode: RECEIPT_ERROR[code]?.code ?? 'unknown',
    providerCode: `err-code ${code}`,
  });
  switch (status) {
    case 'delivered':
      return { status: 'delivered' };
    case 'accepted':
    case 'buffered':
      return { status: 'submitted' };
    case 'expired':
      return failure('expired');
    case 'failed':
      return failure('undelivered');
    case 'rejected':
      return failure('rejected');
    case 'unknown':
      return code === '0' ? { status: 'submitted' } : failure('undelivered');
    default:
      return undefined;
  }
}
