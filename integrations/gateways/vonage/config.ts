import { z } from 'zod';
import { AppError } from '../../../src/common/errors.js';

/** How Vonage signs webhooks: chosen per account in the Dashboard (API settings → signature method). */
export const SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type SignatureMethod = (typeof SIGNATURE_METHODS)[number];

/**
 * The Vonage SMS API settings, by environment variable name (strings from the environment, numbers
 * coerced). Only VONAGE_API_KEY and VONAGE_API_SECRET are required to send; without
 * VONAGE_SIGNATURE_SECRET every webhook is refused, because an unsigned receipt or "STOP" could come
 * from anyone.
 */
export const vonageConfigSchema = z.object({
  VONAGE_API_KEY: z.string('is required: the API key from the Vonage Dashboard (API settings)').min(1, 'must not be empty'),
  VONAGE_API_SECRET: z.string('is required: the API secret from the Vonage Dashboard (API settings)').min(1, 'must not be empty'),
  VONAGE_SIGNATURE_SECRET: z.string().min(1, 'must not be empty: the signature secret from the Vonage Dashboard (API settings)').optional(),
  VONAGE_SIGNATURE_METHOD: z
    .enum(SIGNATURE_METHODS, `must be one of ${SIGNATURE_METHODS.join(', ')}, as set in the Vonage Dashboard`)
    .default('sha256'),
  VONAGE_API_BASE: z.url('must be a URL such as https://rest.nexmo.com').default('https://rest.nexmo.com'),
  /** Vonage counts requests, not segments: 30 per second per API key by default (status 1 above it). */
  VONAGE_MPS: z.coerce.number('must be a number').positive('must be a positive number of requests per second').default(30),
  VONAGE_MAX_IN_FLIGHT: z.coerce.number('must be a number').int('must be a whole number').positive('must be at least 1').default(10),
  /** The longest Retry-After honoured, in seconds; a longer one is cut to it so one answer cannot stall sending for long. */
  VONAGE_MAX_RETRY_AFTER_S: z.coerce.number().positive('must be a positive number of seconds').max(3600, 'must be at most 3600 seconds').default(60),
  PUBLIC_URL: z.url('must be the public https:// URL gateways use to reach this service').optional(),
});

export type VonageConfig = z.output<typeof vonageConfigSchema>;
export type VonageConfigInput = z.input<typeof vonageConfigSchema>;

/** Parses the settings, naming each bad variable and never echoing a value (they include secrets). */
export function parseVonageConfig(input: VonageConfigInput): VonageConfig {
  const parsed = vonageConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'} ${issue.message}`);
  throw new AppError('CONFIG_INVALID', `Vonage settings are invalid: ${problems.join('; ')}`, {
    hint: 'Set VONAGE_API_KEY and VONAGE_API_SECRET (and VONAGE_SIGNATURE_SECRET for webhooks) from the Vonage Dashboard.',
  });
}
