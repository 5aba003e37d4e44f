import { fixedClock } from '../../src/common/clock.js';
import type { Clock } from '../../src/common/clock.js';
import type {
  DeliveryStatus,
  GatewayCapabilities,
  GatewayError,
  GatewayErrorCode,
  GatewayEvent,
  InboundEvent,
  OutboundSms,
  SendResult,
  SentLookup,
  SentQuery,
  SmsGateway,
  StatusEvent,
} from '../../src/delivery/gateway.js';

/** Decides the answer to one send; `attempt` counts sends of the same messageId, from 1. */
export type FakeResponder = (message: OutboundSms, attempt: number) => SendResult | Promise<SendResult>;

export interface FakeGatewayOptions {
  id?: string;
  capabilities?: Partial<GatewayCapabilities>;
  /** Stamps event times; a fixed clock by default so events are reproducible. */
  clock?: Clock;
  /** Called with every emitted event, as the service's event ingestion would be. */
  onEvents?: (events: GatewayEvent[]) => void | Promise<void>;
  /** The answer when the queue is empty; accepts everything by default. */
  respond?: FakeResponder;
}

export interface FakeGateway extends SmsGateway {
  /** Every message handed to send, in call order, whatever the answer. */
  readonly sent: OutboundSms[];
  /** Every event emitted so far. */
  readonly events: GatewayEvent[];
  /** Replaces the default responder (used when the queue is empty). */
  respondWith(responder: FakeResponder): void;
  /** Answers for the next sends, in order, before the responder is asked. */
  enqueue(...results: (SendResult | FakeResponder)[]): void;
  setCapabilities(capabilities: Partial<GatewayCapabilities>): void;
  /** Messages accepted so far with the id they were given. */
  accepted(): { message: OutboundSms; providerMessageId: string }[];
  /** Emits a delivery receipt for an accepted message (or any id: an unknown id is allowed on purpose). */
  emitStatus(providerMessageId: string, status: DeliveryStatus, extra?: Partial<StatusEvent>): StatusEvent;
  emitInbound(reply: { from: string; to: string; text: string; providerMessageId?: string }): InboundEvent;
  /** Emits `status` for every accepted message that has no final receipt yet; returns them. */
  deliverAll(status?: DeliveryStatus): StatusEvent[];
  /** Sends whose answer is not back yet, and the most there ever were at once (for concurrency tests). */
  inFlight(): number;
  peakInFlight(): number;
  readonly closed: boolean;
  lookup(providerMessageId: string): Promise<StatusEvent | undefined>;
  /** Knows every message it accepted: `sent` for those, `not_received` for the rest. */
  findSent(query: SentQuery): Promise<SentLookup>;
  verifyCredentials(): Promise<{ ok: true; detail: string }>;
  close(): Promise<void>;
}

const RETRYABLE: ReadonlySet<GatewayErrorCode> = new Set(['throttled', 'unavailable']);

/** A failure as the port describes it; retryable for throttled/unavailable, outcomeUnknown for timeout. */
export function gatewayFailure(code: GatewayErrorCode, overrides: Partial<GatewayError> = {}): SendResult {
  const error: GatewayError = { code, retryable: RETRYABLE.has(code), message: `fake ${code}` };
  if (code === 'timeout') error.outcomeUnknown = true;
  return { ok: false, error: { ...error, ...overrides } };
}

export function gatewayAccepted(providerMessageId: string, extra: { segments?: number; cost?: number } = {}): SendResult {
  return { ok: true, providerMessageId, ...extra };
}

const DEFAULT_CAPABILITIES: GatewayCapabilities = {
  maxSegmentsPerSecond: 1000,
  maxInFlight: 100,
  unicode: true,
  alphanumericSender: { allowed: true, maxLength: 11 },
};

