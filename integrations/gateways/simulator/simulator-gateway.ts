import type { Clock } from '../../../src/common/clock.js';
import type {
  DeliveryStatus,
  GatewayCapabilities,
  GatewayEvent,
  InboundEvent,
  OutboundSms,
  SendResult,
  SentLookup,
  SentQuery,
  SmsGateway,
  StatusEvent,
} from '../../../src/delivery/gateway.js';
import type { Timers } from '../../../src/delivery/timers.js';
import { checkMessage, SENDER_MAX_LENGTH, simulatedError } from './check-message.js';
import { simulatorConfigSchema } from './config.js';
import type { SimulatedFailure, SimulatorConfigInput } from './config.js';
import { planOutcome } from './plan-outcome.js';
import type { FinalReceipt, MessagePlan } from './plan-outcome.js';
import { hashHex } from './random.js';
import { createSegmentWindow } from './segment-window.js';
import { createTimerPool } from './timer-pool.js';

export interface SimulatorDeps {
  clock: Clock;
  timers: Timers;
  /** Receipts and replies go here: wire it to the same ingestion a real gateway's webhooks reach. */
  onEvents(events: GatewayEvent[]): void | Promise<void>;
}

export interface SimulatorStats {
  /** Calls to send, whatever their answer. */
  sent: number;
  accepted: number;
  /** Refused for good: by acceptRate or by the message checks. */
  rejected: number;
  /** Refused by the simulator's own rate limit (throttle: true). */
  throttled: number;
  /** Answered from failNext. */
  injected: number;
  delivered: number;
  undelivered: number;
  expired: number;
  replies: number;
  /** Event hand-offs that kept failing and were given up. */
  eventsDropped: number;
}

export type SimulatorGateway = SmsGateway & {
  lookup(providerMessageId: string): Promise<StatusEvent | undefined>;
  findSent(query: SentQuery): Promise<SentLookup>;
  verifyCredentials(): Promise<{ ok: true; detail: string }>;
  close(): Promise<void>;
  /** Resolves when no receipt, reply or answer is pending and every hand-off has settled. */
  drain(): Promise<void>;
  stats(): SimulatorStats;
  /** Test hook: the next sends fail with these, in order (appended to the configured failNext). */
  failNext(...failures: SimulatedFailure[]): void;
};

/** Failed hand-offs are offered again, like a carrier retrying a webhook that answered 5xx. */
const EVENT_ATTEMPTS = 3;
const EVENT_RETRY_MS = 1000;

/**
 * A fake carrier: no account, deterministic for a seed, with latency, rejections, throttling, delivery
 * receipts and replies, all delivered through `deps.onEvents` as a real gateway's webhooks would be.
 */
