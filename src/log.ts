import { pino } from 'pino';
import type { Logger } from './common/logger.js';
import { maskPhonesInText } from './common/mask.js';

const SECRET_KEYS = /(token|secret|password|passwd|api[_-]?key|authorization|signature|cookie)/i;

/** Masks phone numbers in every string and hides values whose key names a secret, at any depth. */
export function sanitizeLogValue(value: unknown, key = '', depth = 0): unknown {
  if (SECRET_KEYS.test(key) && value !== undefined && value !== null && value !== '') return '[secret]';
  if (typeof value === 'string') return maskPhonesInText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: maskPhonesInText(value.message) };
  if (Array.isArray(value)) return value.map((item) => sanitizeLogValue(item, key, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = sanitizeLogValue(v, k, depth + 1);
  return out;
}

/**
 * Structured JSON lines on stderr (stdout belongs to the command's own output, so `--json` can be
 * piped), with phone numbers masked and secrets never printed.
 */
export function createLogger(options: { level: string; destination?: number }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'sms-bridge' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => sanitizeLogValue(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg) => (typeof arg === 'string' ? maskPhonesInText(arg) : arg));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    pino.destination({ fd: options.destination ?? 2, sync: true }),
  );
}
