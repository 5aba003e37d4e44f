import fs from 'node:fs';
import { z } from 'zod';
import { AppError } from './common/errors.js';
import { priceTableSchema } from './messages/pricing.js';
import { hubspotConfigShape } from '../integrations/hubspot/config.js';
import { slackConfigSchema } from '../integrations/slack/config.js';

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const countryCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO country code such as RU or US')
  .transform((value) => value.toUpperCase());

/** Double opt-in: what a consent request says, how long a yes counts, and which replies mean yes. */
const consentRequestVariables = {
  CONSENT_REQUEST_TEXT: z.string().trim().min(1).max(1000).default('Ответьте ДА, чтобы получать наши предложения.'),
  CONSENT_REQUEST_WINDOW_HOURS: z.coerce.number().positive('must be a positive number of hours').max(24 * 90).default(72),
  CONSENT_YES_KEYWORDS: z
    .string()
    .transform((text) => text.split(',').map((word) => word.trim()).filter(Boolean))
    .pipe(z.array(z.string()).min(1, 'must list at least one word, such as ДА,YES'))
    .default(['ДА', 'DA', 'YES', 'Y', 'СОГЛАСЕН', 'СОГЛАСНА', 'AGREE']),
};

/**
 * Every environment variable the service reads, parsed once at start. `.env.example` documents
 * each one; keep the two in step (a test checks it).
 */
export const configSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  DEFAULT_COUNTRY: countryCode.default('RU'),
  DEFAULT_TIMEZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone name such as Europe/Moscow')
    .default('Europe/Moscow'),
  STORE_MAX_MB: z.coerce.number().positive('must be a positive number of megabytes').default(200),
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().positive('must be a positive number of hours').default(24),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL')
    .optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain schema name: lower-case letters, digits and underscores, such as smsbridge')
    .default('public'),
  SMS_PRICES: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON such as {"default":{"RU":3.5,"default":6}}' });
        return z.NEVER;
      }
    })
    .pipe(priceTableSchema)
    .default({ default: { default: 0 } }),
  SMS_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter currency code such as RUB or USD').default('RUB'),
  SMS_SENDER: z.string().min(1).optional(),
  SMS_GATEWAY: z.string().min(1).default('simulator'),
  SMS_FAILOVER_GATEWAY: z.string().min(1).optional(),
  SMS_ROUTES: z
    .string()
    .regex(/^\s*[A-Za-z]{2}\s*=\s*[a-z0-9_-]+\s*(,\s*[A-Za-z]{2}\s*=\s*[a-z0-9_-]+\s*)*$/, 'must be COUNTRY=gateway pairs, such as RU=smsru,KZ=smsru')
    .transform((text) => Object.fromEntries(text.split(',').map((pair) => pair.split('=').map((part) => part.trim())).map(([cc, gw]) => [(cc as string).toUpperCase(), gw as string])))
    .default({}),
  SIMULATOR_MPS: z.coerce.number().positive('must be a positive number of segments per second').default(100),
  SIMULATOR_SEED: z.string().min(1).optional(),
  SIMULATOR_ACCEPT_RATE: z.coerce.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  SIMULATOR_MAX_RETRY_AFTER_S: z.coerce.number().positive('must be a positive number of seconds').max(3600, 'must be at most 3600 seconds').default(60),
  TEST_SEND_REQUIRED_ABOVE: z.coerce.number().int().min(0).default(100),
  QUIET_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM-HH:MM in the recipient\'s local time, such as 21:00-09:00')
    .default('21:00-09:00'),
  QUIET_HOURS_APPLY_TO: z.enum(['marketing', 'all']).default('marketing'),
  FREQUENCY_CAP_MAX: z.coerce.number().int().min(1, 'must be at least 1').default(2),
  FREQUENCY_CAP_DAYS: z.coerce.number().int().min(1, 'must be at least 1').max(365).default(7),
  MINORS_AGE: z.coerce.number().int().min(1).max(99).default(18),
  BLOCK_UNKNOWN_AGE: z.enum(['true', 'false'], 'must be true or false').default('false').transform((v) => v === 'true'),
  AD_LABEL_RU: z.string().min(1).default('Реклама'),
  AD_LABEL_EN: z.string().min(1).default('Ad'),
  OPT_OUT_TEXT_RU: z.string().min(1).default('Отказ: СТОП в ответ'),
  OPT_OUT_TEXT_EN: z.string().min(1).default('Reply STOP to opt out'),
  API_KEY: z.string().min(16, 'must be at least 16 characters (generate one: openssl rand -hex 24)').optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url('must be the public https:// URL gateways use to reach this service').optional(),
  SHORT_LINK_BASE: z.url('must be the https:// URL short links start with, such as https://s.example.ru').optional(),
  CLICK_QUEUE_MAX: z.coerce.number().int().min(100, 'must be at least 100').default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'text'], 'must be auto, json or text').default('auto'),
  SHUTDOWN_GRACE_S: z.coerce.number().positive('must be a positive number of seconds').default(8),
  ATTRIBUTION_WINDOW_DAYS: z.coerce.number().positive('must be a positive number of days').max(365, 'must be at most 365 days').default(7),
  REPORT_LINK_SECRET: z.string().min(32, 'must be at least 32 characters (generate one: openssl rand -hex 32)').optional(),
  // Several instances on one PostgreSQL database (src/cluster).
  DELIVERY_LEASE_SECONDS: z.coerce.number().int().min(5, 'must be at least 5 seconds').max(3600).default(120),
  CLUSTER_RATE_WINDOW_MS: z.coerce.number().int().min(1000, 'must be at least 1000 ms (one second)').max(2000).default(1015),
  ...consentRequestVariables,
  // HubSpot (integrations/hubspot/config.ts): all optional; the HubSpot commands say what is missing.
  ...hubspotConfigShape,
})
  // Each integration validates its own variables.
  .extend(slackConfigSchema.shape);

/**
 * Gateway variables (TWILIO_*, VONAGE_*, SMSRU_*, SMPP_*, PUBLIC_URL) are kept as given: each gateway
 * validates its own with its config schema when it is first used, and says which variable is wrong.
 */
export type Config = z.infer<typeof configSchema> & { gatewayEnv: Record<string, string> };

const GATEWAY_VARIABLE = /^(TWILIO|VONAGE|SMSRU|SMPP|SIMULATOR)_|^PUBLIC_URL$/;

/** Turns empty strings into "unset", as `.env` files write `NAME=` for "no value". */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') result[key] = value;
  return result;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const given = withoutEmpty(env);
  const parsed = configSchema.safeParse(given);
  if (parsed.success) {
    const gatewayEnv = Object.fromEntries(Object.entries(given).filter(([key]) => GATEWAY_VARIABLE.test(key)));
    return { ...parsed.data, gatewayEnv };
  }
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  throw new AppError('CONFIG_INVALID', `Invalid configuration: ${problems.join('; ')}.`, {
    hint: 'Fix the variable in your environment or .env file; .env.example documents each one.',
    details: problems,
  });
}

/** Reads `.env` from the working directory when present; variables already set win. */
export function loadDotEnv(file = '.env'): void {
  if (fs.existsSync(file)) process.loadEnvFile(file);
}
