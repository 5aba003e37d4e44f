import { pino } from 'pino';
import type { Logger } from './common/logger.js';
import { looksLikePhone, maskPhone, maskPhonesInText } from './common/mask.js';

const SECRET_KEYS = /(token|secret|password|passwd|api[_-]?key|authorization|signature|cookie)/i;
// Fields that hold a phone number, whatever its shape (a national number without its +, too).
const PHONE_KEYS = /^(to|from|phone|phones|msisdn|recipient|recipients|number|e164|sender|destination|mobile)$|phone/i;
// Fields that hold an id or a key: never masked, so a log line can be matched to the data.
const ID_KEYS = /(id|ids|sid|key|keys|ref)$/i;

function sanitizeString(value: string, key: string): string {
  if (PHONE_KEYS.test(key)) return looksLikePhone(value) ? maskPhone(value) : maskPhonesInText(value);
  if (ID_KEYS.test(key)) return value;
  // A value that is a bare phone number (an import's rejected cell) is masked whatever its field.
  if (looksLikePhone(value)) return maskPhone(value);
  return maskPhonesInText(value);
}

/**
 * Masks phone numbers (by field name, by a whole value shaped like one, and E.164-looking numbers
 * inside text) and hides values whose key names a secret, at any depth. Ids are never masked.
 */
export function sanitizeLogValue(value: unknown, key = '', depth = 0): unknown {
  if (SECRET_KEYS.test(key) && value !== undefined && value !== null && value !== '') return '[secret]';
  if (typeof value === 'string') return sanitizeString(value, key);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: maskPhonesInText(value.message) };
  if (Array.isArray(value)) return value.map((item) => sanitizeLogValue(item, key, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = sanitizeLogValue(v, k, depth + 1);
  return out;
}

export type LogFormat = 'json' | 'text';

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };
const HIDDEN_IN_TEXT = new Set(['level', 'time', 'service', 'pid', 'hostname', 'msg']);

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') return (value as { message: string }).message;
  return JSON.stringify(value);
}

/** One JSON log line as a sentence a person reads: `warning: <message> (key: value, ...)`. */
export function logLineAsText(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = LEVEL_NAMES[Number(record.level)] ?? 'log';
  const details = Object.entries(record)
    .filter(([key, value]) => !HIDDEN_IN_TEXT.has(key) && value !== undefined)
    .map(([key, value]) => `${key}: ${describeValue(value)}`);
  return `${level}: ${String(record.msg ?? '')}${details.length ? ` (${details.join(', ')})` : ''}\n`;
}

/** In text form an ordinary command stays quiet below warnings unless debug output was asked for. */
function textLevel(level: string): string {
  return ['debug', 'trace', 'warn', 'error', 'fatal', 'silent'].includes(level) ? level : 'warn';
}

/**
 * The logger. `json`: structured JSON lines on stderr (the service's form, for log collectors).
 * `text`: plain sentences on stderr, warnings and errors only at the default level (an ordinary
 * command on a terminal). Either way stdout belongs to the command's own output, so `--json` can be
 * piped, phone numbers are masked and secrets never printed.
 */
export function createLogger(options: { level: string; format?: LogFormat; destination?: number }): Logger {
  const format = options.format ?? 'json';
  const destination =
    format === 'text'
      ? { write: (line: string) => void process.stderr.write(logLineAsText(line)) }
      : pino.destination({ fd: options.destination ?? 2, sync: true });
  return pino(
    {
      level: format === 'text' ? textLevel(options.level) : options.level,
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
    destination,
  );
}