export function createSimulatorGateway(input: SimulatorConfigInput, deps: SimulatorDeps): SimulatorGateway {
  const config = simulatorConfigSchema.parse(input);
  const pool = createTimerPool(deps.timers);
  const window = createSegmentWindow(config.maxSegmentsPerSecond);
  const failures: SimulatedFailure[] = [...config.failNext];
  const statuses = new Map<string, StatusEvent>();
  const acceptedTimes = new Map<string, number>();
  /** Our message id → the provider id of its last accepted send: the "carrier" knows what it received. */
  const acceptedIds = new Map<string, string>();
  /** Since when this simulator remembers: a restarted one cannot speak for what an earlier one received. */
  const startedAt = deps.clock.now().getTime();
  const counts: SimulatorStats = { sent: 0, accepted: 0, rejected: 0, throttled: 0, injected: 0, delivered: 0, undelivered: 0, expired: 0, replies: 0, eventsDropped: 0 };
  let closed = false;
  const capabilities: GatewayCapabilities = {
    maxSegmentsPerSecond: config.maxSegmentsPerSecond,
    maxInFlight: config.maxInFlight,
    maxRetryAfterMs: config.maxRetryAfterMs,
    unicode: true,
    alphanumericSender: { allowed: true, maxLength: SENDER_MAX_LENGTH },
  };

  const now = (): string => deps.clock.now().toISOString();

  const emit = (events: GatewayEvent[], attempt = 1): void => {
    const retry = (): void => {
      if (attempt < EVENT_ATTEMPTS) pool.schedule(() => emit(events, attempt + 1), EVENT_RETRY_MS * attempt);
      else counts.eventsDropped++;
    };
    try {
      const handled = deps.onEvents(events);
      if (handled instanceof Promise) pool.track(handled.catch(retry));
    } catch {
      retry();
    }
  };

  const statusEvent = (message: OutboundSms, providerMessageId: string, receipt: { status: DeliveryStatus; providerCode?: string }): StatusEvent => ({
    type: 'status',
    gateway: config.id,
    providerMessageId,
    messageId: message.messageId,
    status: receipt.status,
    ...(receipt.providerCode === undefined ? {} : { providerCode: receipt.providerCode }),
    at: now(),
    key: `${providerMessageId}:${receipt.status}`,
  });

  const emitReply = (message: OutboundSms, providerMessageId: string, text: string): void => {
    counts.replies++;
    const id = `SIM-IN-${providerMessageId.slice('SIM-'.length)}`;
    const reply: InboundEvent = { type: 'inbound', gateway: config.id, providerMessageId: id, from: message.to, to: message.from, text, at: now(), key: id };
    emit([reply]);
  };

  const emitReceipt = (message: OutboundSms, providerMessageId: string, plan: Extract<MessagePlan, { accepted: true }>): void => {
    // The carrier stops trying at the validity period, so a late "delivery" becomes an expiry.
    const late = message.validUntil !== undefined && deps.clock.now().getTime() > message.validUntil.getTime();
    const receipt: FinalReceipt = late && plan.receipt.status === 'delivered' ? { status: 'expired', providerCode: 'EXPIRED' } : plan.receipt;
    const event = statusEvent(message, providerMessageId, receipt);
    statuses.set(providerMessageId, event);
    counts[receipt.status]++;
    const reply = receipt.status === 'delivered' ? plan.reply : undefined;
    if (reply) pool.schedule(() => emitReply(message, providerMessageId, reply.text), reply.delayMs);
    emit([event]);
  };

  const accept = (message: OutboundSms, plan: Extract<MessagePlan, { accepted: true }>, segments: number): SendResult => {
    // Hashed, not counted, so ids do not depend on send order; the repeat count keeps a re-send distinct.
    const repeat = acceptedTimes.get(message.messageId) ?? 0;
    acceptedTimes.set(message.messageId, repeat + 1);
    const providerMessageId = `SIM-${hashHex(`${config.seed}\u0000${message.messageId}\u0000${repeat}`)}`;
    counts.accepted++;
    acceptedIds.set(message.messageId, providerMessageId);
    statuses.set(providerMessageId, statusEvent(message, providerMessageId, { status: 'submitted' }));
    pool.schedule(() => emitReceipt(message, providerMessageId, plan), plan.receipt.delayMs);
    return { ok: true, providerMessageId, segments };
  };

  const answer = (message: OutboundSms): SendResult => {
    const injected = failures.shift();
    if (injected !== undefined) {
      counts.injected++;
      return { ok: false, error: simulatedError(injected) };
    }
    const checked = checkMessage(message);
    if ('error' in checked) {
      counts.rejected++;
      return { ok: false, error: checked.error };
    }
    const slot = config.throttle ? window.take(checked.segments, deps.clock.now().getTime()) : { ok: true as const };
    if (!slot.ok) {
      counts.throttled++;
      return { ok: false, error: simulatedError({ code: 'throttled', retryAfterMs: slot.retryAfterMs, message: `More than ${config.maxSegmentsPerSecond} segments in one second` }) };
    }
    const plan = planOutcome(config, message.messageId);
    if (plan.accepted) return accept(message, plan, checked.segments);
    counts.rejected++;
    return { ok: false, error: simulatedError(plan.code) };
  };

  /** Waits out the configured latency; false when the gateway was closed meanwhile. */
  const waitLatency = async (): Promise<boolean> => {
    if (config.latencyMs === 0) await Promise.resolve();
    else await new Promise<void>((resolve) => pool.schedule(resolve, config.latencyMs, resolve));
    return !closed;
  };

  return {
    id: config.id,
    capabilities: () => ({ ...capabilities, alphanumericSender: { ...capabilities.alphanumericSender } }),
    async send(message) {
      counts.sent++;
      // A closed simulator answers like an unreachable carrier: retryable, nothing was accepted.
      if (!(await waitLatency())) return { ok: false, error: simulatedError({ code: 'unavailable', message: 'The simulator is closed' }) };
      return answer(message);
    },
    lookup: async (providerMessageId) => {
      const event = statuses.get(providerMessageId);
      return event && { ...event };
    },
    findSent: async (query) => {
      const providerMessageId = acceptedIds.get(query.messageId);
      if (providerMessageId !== undefined) {
        const status = statuses.get(providerMessageId);
        return { found: 'sent', providerMessageId, ...(status ? { status: { ...status } } : {}) };
      }
      if (query.since.getTime() < startedAt) return { found: 'cannot_tell', reason: 'the simulator was restarted since the attempt and forgets what it received' };
      return { found: 'not_received' };
    },
    verifyCredentials: async () => ({ ok: true, detail: 'The simulator needs no account' }),
    async close() {
      closed = true;
      pool.cancelAll();
    },
    drain: () => pool.idle(),
    stats: () => ({ ...counts }),
    failNext: (...next) => {
      failures.push(...next);
    },
  };
}
