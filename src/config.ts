import fs from 'node:fs';
import { z } from 'zod';
import { AppError } from './common/errors.js';

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
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

/** Turns empty strings into "unset", as `.env` files write `NAME=` for "no value". */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') result[key] = value;
  return result;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(withoutEmpty(env));
  if (parsed.success) return parsed.data;
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
