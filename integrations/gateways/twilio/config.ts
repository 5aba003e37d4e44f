import { z } from 'zod';

/** Twilio's largest ValidityPeriod, in seconds (10 hours). https://www.twilio.com/docs/api/errors/90007 */
export const MAX_VALIDITY_SECONDS = 36_000;

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const SHORT_CODE = /^\d{3,8}$/;
// An alphanumeric sender ID: up to 11 letters, digits and spaces, with at least one letter.
const ALPHANUMERIC = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

const url = (what: string) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        return ['http:', 'https:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `must be an http(s) URL ${what}`)
    // Paths are appended to it, so a trailing slash would double up.
    .transform((value) => value.replace(/\/+$/, ''));

/**
 * The Twilio settings, read from the environment (strings, numbers coerced). Parse it only when a
 * Twilio gateway is configured: the account variables are required then. The output is the
 * `TwilioConfig` that `createTwilioGateway` takes.
 */
export const twilioConfigSchema = z
  .object({
    TWILIO_ACCOUNT_SID: z
      .string({ error: 'is required: your Account SID, from the Twilio Console (Account info)' })
      .trim()
      .regex(ACCOUNT_SID, 'must be your Account SID: "AC" and 32 hex characters, from the Twilio Console (Account info)'),
    TWILIO_AUTH_TOKEN: z
      .string({ error: 'is required: the Auth Token shown next to the Account SID in the Twilio Console' })
      .min(1, 'is required: the Auth Token shown next to the Account SID in the Twilio Console'),
    TWILIO_FROM: z
      .string()
      .trim()
      .refine(
        (value) => E164.test(value) || SHORT_CODE.test(value) || ALPHANUMERIC.test(value),
        'must be a Twilio number in E.164 form (+15017122661), a short code, or an alphanumeric sender ID of at most 11 characters',
      )
      .optional(),
    TWILIO_MESSAGING_SERVICE_SID: z
      .string()
      .trim()
      .regex(SERVICE_SID, 'must be a Messaging Service SID: "MG" and 32 hex characters')
      .optional(),
    TWILIO_API_BASE: url('such as https://api.twilio.com').default('https://api.twilio.com'),
    // A US long code sends 1 segment/s; toll-free 3, short codes ~100 (CONTRACTS Part C). Raise it to your sender's rate.
    TWILIO_MPS: z.coerce.number().positive('must be a positive number of segments per second (1 for a US long code)').default(1),
    // A cap: the dispatcher sizes the requests in flight from the rate and the measured latency (rate × latency × 2).
    TWILIO_MAX_IN_FLIGHT: z.coerce.number().int().positive('must be a positive whole number of concurrent requests').default(100),
    /** The longest Retry-After honoured, in seconds; a longer one is cut to it so one answer cannot stall sending for long. */
    TWILIO_MAX_RETRY_AFTER_S: z.coerce.number().positive('must be a positive number of seconds').max(3600, 'must be at most 3600 seconds').default(60),
    TWILIO_TIMEOUT_MS: z.coerce.number().int().min(1000, 'must be at least 1000 milliseconds').default(15_000),
    PUBLIC_URL: url('where Twilio reaches this service, such as https://sms.example.com')
      // Twilio refuses callback hosts with underscores (Message resource, StatusCallback).
      .refine((value) => !new URL(value).hostname.includes('_'), 'must not have an underscore in its host name: Twilio refuses such callback URLs')
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.TWILIO_FROM === undefined && env.TWILIO_MESSAGING_SERVICE_SID === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['TWILIO_FROM'],
        message: 'Set TWILIO_FROM (a Twilio number, short code or sender ID) or TWILIO_MESSAGING_SERVICE_SID (MG…): Twilio needs a sender',
      });
    }
  })
  .transform((env) => ({
    accountSid: env.TWILIO_ACCOUNT_SID,
    authToken: env.TWILIO_AUTH_TOKEN,
    from: env.TWILIO_FROM,
    messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
    apiBase: env.TWILIO_API_BASE,
    maxSegmentsPerSecond: env.TWILIO_MPS,
    maxInFlight: env.TWILIO_MAX_IN_FLIGHT,
    timeoutMs: env.TWILIO_TIMEOUT_MS,
    maxRetryAfterMs: env.TWILIO_MAX_RETRY_AFTER_S * 1000,
    /** Without it no StatusCallback is sent, and receipts come only from the Messaging Service's own callback or `lookup`. */
    publicUrl: env.PUBLIC_URL,
  }));

export type TwilioConfig = z.output<typeof twilioConfigSchema>;
/** The environment variables, as strings (numbers may also be given as numbers). */
export type TwilioEnv = z.input<typeof twilioConfigSchema>;
