import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest } from '../../../src/delivery/gateway.js';

export type TwilioParams = Record<string, string | readonly string[]>;

/**
 * The `X-Twilio-Signature` Twilio would send for a request: base64 HMAC-SHA1, keyed with the Auth
 * Token, over the full URL followed by every POST parameter as name + value, sorted by name (a
 * repeated name: its distinct values sorted). https://www.twilio.com/docs/usage/security#validating-requests
 * (algorithm as in twilio-node src/webhooks/webhooks.ts, CONTRACTS Part B §1.7).
 */
export function signTwilioRequest(authToken: string, url: string, params: TwilioParams = {}): string {
  // The URL string as given, not re-serialised: Twilio signs the URL it called, character for character.
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    const values = typeof value === 'string' ? [value] : [...new Set(value)].sort();
    for (const item of values) data += name + item;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'https:': '443', 'http:': '80' };

/**
 * The URL as received, without its default port and with it. Twilio signs some callbacks with
 * `:443`/`:80` and some without, so its SDKs accept both. (twilio-node means to, but re-parses the
 * `:443` form with WHATWG URL, which drops the port again; we build the string ourselves.)
 */
export function urlVariants(url: string, parsed = new URL(url)): string[] {
  const port = DEFAULT_PORTS[parsed.protocol];
  const variants = new Set([url, parsed.toString()]);
  if (port !== undefined && parsed.port === '') {
    const auth = parsed.username ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : '';
    variants.add(`${parsed.protocol}//${auth}${parsed.host}:${port}${parsed.pathname}${parsed.search}${parsed.hash}`);
  }
  return [...variants];
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The form parameters exactly as sent, repeated names kept as arrays. */
export function formParams(rawBody: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawBody)) {
    const seen = params[name];
    if (seen === undefined) params[name] = value;
    else params[name] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return params;
}

const parsedBodies = new WeakMap<WebhookRequest, { raw: string; params: Record<string, string | string[]> }>();

/** `formParams` of the request's raw body, parsed once per request: the signature check and the parser both read it. */
export function requestFormParams(request: WebhookRequest): Record<string, string | string[]> {
  const parsed = parsedBodies.get(request);
  if (parsed && parsed.raw === request.rawBody) return parsed.params;
  const params = formParams(request.rawBody);
  parsedBodies.set(request, { raw: request.rawBody, params });
  return params;
}

/**
 * Whether `request` carries a valid `X-Twilio-Signature` for `authToken`. The parameters are read
 * from the raw body, which is what Twilio signed, not from fields a framework may have merged or
 * coerced. GET webhooks sign the URL alone. JSON bodies (URL with `bodySHA256`) sign the URL alone,
 * and the body must hash to that value.
 *
 * Twilio signs no timestamp, so no replay window is possible. A replayed receipt is harmless: events
 * are deduplicated by `key` (MessageSid:MessageStatus, inbound MessageSid) and a status only moves forward.
 */
export function verifyTwilioSignature(authToken: string, request: WebhookRequest): boolean {
  const header = request.headers['x-twilio-signature'];
  if (!header || authToken === '') return false;
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return false;
  }
  const bodyHash = url.searchParams.get('bodySHA256');
  let params: TwilioParams = {};
  if (bodyHash !== null) {
    const actual = createHash('sha256').update(request.rawBody, 'utf8').digest('hex');
    if (!safeEqual(bodyHash.toLowerCase(), actual)) return false;
  } else if (request.method.toUpperCase() !== 'GET') {
    params = requestFormParams(request);
  }
  // Every variant is computed and compared, so the time taken does not say which one matched.
  const results = urlVariants(request.url, url).map((variant) => safeEqual(header, signTwilioRequest(authToken, variant, params)));
  return results.some(Boolean);
}
