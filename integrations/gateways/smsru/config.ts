import { z } from 'zod';

/** The gateway id: the registry key, the webhook path segment (/webhooks/smsru/status) and `gateway` on events. */
export const SMSRU_GATEWAY_ID = 'smsru';

const flag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

/**
 * The SMS.ru settings, over the environment variable names (strings from the environment; numbers
 * coerced). src/config.ts composes this; the factory parses its input with it again, so tests and
 * callers can pass the raw strings.
 */
export const smsruConfigSchema = z.object({
  /** The account's API key (sms.ru → Settings → API); it also keys the callback `hash`. */
  SMSRU_API_ID: z
    .string({ message: 'is required: copy the api_id from the API page of your SMS.ru account' })
    .trim()
    .min(1, 'is required: copy the api_id from the API page of your SMS.ru account'),
  SMSRU_API_BASE: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://sms.ru' }).default('https://sms.ru'),
  /**
   * SMS.ru publishes no per-second limit for the HTTP API, so the default is deliberately modest:
   * 10 segments/s is 36k per hour, enough for most campaigns, and far below what would look like abuse.
   */
  SMSRU_MPS: z.coerce.number().positive('must be a positive number of segments per second').default(10),
  SMSRU_MAX_IN_FLIGHT: z.coerce.number().int().positive('must be a positive whole number of requests').default(5),
  /** The longest Retry-After honoured, in seconds; a longer one is cut to it so one answer cannot stall sending for long. */
  SMSRU_MAX_RETRY_AFTER_S: z.coerce.number().positive('must be a positive number of seconds').max(3600, 'must be at most 3600 seconds').default(60),
  /** Per-request timeout. A timeout after the request left is an unknown outcome, never retried blindly. */
  SMSRU_TIMEOUT_MS: z.coerce.number().int().min(1000, 'must be at least 1000 milliseconds').default(10_000),
  /**
   * Carried in the callback URL (`?secret=`), registered in the SMS.ru dashboard or with callback/add.
   * Checked on every status callback together with SMS.ru's own `hash`.
   */
  SMSRU_CALLBACK_SECRET: z
    .string({ message: 'is required: a random string of at least 16 characters (openssl rand -hex 24)' })
    .min(16, 'must be at least 16 characters (generate one: openssl rand -hex 24)'),
  /**
   * SMS.ru signs callbacks with `hash` = sha256(api_id + data[0] + data[1] + …). Kept switchable only
   * as an escape hatch should an account's callbacks arrive without it; the URL secret still applies.
   */
  SMSRU_CALLBACK_REQUIRE_HASH: flag.default(true),
  PUBLIC_URL: z.url('must be the public https:// URL SMS.ru uses to reach this service').optional(),
});

export type SmsRuConfig = z.output<typeof smsruConfigSchema>;
export type SmsRuConfigInput = z.input<typeof smsruConfigSchema>;
