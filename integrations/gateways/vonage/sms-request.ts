import { z } from 'zod';
import type { OutboundSms, SendResult } from '../../../src/delivery/gateway.js';
import type { VonageConfig } from './config.js';
import { mapSendStatus } from './map-error.js';

/** `ttl` bounds in ms (Nexmo/api-specification NewMessage `ttl`: minimum 20000, maximum 604800000). */
export const TTL_MIN_MS = 20_000;
export const TTL_MAX_MS = 604_800_000;
/** `client-ref` is "up to 40 characters". */
export const CLIENT_REF_MAX = 40;

/** The recipient as the SMS API wants it: E.164 digits without '+' (`\d{7,15}`), or undefined. */
export function recipientDigits(to: string): string | undefined {
  const digits = to.trim().replace(/^\+/, '');
  return /^[1-9]\d{6,14}$/.test(digits) ? digits : undefined;
}

/**
 * The `ttl` for a message that must not arrive after `validUntil`: the time left, clamped to what
 * Vonage accepts (so at worst 20 s late), or 'over' when the time is already up. Undefined leaves
 * Vonage's default (72 h).
 */
export function ttlFor(validUntil: Date | undefined, now: Date): number | 'over' | undefined {
  if (validUntil === undefined) return undefined;
  const left = validUntil.getTime() - now.getTime();
  if (left <= 0) return 'over';
  return Math.min(TTL_MAX_MS, Math.max(TTL_MIN_MS, left));
}

/** The form for `POST /sms/json` (https://developer.vonage.com/en/api/sms#send-an-sms). */
export function buildSendForm(config: VonageConfig, message: OutboundSms, to: string, ttl: number | undefined, gatewayId: string): URLSearchParams {
  const form = new URLSearchParams({
    api_key: config.VONAGE_API_KEY,
    api_secret: config.VONAGE_API_SECRET,
    from: message.from,
    to,
    text: message.text,
    // Non-GSM text sent as `text` arrives garbled: UCS-2 must be declared.
    type: message.encoding === 'UCS-2' ? 'unicode' : 'text',
  });
  // Echoed in every part's receipt, so receipts match our row even for parts we never saw an id for.
  // A longer id is left out rather than cut: a truncated id would match nothing, or the wrong row.
  if (message.messageId.length <= CLIENT_REF_MAX) form.set('client-ref', message.messageId);
  if (ttl !== undefined) form.set('ttl', String(ttl));
  if (config.PUBLIC_URL) form.set('callback', `${config.PUBLIC_URL.replace(/\/+$/, '')}/webhooks/${gatewayId}/status`);
  return form;
}

/** The JSON answer: one `messages` entry per part of a long text; every value a string. */
const sendResponseSchema = z.object({
  'message-count': z.string().optional(),
  messages: z
    .array(
      z.object({
        status: z.string(),
        'message-id': z.string().optional(),
        'error-text': z.string().optional(),
        'message-price': z.string().optional(),
      }),
    )
    .min(1),
});

/**
 * What an HTTP 200 from `/sms/json` means. The message is accepted only if every part's status is
 * "0"; its id is the first part's. When some parts were accepted and others not, the recipient gets a
 * broken message that is already paid for: that is a permanent failure, since a retry would send the
 * accepted parts twice. A body we cannot read comes after Vonage took the request: outcome unknown.
 */
export function interpretSendResponse(body: string, retryAfterMs: number | undefined): SendResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const parsed = sendResponseSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, error: { code: 'unknown', retryable: false, outcomeUnknown: true, message: 'Vonage answered 200 with a body that is not an SMS API response' } };
  }
  const parts = parsed.data.messages;
  const failedIndex = parts.findIndex((part) => part.status !== '0');
  if (failedIndex >= 0) {
    const failed = parts[failedIndex]!;
    const error = mapSendStatus(failed.status, failed['error-text'], retryAfterMs);
    const accepted = parts.filter((part) => part.status === '0').length;
    if (accepted === 0) return { ok: false, error };
    return {
      ok: false,
      error: { ...error, retryable: false, message: `${accepted} of ${parts.length} parts were accepted, part ${failedIndex + 1} was not: ${error.message}` },
    };
  }
  const first = parts[0]!;
  const providerMessageId = first['message-id'];
  if (!providerMessageId) {
    return { ok: false, error: { code: 'unknown', retryable: false, outcomeUnknown: true, message: 'Vonage accepted the message without a message-id' } };
  }
  const prices = parts.map((part) => Number(part['message-price']));
  const cost = prices.every((price) => Number.isFinite(price)) ? Number(prices.reduce((sum, price) => sum + price, 0).toFixed(8)) : undefined;
  return { ok: true, providerMessageId, segments: parts.length, ...(cost === undefined ? {} : { cost }) };
}
