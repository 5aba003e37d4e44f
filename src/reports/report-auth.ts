import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../common/errors.js';

/**
 * Report-page credentials, all HMAC-SHA256 with one secret (REPORT_LINK_SECRET, else derived from
 * API_KEY): a signed expiring link to one campaign's page, and a session token (the login cookie's
 * value, never the API key itself). Pure functions; times in seconds since the epoch.
 */

/** The signing secret; a derived one changes when API_KEY does, which ends every session and link. */
export function reportSecret(config: { REPORT_LINK_SECRET?: string | undefined; API_KEY?: string | undefined }): Buffer {
  if (config.REPORT_LINK_SECRET) return Buffer.from(config.REPORT_LINK_SECRET, 'utf8');
  if (config.API_KEY) return createHmac('sha256', config.API_KEY).update('sms-bridge report pages').digest();
  throw new AppError('CONFIG_INVALID', 'Report pages need API_KEY (or REPORT_LINK_SECRET) to sign their links and sessions.', {
    hint: 'Set API_KEY (generate one: openssl rand -hex 24), as `serve` needs anyway.',
  });
}

const sign = (secret: Buffer, text: string): string => createHmac('sha256', secret).update(text).digest('base64url');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type Verdict = 'ok' | 'expired' | 'bad_signature';

/** The query of a signed link to a campaign's report page: `exp` (seconds) and `sig`. */
export function signReportLink(secret: Buffer, campaignId: string, expiresAt: number): { exp: string; sig: string } {
  const exp = String(Math.floor(expiresAt));
  return { exp, sig: sign(secret, `link\n${campaignId}\n${exp}`) };
}

export function verifyReportLink(secret: Buffer, campaignId: string, exp: string, sig: string, now: number): Verdict {
  if (!/^\d{1,12}$/.test(exp) || !sameText(sig, sign(secret, `link\n${campaignId}\n${exp}`))) return 'bad_signature';
  return Number(exp) > now ? 'ok' : 'expired';
}

/** A session token: `<exp>.<nonce>.<sig>`. */
export function issueSession(secret: Buffer, expiresAt: number): string {
  const body = `${Math.floor(expiresAt)}.${randomBytes(12).toString('base64url')}`;
  return `${body}.${sign(secret, `session\n${body}`)}`;
}

export function verifySession(secret: Buffer, token: string, now: number): Verdict {
  const match = /^(\d{1,12})\.([\w-]{1,40})\.([\w-]{43})$/.exec(token);
  if (!match || !sameText(match[3] as string, sign(secret, `session\n${match[1]}.${match[2]}`))) return 'bad_signature';
  return Number(match[1]) > now ? 'ok' : 'expired';
}

/** A bearer header or a login form's key against API_KEY, in constant time. */
export function isApiKey(given: string, apiKey: string | undefined): boolean {
  return apiKey !== undefined && apiKey.length > 0 && sameText(given, apiKey);
}
