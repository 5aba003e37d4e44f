import { z } from 'zod';
import { AppError } from '../../../src/common/errors.js';
import type { InboundEvent, StatusEvent, WebhookRequest } from '../../../src/delivery/gateway.js';
import { twilioStatusEvent } from './map-status.js';
import { requestFormParams } from './signature.js';

/**
 * The answer to an inbound-message webhook that sends no reply (Twilio expects TwiML, `text/xml`).
 * https://www.twilio.com/docs/messaging/twiml
 */
export const TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** The path of the status callback on our public URL; the HTTP layer routes it to `parseStatus`. */
export const STATUS_CALLBACK_PATH = '/webhooks/twilio/status';
/** The query parameter that carries our message id on the status callback URL. */
export const MESSAGE_ID_PARAM = 'mid';

// Twilio "occasionally adds new parameters without notice": read what we need, ignore the rest.
// https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
const statusCallbackSchema = z.object({
  MessageSid: z.string().min(1),
  MessageStatus: z.string().min(1),
  ErrorCode: z.string().optional(),
});

// https://www.twilio.com/docs/messaging/guides/webhook-request
const inboundSchema = z.object({
  MessageSid: z.string().min(1),
  From: z.string().min(1),
  To: z.string().min(1),
  // An MMS may come without text.
  Body: z.string().default(''),
});

/** The webhook's parameters, one value per name: the raw form body when there is one (what was signed). */
function webhookParams(request: WebhookRequest): Record<string, string> {
  const source = request.rawBody.trim() === '' || request.url.includes('bodySHA256=') ? request.fields : requestFormParams(request);
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) params[name] = first;
  }
  return params;
}

function parseOrThrow<T>(schema: z.ZodType<T>, params: Record<string, string>, what: string): T {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))].join(', ');
  throw new AppError('VALIDATION_FAILED', `Twilio ${what} is missing or has an invalid ${fields}`, {
    hint: 'Is this URL configured for the right Twilio webhook?',
  });
}

function messageIdFrom(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get(MESSAGE_ID_PARAM) || undefined;
  } catch {
    return undefined;
  }
}

export interface ParseContext {
  gateway: string;
  /** When the webhook arrived: Twilio's callbacks carry no event time usable for every status. */
  now: Date;
}

/**
 * A status callback as receipts. Our message id comes from the callback URL (`?mid=`), so a receipt
 * matches even when the send's answer was lost. `at` is the arrival time: `RawDlrDoneDate` has no
 * time zone and comes only on final statuses.
 */
export function parseTwilioStatus(request: WebhookRequest, context: ParseContext): StatusEvent[] {
  const callback = parseOrThrow(statusCallbackSchema, webhookParams(request), 'status callback');
  const event = twilioStatusEvent({
    gateway: context.gateway,
    messageSid: callback.MessageSid,
    status: callback.MessageStatus,
    errorCode: callback.ErrorCode,
    messageId: messageIdFrom(request.url),
    at: context.now.toISOString(),
  });
  return event ? [event] : [];
}

/** An incoming SMS; Twilio retries the webhook, so its MessageSid is the dedupe key. */
export function parseTwilioInbound(request: WebhookRequest, context: ParseContext): InboundEvent[] {
  const message = parseOrThrow(inboundSchema, webhookParams(request), 'inbound message');
  return [
    {
      type: 'inbound',
      gateway: context.gateway,
      providerMessageId: message.MessageSid,
      from: message.From,
      to: message.To,
      text: message.Body,
      at: context.now.toISOString(),
      key: message.MessageSid,
    },
  ];
}
