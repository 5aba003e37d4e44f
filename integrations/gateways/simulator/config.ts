import { z } from 'zod';

export { GATEWAY_ERROR_CODES } from '../../../src/delivery/gateway.js';
import { GATEWAY_ERROR_CODES } from '../../../src/delivery/gateway.js';

/** Free-text replies plus the English and Russian keywords the consent module acts on. */
export const DEFAULT_REPLY_TEXTS = [
  'Спасибо!',
  'Когда заканчивается акция?',
  'Thanks',
  'STOP',
  'СТОП',
  'START',
  'HELP',
  'ПОМОЩЬ',
] as const;

const errorCode = z.enum(GATEWAY_ERROR_CODES);
const rate = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const delayRange = z
  .tuple([z.number().int().min(0), z.number().int().min(0)])
  .refine(([min, max]) => min <= max, 'must be [min, max] milliseconds with min <= max');

/** A failure the next send returns: a code, or a code with the Retry-After the "carrier" gives. */
export const simulatedFailureSchema = z.union([
  errorCode,
  z.object({ code: errorCode, retryAfterMs: z.number().int().min(0).optional(), message: z.string().optional() }),
]);

export const simulatorConfigSchema = z.object({
  /** The gateway id carried on events; also the registry key. */
  id: z.string().min(1).default('simulator'),
  /** Same seed + same messages ⇒ same outcomes, whatever the send order. */
  seed: z.union([z.string(), z.number()]).transform(String).default('sms-bridge'),
  /** How long a send takes to answer; 0 answers on the next microtask. */
  latencyMs: z.number().int().min(0).default(0),
  /** Share of sends the "carrier" accepts; the rest are refused for good with one of rejectCodes. */
  acceptRate: rate.default(0.99),
  rejectCodes: z.array(errorCode).min(1).default(['invalid_number', 'blocked', 'message_rejected']),
  /** Share of accepted messages delivered; the rest end undelivered or expired. */
  deliveryRate: rate.default(0.95),
  receiptDelayMs: delayRange.default([200, 2000]),
  maxSegmentsPerSecond: z.number().positive().default(100),
  maxInFlight: z.number().int().positive().default(50),
  /** The longest Retry-After the dispatcher honours for the simulator (SIMULATOR_MAX_RETRY_AFTER_S). */
  maxRetryAfterMs: z.number().int().positive().default(60_000),
  /** Enforce maxSegmentsPerSecond per 1-second window by answering `throttled`, like a strict carrier. */
  throttle: z.boolean().default(false),
  /** Test hook: the next sends fail with these, in order, before anything else is considered. */
  failNext: z.array(simulatedFailureSchema).default([]),
  /** Share of delivered messages the recipient answers. */
  replyRate: rate.default(0.02),
  replyTexts: z.array(z.string().min(1)).min(1).default([...DEFAULT_REPLY_TEXTS]),
  replyDelayMs: delayRange.default([1000, 10_000]),
});

export type SimulatorConfig = z.output<typeof simulatorConfigSchema>;
/** What callers write: every field optional, defaults filled in by the schema. */
export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;
export type SimulatedFailure = z.output<typeof simulatedFailureSchema>;
