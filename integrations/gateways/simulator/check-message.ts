import type { GatewayError, OutboundSms } from '../../../src/delivery/gateway.js';
import { countSegments } from '../../../src/messages/encoding.js';
import type { SimulatedFailure } from './config.js';

/** Alphanumeric sender names the simulator accepts, as most carriers do: up to 11 characters. */
export const SENDER_MAX_LENGTH = 11;

const E164 = /^\+[1-9]\d{6,14}$/;
const NUMERIC_SENDER = /^\+?\d{3,15}$/;
const RETRYABLE = new Set<string>(['throttled', 'unavailable']);
/** What a throttled answer says when the test hook gives no Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/** The port's error for a simulated failure: retryable only for throttling and outages. */
export function simulatedError(failure: SimulatedFailure): GatewayError {
  const spec = typeof failure === 'string' ? { code: failure } : failure;
  const error: GatewayError = {
    code: spec.code,
    retryable: RETRYABLE.has(spec.code),
    providerCode: `SIM_${spec.code.toUpperCase()}`,
    message: spec.message ?? `Simulated ${spec.code.replaceAll('_', ' ')}`,
  };
  const retryAfterMs = spec.retryAfterMs ?? (spec.code === 'throttled' ? DEFAULT_RETRY_AFTER_MS : undefined);
  if (retryAfterMs !== undefined) error.retryAfterMs = retryAfterMs;
  // The request may have reached the carrier: the caller must record `unknown`, not retry blindly.
  if (spec.code === 'timeout') error.outcomeUnknown = true;
  return error;
}

/**
 * The checks a real carrier makes before accepting anything, so the simulator catches the same
 * mistakes: a malformed number, a bad sender, an empty text, or text declared GSM-7 that is not
 * (a real gateway would garble it). Returns the billed segment count, counted from the text itself.
 */
export function checkMessage(message: OutboundSms): { segments: number } | { error: GatewayError } {
  const refuse = (code: 'invalid_number' | 'invalid_sender' | 'message_rejected', text: string) => ({
    error: simulatedError({ code, message: text }),
  });
  if (!E164.test(message.to)) return refuse('invalid_number', 'The recipient is not an E.164 number');
  const sender = message.from;
  if (sender.length === 0 || (!NUMERIC_SENDER.test(sender) && sender.length > SENDER_MAX_LENGTH)) {
    return refuse('invalid_sender', `The sender must be a number or a name of at most ${SENDER_MAX_LENGTH} characters`);
  }
  const count = countSegments(message.text);
  if (count.segments === 0) return refuse('message_rejected', 'The message text is empty');
  if (message.encoding === 'GSM-7' && count.encoding === 'UCS-2') {
    return refuse('message_rejected', 'The text was declared GSM-7 but has characters outside the GSM alphabet');
  }
  return { segments: count.segments };
}
