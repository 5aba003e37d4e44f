import { describe, expect, it } from 'vitest';
import { MAX_SIGNATURE_AGE_MS, signatureV2, signatureV3, v3UriCandidates, verifyHubSpotSignature } from '../../../integrations/hubspot/signature.js';

// The official v2 test vectors (legacydocs.hubspot.com/docs/faq/v2-request-validation).
const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URL = 'https://www.example.com/webhook_uri';
const BODY = '{"example_field":"example_value"}';
const NOW = new Date(1_700_000_000_000);

describe('HubSpot request signatures', () => {
  it('v2: the documented test vectors', () => {
    expect(signatureV2(SECRET, 'POST', URL, BODY)).toBe('9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900');
    expect(signatureV2(SECRET, 'GET', URL, '')).toBe('eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e');
    const headers = { 'x-hubspot-signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900', 'x-hubspot-signature-version': 'v2' };
    expect(verifyHubSpotSignature({ method: 'POST', url: URL, headers, rawBody: BODY }, SECRET, NOW)).toEqual({ ok: true, version: 'v2' });
    expect(verifyHubSpotSignature({ method: 'POST', url: URL, headers, rawBody: `${BODY} ` }, SECRET, NOW)).toEqual({ ok: false, version: 'v2', reason: 'mismatch' });
    expect(verifyHubSpotSignature({ method: 'POST', url: URL, headers, rawBody: BODY }, 'another-secret', NOW).ok).toBe(false);
  });

  it('v3: HMAC-SHA256 base64 over method + URI + body + timestamp, within 5 minutes either way', () => {
    expect(signatureV3(SECRET, 'POST', URL, BODY, '1700000000000')).toBe('rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=');
    const signed = (timestamp: number) => ({
      method: 'POST', url: URL, rawBody: BODY,
      headers: { 'x-hubspot-signature-v3': signatureV3(SECRET, 'POST', URL, BODY, String(timestamp)), 'x-hubspot-request-timestamp': String(timestamp) },
    });
    expect(verifyHubSpotSignature(signed(NOW.getTime() - 1000), SECRET, NOW)).toEqual({ ok: true, version: 'v3' });
    expect(verifyHubSpotSignature(signed(NOW.getTime() - MAX_SIGNATURE_AGE_MS - 1), SECRET, NOW)).toEqual({ ok: false, version: 'v3', reason: 'stale' });
    expect(verifyHubSpotSignature(signed(NOW.getTime() + MAX_SIGNATURE_AGE_MS + 1), SECRET, NOW)).toMatchObject({ ok: false, reason: 'stale' });
    // v3 headers present: a valid v2 signature beside a bad v3 one does not get the request in.
    const mixed = { ...signed(NOW.getTime()), headers: { ...signed(NOW.getTime()).headers, 'x-hubspot-signature-v3': 'AAAA', 'x-hubspot-signature': signatureV2(SECRET, 'POST', URL, BODY) } };
    expect(verifyHubSpotSignature(mixed, SECRET, NOW)).toEqual({ ok: false, version: 'v3', reason: 'mismatch' });
    expect(verifyHubSpotSignature({ ...signed(NOW.getTime()), headers: { 'x-hubspot-signature-v3': 'x' } }, SECRET, NOW)).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('v3: the URI may be signed with its listed percent-escapes decoded', () => {
    const url = 'https://example.com/hook?email=ann%40example.com&name=a%2Cb%20c';
    expect(v3UriCandidates(url)).toContain('https://example.com/hook?email=ann@example.com&name=a,b%20c');
    const ts = String(NOW.getTime());
    const decoded = 'https://example.com/hook?email=ann@example.com&name=a,b%20c';
    const headers = { 'x-hubspot-signature-v3': signatureV3(SECRET, 'POST', decoded, BODY, ts), 'x-hubspot-request-timestamp': ts };
    expect(verifyHubSpotSignature({ method: 'POST', url, headers, rawBody: BODY }, SECRET, NOW).ok).toBe(true);
  });

  it('no signature at all, or only v1, is refused', () => {
    expect(verifyHubSpotSignature({ method: 'POST', url: URL, headers: {}, rawBody: BODY }, SECRET, NOW)).toEqual({ ok: false, version: 'none', reason: 'missing' });
    const v1 = { 'x-hubspot-signature': 'abc', 'x-hubspot-signature-version': 'v1' };
    expect(verifyHubSpotSignature({ method: 'POST', url: URL, headers: v1, rawBody: BODY }, SECRET, NOW).ok).toBe(false);
  });
});
