import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureMethod } from './config.js';

/**
 * Vonage's webhook signature ("signed webhooks", SMS API), as Vonage/vonage-node-sdk
 * packages/sms/lib/sms.ts `verifySignature` computes it: every parameter but `sig`, keys sorted,
 * joined as `&key=value` with `&` and `=` inside values replaced by `_`; then `md5hash` appends the
 * secret and takes md5, the other methods take an HMAC keyed by the secret. Hex; Vonage sends HMACs
 * upper-case, so the comparison ignores case.
 * https://developer.vonage.com/en/getting-started/concepts/signing-messages
 */
export function signatureBase(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((key) => key !== 'sig')
    .sort()
    .map((key) => `&${key}=${(params[key] ?? '').replace(/[&=]/g, '_')}`)
    .join('');
}

/** The lower-case hex signature of `params` under `secret`. */
export function signParams(params: Readonly<Record<string, string>>, secret: string, method: SignatureMethod): string {
  const base = signatureBase(params);
  if (method === 'md5hash') return createHash('md5').update(base + secret, 'utf8').digest('hex');
  return createHmac(method, secret).update(base, 'utf8').digest('hex');
}

/** True when `params.sig` is the signature of the other parameters; constant-time on the digest. */
export function signatureMatches(params: Readonly<Record<string, string>>, secret: string, method: SignatureMethod): boolean {
  const given = params.sig;
  if (given === undefined || !/^[0-9a-f]+$/i.test(given)) return false;
  const expected = Buffer.from(signParams(params, secret, method), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
