import { z } from 'zod';

/** Where the SMSC listens, from SMPP_URL. */
export interface SmppEndpoint {
  host: string;
  port: number;
  tls: boolean;
}

const DEFAULT_PORTS = { 'smpp:': 2775, 'ssmpp:': 3550 } as const;

/** smpp://host[:port] or ssmpp://host[:port] (TLS); the ports default as in node-smpp (2775 / 3550). */
export function parseSmppUrl(value: string): SmppEndpoint | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'smpp:' && url.protocol !== 'ssmpp:') return undefined;
  if (url.hostname === '') return undefined;
  // An IPv6 literal comes back bracketed from URL; net.connect wants it bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port), tls: url.protocol === 'ssmpp:' };
}

const milliseconds = (min: number, fallback: number) =>
  z.coerce.number().int(`must be a whole number of milliseconds`).min(min, `must be at least ${min} milliseconds`).default(fallback);

/** 'auto' picks TON/NPI from the sender (alphanumeric → 5/0, short code → 3/0, other numbers → 1/1); a number forces it. */
const addressCode = (max: number) =>
  z.union([z.string(), z.number()]).default('auto').transform((value, ctx): number | 'auto' => {
    if (value === 'auto') return 'auto';
    const code = typeof value === 'string' && value.trim() === '' ? Number.NaN : Number(value);
    if (Number.isInteger(code) && code >= 0 && code <= max) return code;
    ctx.addIssue({ code: 'custom', message: `must be auto or a whole number from 0 to ${max}` });
    return z.NEVER;
  });

/** A comma-separated list of command_status values, hex (0x40A) or decimal (1034); an array passes as is. */
const statusList = z.union([z.string(), z.array(z.number())]).default([]).transform((value, ctx): number[] => {
  const items = Array.isArray(value) ? value : value.split(',').map((part) => part.trim()).filter(Boolean);
  const statuses: number[] = [];
  for (const item of items) {
    const status = Number(item);
    if (!Number.isInteger(status) || status <= 0) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not a command_status; write hex such as 0x40A or decimal, comma-separated` });
      return z.NEVER;
    }
    statuses.push(status);
  }
  return statuses;
});

/**
 * The SMPP gateway's environment variables (strings from the environment; numbers coerced).
 * A plain object schema, so src/config.ts can compose its shape; createSmppGateway takes its output.
 */
export const smppConfigSchema = z.object({
  SMPP_URL: z
    .string({ error: 'SMPP_URL is required: the SMSC address such as smpp://smsc.example.com:2775 (ssmpp:// for TLS)' })
    .refine((value) => parseSmppUrl(value) !== undefined, 'must be smpp://host[:port] or ssmpp://host[:port] (TLS)'),
  // SMPP 3.4 §4.1.1: system_id is a C-string of at most 16 octets with the NUL, system_type 13.
  SMPP_SYSTEM_ID: z
    .string({ error: 'SMPP_SYSTEM_ID is required: the account name (system_id) your SMSC gave you' })
    .min(1, 'SMPP_SYSTEM_ID is required: the account name (system_id) your SMSC gave you')
    .max(15, 'must be at most 15 characters (SMPP 3.4 system_id)'),
  SMPP_PASSWORD: z
    .string({ error: 'SMPP_PASSWORD is required: the password your SMSC gave you for this system_id' })
    .min(1, 'SMPP_PASSWORD is required: the password your SMSC gave you for this system_id'),
  SMPP_SYSTEM_TYPE: z.string().max(12, 'must be at most 12 characters (SMPP 3.4 system_type)').optional(),
  SMPP_MPS: z.coerce.number().positive('must be a positive number of segments per second').default(50),
  SMPP_WINDOW: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(10),
  SMPP_ENQUIRE_LINK_MS: milliseconds(1000, 30_000),
  SMPP_LONG_MESSAGES: z.enum(['udh', 'payload'], 'must be udh (concatenated parts) or payload (message_payload TLV)').default('udh'),
  SMPP_SOURCE_TON: addressCode(6),
  SMPP_SOURCE_NPI: addressCode(18),
  /** How long to wait for any response (bind, submit_sm, enquire_link) before giving up on it. */
  SMPP_RESPONSE_TIMEOUT_MS: milliseconds(100, 10_000),
  /** SMPP has no Retry-After: the first ESME_RTHROTTLED/ESME_RMSGQFUL asks to wait this long, doubling while it repeats. */
  SMPP_THROTTLE_BACKOFF_MS: milliseconds(1, 1000),
  /**
   * Vendor-specific command_status values (0x400-0x4FF) that mean "the recipient opted out". SMPP 3.4
   * has no such status, and the same vendor code means different things at different SMSCs, so none
   * is assumed: a wrong guess would record a consent change. Example: 0x40A at HollaTags ("DND").
   */
  /** The longest wait honoured after throttling (SMPP backoff), in seconds; a longer one is cut to it so one answer cannot stall sending for long. */
  SMPP_MAX_RETRY_AFTER_S: z.coerce.number().positive('must be a positive number of seconds').max(3600, 'must be at most 3600 seconds').default(60),
  SMPP_OPTED_OUT_STATUSES: statusList,
});

export type SmppConfig = z.output<typeof smppConfigSchema>;
/** What callers write: strings as in the environment, or already-typed values; defaults filled in. */
export type SmppConfigInput = z.input<typeof smppConfigSchema>;
