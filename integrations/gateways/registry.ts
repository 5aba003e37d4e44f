import type { Clock } from '../../src/common/clock.js';
import type { GatewayEvent, SmsGateway } from '../../src/delivery/gateway.js';
import type { Timers } from '../../src/delivery/timers.js';
import type { z } from 'zod';
import { AppError } from '../../src/common/errors.js';
import { createSimulatorGateway } from './simulator/index.js';
import { createSmppGateway, smppConfigSchema } from './smpp/index.js';
import { createSmsRuGateway, smsruConfigSchema } from './smsru/index.js';
import type { SmsRuConfigInput } from './smsru/index.js';
import { createTwilioGateway, twilioConfigSchema } from './twilio/index.js';
import { createVonageGateway, vonageConfigSchema } from './vonage/index.js';

/** Validates one gateway's variables, naming each wrong one and what to set. */
function gatewayConfig<T extends z.ZodType>(schema: T, env: Record<string, string>, name: string): z.output<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || name}: ${issue.message}`);
  throw new AppError('CONFIG_INVALID', `The ${name} gateway is not configured: ${problems.join('; ')}.`, {
    hint: `Set the ${name} variables (see .env.example), or choose another gateway with SMS_GATEWAY.`,
  });
}

export interface GatewayDeps {
  clock: Clock;
  timers: Timers;
  /** Receipts and replies a gateway pushes itself (the simulator; later SMPP deliver_sm). */
  onEvents(events: GatewayEvent[]): void | Promise<void>;
}

/** Settings shared by every gateway, from the environment. */
export interface GatewaySettings {
  /** The gateway variables as set (TWILIO_*, VONAGE_*, ...): each adapter validates its own. */
  env: Record<string, string>;
  maxSegmentsPerSecond: number;
  /** The simulator's Retry-After bound (SIMULATOR_MAX_RETRY_AFTER_S), in milliseconds. */
  maxRetryAfterMs?: number;
  seed?: string;
  /** Simulator timings, so a demo or a test need not wait for realistic receipt delays. */
  receiptDelayMs?: [number, number];
  replyDelayMs?: [number, number];
  replyRate?: number;
  /** Share of messages the simulator accepts (a short demo wants no random refusals). */
  acceptRate?: number;
}

/** One line per gateway: adding a gateway means adding its folder and its line here. */
export const GATEWAYS: Record<string, (settings: GatewaySettings, deps: GatewayDeps) => SmsGateway> = {
  simulator: (settings, deps) =>
    createSimulatorGateway(
      {
        maxSegmentsPerSecond: settings.maxSegmentsPerSecond,
        ...(settings.seed ? { seed: settings.seed } : {}),
        ...(settings.maxRetryAfterMs ? { maxRetryAfterMs: settings.maxRetryAfterMs } : {}),
        ...(settings.receiptDelayMs ? { receiptDelayMs: settings.receiptDelayMs } : {}),
        ...(settings.replyDelayMs ? { replyDelayMs: settings.replyDelayMs } : {}),
        ...(settings.replyRate !== undefined ? { replyRate: settings.replyRate } : {}),
        ...(settings.acceptRate !== undefined ? { acceptRate: settings.acceptRate } : {}),
      },
      deps,
    ),
  twilio: (settings, deps) => createTwilioGateway(gatewayConfig(twilioConfigSchema, settings.env, 'Twilio'), deps),
  vonage: (settings, deps) => createVonageGateway(gatewayConfig(vonageConfigSchema, settings.env, 'Vonage'), deps),
  smsru: (settings, deps) => {
    // Checked here for the registry's uniform error; the adapter takes the raw variables and parses them itself.
    gatewayConfig(smsruConfigSchema, settings.env, 'SMS.ru');
    return createSmsRuGateway(settings.env as SmsRuConfigInput, deps);
  },
  smpp: (settings, deps) => createSmppGateway(gatewayConfig(smppConfigSchema, settings.env, 'SMPP'), deps),
};
