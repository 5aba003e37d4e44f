import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HubSpot request signatures, as pure functions (the clock is an argument).
 *
 * - v3 (`X-HubSpot-Signature-v3` + `X-HubSpot-Request-Timestamp`, epoch ms): base64 HMAC-SHA256, keyed
 *   with the app's client secret, of method + URI + raw body + timestamp; refused when the timestamp is
 *   more than 5 minutes old (or more than 5 minutes ahead).
 *   https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation
 * - v2 (`X-HubSpot-Signature`, `X-HubSpot-Signature-Version: v2`): hex SHA-256 of client secret + method
 *   + URI + raw body. Custom workflow actions are documented to carry this one; it has no timestamp, so
 *   it has no replay window of its own (a replayed request is caught by the callbackId instead).
 *   https://developers.hubspot.com/docs/faq/v2-request-validation
 *
 * v3 is used whenever its headers are present; otherwise v2. v1 (secret + body, no URI) is not accepted.
 */

export const MAX_SIGNATURE_AGE_MS = 5 * 60 * 1000;

export interface SignedRequest {
  method: string;
  /** The full URL HubSpot called: scheme, host, path and query string exactly as sent. */
  url: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** The body exactly as received (re-serialised JSON breaks on unicode escapes). */
  rawBody: string;
}

export type SignatureCheck =
  | { ok: true; version: 'v2' | 'v3' }
  | { ok: false; version: 'v2' | 'v3' | 'none'; reason: 'missing' | 'stale' | 'mismatch' };

/** The v2 signature of a request: sha256 hex of secret + method + URI + body. */
export function signatureV2(clientSecret: string, method: string, url: string, rawBody: string): string {
  return createHash('sha256').update(`${clientSecret}${method.toUpperCase()}${url}${rawBody}`, 'utf8').digest('hex');
}

/** The v3 signature of a request: base64 HMAC-SHA256 of method + URI + body + timestamp. */
export function signatureV3(clientSecret: string, method: string, url: string, rawBody: string, timestamp: string): string {
  return createHmac('sha256', clientSecret).update(`${method.toUpperCase()}${url}${rawBody}${timestamp}`, 'utf8').digest('base64');
}

// The percent-escapes HubSpot's v3 instructions say to decode in the request URI before signing.
const V3_DECODED: Readonly<Record<string, string>> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

/**
 * The URI forms a v3 signature may have been computed over: as received, with the listed escapes
 * decoded, and fully decoded (what published snippets do). All of them need the secret to match.
 */
export function v3UriCandidates(url: string): string[] {
  const listed = url.replace(/%[0-9A-Fa-f]{2}/g, (escape) => V3_DECODED[escape.toUpperCase()] ?? escape);
  let full = listed;
  try {
    full = decodeURIComponent(url);
  } catch {
    // A malformed escape: the other forms are still worth a try.
  }
  return [...new Set([url, listed, full])];
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // Lengths of valid signatures are public (64 hex, 44 base64); only the content must not leak.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Checks a request's HubSpot signature against the client secret; `now` bounds the v3 replay window. */
export function verifyHubSpotSignature(request: SignedRequest, clientSecret: string, now: Date): SignatureCheck {
  const v3 = request.headers['x-hubspot-signature-v3'];
  const timestamp = request.headers['x-hubspot-request-timestamp'];
  if (v3 !== undefined || timestamp !== undefined) {
    if (!v3 || !timestamp || !/^\d{10,16}$/.test(timestamp.trim())) return { ok: false, version: 'v3', reason: 'missing' };
    if (Math.abs(now.getTime() - Number(timestamp.trim())) > MAX_SIGNATURE_AGE_MS) return { ok: false, version: 'v3', reason: 'stale' };
    const matches = v3UriCandidates(request.url).some((url) => sameText(v3.trim(), signatureV3(clientSecret, request.method, url, request.rawBody, timestamp.trim())));
    return matches ? { ok: true, version: 'v3' } : { ok: false, version: 'v3', reason: 'mismatch' };
  }
  const v2 = request.headers['x-hubspot-signature'];
  const version = (request.headers['x-hubspot-signature-version'] ?? 'v2').trim().toLowerCase();
  if (!v2 || version !== 'v2') return { ok: false, version: v2 ? 'v2' : 'none', reason: 'missing' };
  const expected = signatureV2(clientSecret, request.method, request.url, request.rawBody);
  return sameText(v2.trim().toLowerCase(), expected) ? { ok: true, version: 'v2' } : { ok: false, version: 'v2', reason: 'mismatch' };
}