/** An in-memory SmsGateway for tests: records what it is given and answers from a script. */
export function createFakeGateway(options: FakeGatewayOptions = {}): FakeGateway {
  const id = options.id ?? 'fake';
  const clock = options.clock ?? fixedClock('2026-03-02T10:00:00.000Z');
  let capabilities: GatewayCapabilities = { ...DEFAULT_CAPABILITIES, ...options.capabilities };
  let counter = 0;
  let responder: FakeResponder = options.respond ?? (() => gatewayAccepted(`FAKE-${++counter}`));
  const queue: (SendResult | FakeResponder)[] = [];
  const sent: OutboundSms[] = [];
  const events: GatewayEvent[] = [];
  const attempts = new Map<string, number>();
  const acceptedMessages: { message: OutboundSms; providerMessageId: string }[] = [];
  const statuses = new Map<string, StatusEvent>();
  let inFlight = 0;
  let peak = 0;
  let closed = false;

  const emit = (event: GatewayEvent): void => {
    events.push(event);
    void options.onEvents?.([event]);
  };

  const answer = async (message: OutboundSms, attempt: number): Promise<SendResult> => {
    const next = queue.shift() ?? responder;
    const result = typeof next === 'function' ? await next(message, attempt) : next;
    if (result.ok) {
      acceptedMessages.push({ message, providerMessageId: result.providerMessageId });
      const submitted: StatusEvent = { type: 'status', gateway: id, providerMessageId: result.providerMessageId, messageId: message.messageId, status: 'submitted', at: clock.now().toISOString(), key: `${result.providerMessageId}:submitted` };
      statuses.set(result.providerMessageId, submitted);
    }
    return result;
  };

  const gateway: FakeGateway = {
    id,
    sent,
    events,
    get closed() {
      return closed;
    },
    capabilities: () => ({ ...capabilities, alphanumericSender: { ...capabilities.alphanumericSender } }),
    async send(message) {
      sent.push(message);
      const attempt = (attempts.get(message.messageId) ?? 0) + 1;
      attempts.set(message.messageId, attempt);
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        return await answer(message, attempt);
      } finally {
        inFlight--;
      }
    },
    respondWith(next) {
      responder = next;
    },
    enqueue(...results) {
      queue.push(...results);
    },
    setCapabilities(next) {
      capabilities = { ...capabilities, ...next };
    },
    accepted: () => [...acceptedMessages],
    emitStatus(providerMessageId, status, extra = {}) {
      const messageId = acceptedMessages.find((entry) => entry.providerMessageId === providerMessageId)?.message.messageId;
      const event: StatusEvent = {
        type: 'status',
        gateway: id,
        providerMessageId,
        ...(messageId === undefined ? {} : { messageId }),
        status,
        at: clock.now().toISOString(),
        key: `${providerMessageId}:${status}`,
        ...extra,
      };
      statuses.set(providerMessageId, event);
      emit(event);
      return event;
    },
    emitInbound(reply) {
      const providerMessageId = reply.providerMessageId ?? `FAKE-IN-${events.length + 1}`;
      const event: InboundEvent = { type: 'inbound', gateway: id, providerMessageId, from: reply.from, to: reply.to, text: reply.text, at: clock.now().toISOString(), key: providerMessageId };
      emit(event);
      return event;
    },
    deliverAll(status = 'delivered') {
      return acceptedMessages
        .filter(({ providerMessageId }) => statuses.get(providerMessageId)?.status === 'submitted')
        .map(({ providerMessageId }) => gateway.emitStatus(providerMessageId, status));
    },
    lookup: async (providerMessageId) => {
      const event = statuses.get(providerMessageId);
      return event && { ...event };
    },
    findSent: async (query) => {
      const found = [...acceptedMessages].reverse().find(({ message }) => message.messageId === query.messageId);
      if (!found) return { found: 'not_received' };
      const status = statuses.get(found.providerMessageId);
      return { found: 'sent', providerMessageId: found.providerMessageId, ...(status ? { status: { ...status } } : {}) };
    },
    verifyCredentials: async () => ({ ok: true, detail: 'fake gateway' }),
    inFlight: () => inFlight,
    peakInFlight: () => peak,
    async close() {
      closed = true;
    },
  };
  return gateway;
}
