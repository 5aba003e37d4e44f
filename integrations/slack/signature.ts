import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window: a request signed more than five minutes ago (or ahead) is refused. */
export const SLACK_REPLAY_WINDOW_SECONDS = 300;

export type SignatureCheck = 'ok' | 'missing' | 'stale' | 'mismatch';

/**
 * Slack's v0 request signature: `v0=` + hex HMAC-SHA256(secret, `v0:<timestamp>:<raw body>`), with the
 * timestamp in epoch seconds, compared in constant time.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export function checkSlackSignature(input: { signingSecret: string; rawBody: string; timestamp: string | undefined; signature: string | undefined; now: Date }): SignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return 'missing';
  if (Math.abs(input.now.getTime() / 1000 - Number(timestamp)) > SLACK_REPLAY_WINDOW_SECONDS) return 'stale';
  const expected = Buffer.from(signSlackRequest(input.signingSecret, timestamp, input.rawBody));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'mismatch';
}

/** The `X-Slack-Signature` value for a body (tests and local stand-ins sign with it). */
export function signSlackRequest(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}
