import type { GatewayError, GatewayErrorCode } from '../../../src/delivery/gateway.js';
import { maskPhonesInText } from '../../../src/common/mask.js';

interface CodeRule {
  code: GatewayErrorCode;
  retryable: boolean;
}

/**
 * Twilio error codes we act on, from the REST answer to a send or the `ErrorCode` of a status
 * callback. Sources: https://www.twilio.com/docs/api/errors/<code> (CONTRACTS Part B §1.6).
 * Anything else is `unknown`, not retryable, with the vendor code kept for the report.
 */
export const TWILIO_ERROR_CODES: Readonly<Record<number, CodeRule>> = {
  20003: { code: 'auth_failed', retryable: false }, // Authenticate: wrong Account SID or Auth Token
  20429: { code: 'throttled', retryable: true }, // too many concurrent requests; "never processed", safe to retry
  21211: { code: 'invalid_number', retryable: false }, // invalid 'To' number
  21606: { code: 'invalid_sender', retryable: false }, // 'From' is not a message-capable Twilio sender for this destination
  21608: { code: 'blocked', retryable: false }, // trial account / no compliance profile: recipient not verified
  21610: { code: 'opted_out', retryable: false }, // the recipient replied STOP to this sender or service
  21611: { code: 'throttled', retryable: true }, // more than 10 h of messages queued on this 'From'
  21612: { code: 'blocked', retryable: false }, // no route between this 'From' and this 'To'
  21614: { code: 'not_mobile', retryable: false }, // 'To' is not a mobile number
  30001: { code: 'throttled', retryable: true }, // queue overflow (Messaging Service pool)
  // The handset is off or out of coverage: often transient, so worth a later, limited retry.
  30003: { code: 'unavailable', retryable: true },
  30005: { code: 'invalid_number', retryable: false }, // unknown destination handset (wording ◐)
  30006: { code: 'not_mobile', retryable: false }, // landline or unreachable carrier
  30007: { code: 'blocked', retryable: false }, // filtered by the carrier as spam (wording ◐)
  30022: { code: 'throttled', retryable: true }, // US A2P 10DLC rate limit exceeded
  63017: { code: 'throttled', retryable: true }, // account over its combined 2,000 MPS
};

export interface TwilioFailure {
  /** The HTTP status of the REST answer. */
  httpStatus: number;
  /** Twilio's `code` from the error body, when it sent one. */
  twilioCode?: number;
  message?: string;
  /** From the Retry-After header, already turned into milliseconds. */
  retryAfterMs?: number;
}

/** The port's error for a failed REST answer: the vendor code first, then the HTTP status class. */
export function mapTwilioError(failure: TwilioFailure): GatewayError {
  const rule = failure.twilioCode === undefined ? undefined : TWILIO_ERROR_CODES[failure.twilioCode];
  const { code, retryable } = rule ?? ruleForStatus(failure.httpStatus);
  const error: GatewayError = {
    code,
    retryable,
    providerCode: failure.twilioCode === undefined ? `HTTP_${failure.httpStatus}` : String(failure.twilioCode),
    // Twilio quotes the recipient's number in its messages ("The 'To' number … is not valid"): errors end up in logs.
    message: maskPhonesInText(failure.message ?? `Twilio answered HTTP ${failure.httpStatus}`),
  };
  if (retryable && failure.retryAfterMs !== undefined) error.retryAfterMs = failure.retryAfterMs;
  return error;
}

function ruleForStatus(httpStatus: number): CodeRule {
  if (httpStatus === 429) return { code: 'throttled', retryable: true };
  if (httpStatus === 401) return { code: 'auth_failed', retryable: false };
  if (httpStatus >= 500) return { code: 'unavailable', retryable: true };
  return { code: 'unknown', retryable: false };
}

/**
 * The codes a status callback's `ErrorCode` carries (on failed/undelivered): the port's code for
 * reports, and the vendor's code as it came.
 */
export function mapReceiptErrorCode(errorCode: string | undefined): { errorCode?: GatewayErrorCode; providerCode?: string } {
  if (errorCode === undefined || errorCode.trim() === '') return {};
  const providerCode = errorCode.trim();
  const rule = /^\d+$/.test(providerCode) ? TWILIO_ERROR_CODES[Number(providerCode)] : undefined;
  return { errorCode: rule?.code ?? 'unknown', providerCode };
}
