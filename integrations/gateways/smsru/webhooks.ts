import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../src/common/errors.js';
import type { StatusEvent, WebhookRequest } from '../../../src/delivery/gateway.js';
import { SMSRU_GATEWAY_ID } from './config.js';
import { mapSmsRuReceipt } from './map-error.js';

/**
 * SMS.ru status callbacks (https://sms.ru/?panel=api&subpanel=cb; SMS.ru's own PHP example, reproduced
 * in many integrations, and the C# SmsRu SDK's CallbackHandler): a POST form with `data[0]`, `data[1]`,
 * …, each a `\n`-separated record whose first line is its kind (`sms_status`, `callcheck_status`…),
 * plus `hash` = hex sha256(api_id + data[0] + data[1] + …). SMS.ru counts a callback as handled only
 * when the body is exactly `100`; anything else is posted again later.
 */
export const SMSRU_CALLBACK_OK = '100';

/** The query parameter of the callback URL that carries SMSRU_CALLBACK_SECRET. */
export const CALLBACK_SECRET_PARAM = 'secret';

/**
 * The URL to register with SMS.ru (dashboard → API → callback, or the callback/add method): our
 * status webhook, with the shared secret in the query. A query, not a path segment, so the route stays
 * /webhooks/smsru/status whatever the secret; keep the URL out of logs like any credential.
 */
export function callbackUrl(publicUrl: string, secret: string): string {
  const base = publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`;
  const url = new URL(`webhooks/${SMSRU_GATEWAY_ID}/status`, base);
  url.searchParams.set(CALLBACK_SECRET_PARAM, secret);
  return url.toString();
}

/** SMS.ru's callback signature over the records in index order. */
export function callbackHash(apiId: string, entries: readonly string[]): string {
  return createHash('sha256').update(apiId + entries.join(''), 'utf8').digest('hex');
}

/** Constant-time equality of two strings of any length: digests first, so the lengths leak nothing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const DATA_KEY = /^data\[(\d{1,4})\]$/;

/**
 * The `data[i]` records in index order. Verification and parsing both read them from here, so a
 * record cannot be parsed without having been covered by the hash (the HTTP layer merges the query
 * into `fields`, so a record smuggled in the URL would be hashed too, and fail).
 */
export function callbackEntries(request: WebhookRequest): string[] {
  const indexed: [number, string][] = [];
  for (const [key, value] of Object.entries(request.fields)) {
    const match = DATA_KEY.exec(key);
    if (!match) continue;
    if (typeof value !== 'string') throw new AppError('VALIDATION_FAILED', `The SMS.ru callback repeats ${key}.`);
    indexed.push([Number(match[1]), value]);
  }
  return indexed.sort(([a], [b]) => a - b).map(([, value]) => value);
}

// sha256(key + message) is open to length extension, which needs raw padding bytes (0x00, 0x80) in
// the signed text; records never hold control characters, so refusing them closes that door.
function hasControlCharacters(entry: string): boolean {
  for (let i = 0; i < entry.length; i++) {
    const code = entry.charCodeAt(i);
    if ((code < 0x20 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

export interface CallbackCheck {
  apiId: string;
  secret: string;
  requireHash: boolean;
}

/**
 * True when the callback URL carries our secret and the body carries SMS.ru's hash over the records.
 * No replay window: a record's time is when the status changed, and SMS.ru re-posts unanswered
 * callbacks for a long time, so an age limit would drop genuine receipts. Replays are harmless
 * anyway: events are deduplicated by `sms_id:status_code` and statuses only move forward.
 */
export function verifySmsRuCallback(request: WebhookRequest, check: CallbackCheck): boolean {
  let given: string | null;
  try {
    given = new URL(request.url).searchParams.get(CALLBACK_SECRET_PARAM);
  } catch {
    return false;
  }
  if (given === null || !sameSecret(given, check.secret)) return false;
  let entries: string[];
  try {
    entries = callbackEntries(request);
  } catch {
    return false;
  }
  if (entries.some(hasControlCharacters)) return false;
  const hash = request.fields.hash;
  if (hash === undefined) return !check.requireHash;
  // A hash that is present must match, even when not required: a wrong one is a forgery.
  return typeof hash === 'string' && sameSecret(hash.trim().toLowerCase(), callbackHash(check.apiId, entries));
}

/** One `sms_status` record: kind, sms_id, status code, then (seen in SMS.ru's example) a Unix time; later lines ignored. */
const statusRecord = z.tuple([z.literal('sms_status'), z.string().trim().min(1).max(100), z.string().trim().regex(/^-?\d{1,4}$/)], z.string());

const UNIX_SECONDS = /^\d{9,11}$/;

/**
 * The status events in a verified callback. Records of other kinds (callcheck_status…) and codes that
 * are not delivery states are skipped; an `sms_status` record that cannot be read is a malformed body.
 */
export function parseSmsRuCallback(request: WebhookRequest, now: Date, gateway: string = SMSRU_GATEWAY_ID): StatusEvent[] {
  const events: StatusEvent[] = [];
  for (const entry of callbackEntries(request)) {
    const lines = entry.replace(/\r\n/g, '\n').split('\n');
    if (lines[0]?.trim() !== 'sms_status') continue;
    const record = statusRecord.safeParse([lines[0].trim(), ...lines.slice(1)]);
    if (!record.success) throw new AppError('VALIDATION_FAILED', 'An SMS.ru sms_status record lacks its sms_id or status code.');
    const [, smsId, code] = record.data;
    const receipt = mapSmsRuReceipt(Number(code));
    if (!receipt) continue;
    const time = record.data[3]?.trim() ?? '';
    events.push({
      type: 'status',
      gateway,
      providerMessageId: smsId,
      status: receipt.status,
      ...(receipt.errorCode === undefined ? {} : { errorCode: receipt.errorCode }),
      providerCode: code,
      at: UNIX_SECONDS.test(time) ? new Date(Number(time) * 1000).toISOString() : now.toISOString(),
      key: `${smsId}:${code}`,
    });
  }
  return events;
}
