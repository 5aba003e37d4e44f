import { z } from 'zod';
import { AppError } from '../../../src/common/errors.js';
import { jsonNestingExceeds } from '../../../src/common/json-depth.js';
import type { StatusEvent, WebhookRequest } from '../../../src/delivery/gateway.js';
import type { SignatureMethod } from './config.js';
import { mapReceipt } from './map-error.js';
import { signatureMatches } from './signature.js';

/** A signed webhook older or newer than this (by its signed `timestamp`) is refused as a replay. */
export const DEFAULT_WEBHOOK_WINDOW_MS = 5 * 60_000;

/**
 * The parameters Vonage signed, read from the request itself (query string, then a form or JSON
 * body), not from `fields`, so that what is verified is exactly what arrived. Undefined when a key
 * repeats or a JSON value is not a plain scalar: Vonage sends neither, so such a request is not one.
 */
export function signedParams(request: WebhookRequest): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  const add = (key: string, value: string): boolean => {
    if (Object.hasOwn(params, key)) return false;
    params[key] = value;
    return true;
  };
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  for (const [key, value] of new URLSearchParams(query)) if (!add(key, value)) return undefined;
  const body = request.rawBody.trim();
  if (body === '') return params;
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.includes('json') || body.startsWith('{')) {
    // Vonage's JSON bodies are flat objects: anything nested is not one, and is not parsed.
    if (jsonNestingExceeds(body, 1)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
      if (!add(key, String(value))) return undefined;
    }
    return params;
  }
  for (const [key, value] of new URLSearchParams(body)) if (!add(key, value)) return undefined;
  return params;
}

export interface WebhookVerification {
  secret: string | undefined;
  method: SignatureMethod;
  windowMs: number;
}

/**
 * Vonage signed webhooks (SMS API receipts and inbound messages): the signature over every parameter,
 * and the signed unix `timestamp` within `windowMs` of `now`. Without a secret nothing is accepted.
 * https://developer.vonage.com/en/blog/using-message-signatures-to-ensure-secure-incoming-webhooks-dr
 */
export function verifyVonageWebhook(request: WebhookRequest, now: Date, options: WebhookVerification): boolean {
  if (!options.secret) return false;
  const params = signedParams(request);
  if (!params || !/^\d{1,12}$/.test(params.timestamp ?? '')) return false;
  const skewMs = Math.abs(now.getTime() - Number(params.timestamp) * 1000);
  if (skewMs > options.windowMs) return false;
  return signatureMatches(params, options.secret, options.method);
}

const text = z.string();

/** Rejects repeated keys (arrays in `fields`) as malformed: Vonage sends each field once. */
function singleValued(fields: WebhookRequest['fields'], what: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value)) throw new AppError('VALIDATION_FAILED', `The Vonage ${what} webhook repeats the field "${key}".`);
    result[key] = value;
  }
  return result;
}

function invalid(what: string, error: z.ZodError): AppError {
  const fields = [...new Set(error.issues.map((issue) => issue.path.join('.')))].join(', ');
  return new AppError('VALIDATION_FAILED', `The Vonage ${what} webhook lacks or garbles: ${fields}.`, { details: error.issues });
}

/** "YYYY-MM-DD HH:MM:SS" in UTC (Vonage's `message-timestamp`) as ISO 8601, if it is one. */
export function vonageTime(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const at = new Date(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** DLR fields (Nexmo/api-specification definitions/sms.yml `DeliveryReceipt`); all values are strings. */
const receiptSchema = z.object({
  messageId: text.min(1),
  status: text.min(1),
  msisdn: text.optional(),
  to: text.optional(),
  'err-code': text.optional(),
  'client-ref': text.optional(),
  'message-timestamp': text.optional(),
  price: text.optional(),
});

export interface ParsedReceipt {
  event: StatusEvent;
  /** The recipient and our sender, as Vonage wrote them, for remembering opt-outs. */
  recipient?: string;
  sender?: string;
}

/**
 * One delivery receipt → one StatusEvent, or undefined when there is nothing to record (an empty
 * request, a status Vonage added after this was written). `messageId` is the part's own Vonage id; our
 * id comes back in `client-ref`, which every part of a long message carries. Vonage sends one receipt
 * per part, so each is a part receipt (`part.id`), folded per message by the outbox.
 */
export function parseReceipt(fields: WebhookRequest['fields'], gateway: string, now: Date): ParsedReceipt | undefined {
  const flat = singleValued(fields, 'receipt');
  if (Object.keys(flat).length === 0) return undefined;
  const parsed = receiptSchema.safeParse(flat);
  if (!parsed.success) throw invalid('receipt', parsed.error);
  const receipt = parsed.data;
  const mapped = mapReceipt(receipt.status, receipt['err-code']);
  if (!mapped) return undefined;
  const clientRef = receipt['client-ref']?.trim();
  const event: StatusEvent = {
    type: 'status',
    gateway,
    providerMessageId: receipt.messageId,
    ...(clientRef ? { messageId: clientRef } : {}),
    status: mapped.status,
    ...(mapped.errorCode ? { errorCode: mapped.errorCode } : {}),
    ...(mapped.providerCode ? { providerCode: mapped.providerCode } : {}),
    at: vonageTime(receipt['message-timestamp']) ?? now.toISOString(),
    key: `${receipt.messageId}:${receipt.status}`,
    part: { id: receipt.messageId },
  };
  return { event, ...(receipt.msisdn ? { recipient: receipt.msisdn } : {}), ...(receipt.to ? { sender: receipt.to } : {}) };
}

/** Inbound SMS fields (Nexmo/api-specification `InboundMessage`). */
const inboundSchema = z
  .object({
    msisdn: text.min(1),
    to: text.min(1),
    messageId: text.min(1),
    text: text.optional(),
    type: text.optional(),
    'message-timestamp': text.optional(),
    concat: text.optional(),
    'concat-ref': text.optional(),
    'concat-total': z.coerce.number().int().min(1).max(255).optional(),
    'concat-part': z.coerce.number().int().min(1).max(255).optional(),
  })
  .refine((m) => m.concat !== 'true' || (m['concat-ref'] && m['concat-total'] && m['concat-part'] && m['concat-part'] <= m['concat-total']), {
    message: 'concatenated parts need concat-ref, concat-total and a concat-part within it',
    path: ['concat-part'],
  });

export interface InboundPart {
  from: string;
  to: string;
  providerMessageId: string;
  text: string;
  at: string;
  /** Present for one part of a concatenated message. */
  concat?: { ref: string; total: number; part: number };
}

/** E.164 as the rest of the service writes it: Vonage sends numbers as digits without the '+'. */
export function withPlus(number: string): string {
  return /^\d{7,15}$/.test(number) ? `+${number}` : number;
}

/** One inbound webhook → one message or one part of one; undefined for binary messages (no text). */
export function parseInboundPart(fields: WebhookRequest['fields'], now: Date): InboundPart | undefined {
  const flat = singleValued(fields, 'inbound');
  if (Object.keys(flat).length === 0) return undefined;
  const parsed = inboundSchema.safeParse(flat);
  if (!parsed.success) throw invalid('inbound', parsed.error);
  const m = parsed.data;
  if (m.type === 'binary' || m.text === undefined) return undefined;
  const part: InboundPart = {
    from: withPlus(m.msisdn),
    to: withPlus(m.to),
    providerMessageId: m.messageId,
    text: m.text,
    at: vonageTime(m['message-timestamp']) ?? now.toISOString(),
  };
  if (m.concat === 'true') part.concat = { ref: m['concat-ref'] ?? '', total: m['concat-total'] ?? 1, part: m['concat-part'] ?? 1 };
  return part;
}
