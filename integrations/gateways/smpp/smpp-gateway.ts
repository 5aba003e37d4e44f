import type { PDU } from 'smpp';
import type { Clock } from '../../../src/common/clock.js';
import type { GatewayCapabilities, GatewayError, GatewayEvent, OutboundSms, SendResult, SentLookup, SentQuery, SmsGateway } from '../../../src/delivery/gateway.js';
import type { Timers } from '../../../src/delivery/timers.js';
import { parseSmppUrl, smppConfigSchema } from './config.js';
import type { SmppConfigInput } from './config.js';
import { parseDeliverSm } from './deliver.js';
import { buildSubmits, MAX_ALPHANUMERIC_SENDER } from './encode.js';
import type { SubmitFields } from './encode.js';
import { mapCommandStatus, statusFromMessageState, statusLabel } from './map-error.js';
import { createReassembler } from './reassemble.js';
import { createSmppSession } from './session.js';
import type { LinkState, Readiness, SubmitOutcome } from './session.js';

export interface SmppDeps {
  clock: Clock;
  timers: Timers;
  /** Receipts and inbound messages, from deliver_sm; a rejection asks the SMSC to redeliver later. */
  onEvents(events: GatewayEvent[]): void | Promise<void>;
  /** Link state changes, for logs and health checks. */
  onLinkState?(state: LinkState): void;
}

export type SmppGateway = SmsGateway & {
  verifyCredentials(): Promise<{ ok: true; detail: string } | { ok: false; detail: string }>;
  findSent(query: SentQuery): Promise<SentLookup>;
  close(): Promise<void>;
  /** Binds now rather than on the first send, so receipts and replies arrive while nothing is sent. */
  start(): Promise<void>;
  linkState(): LinkState;
};

export const SMPP_GATEWAY_ID = 'smpp';
/** Sends of later parts retried after ESME_RTHROTTLED/ESME_RMSGQFUL before the message counts as partly sent. */
const PART_ATTEMPTS = 3;
const MAX_THROTTLE_BACKOFF_MS = 60_000;
/** Part ids of multi-part messages remembered so their receipts are folded per message (see `send`). */
const REMEMBERED_PART_IDS = 50_000;

/**
 * An SMPP 3.4 ESME over one bind_transceiver (npm `smpp`). Long messages go out as UDH-concatenated
 * parts or in message_payload; receipts and replies arrive as deliver_sm and go to `deps.onEvents`.
 */
export function createSmppGateway(input: SmppConfigInput, deps: SmppDeps): SmppGateway {
  const config = smppConfigSchema.parse(input);
  const endpoint = parseSmppUrl(config.SMPP_URL)!;
  const where = `${endpoint.host}:${endpoint.port}`;
  const reassembler = createReassembler();
  /** Each part's message_id → the message's (its first part's) id and part count. */
  const partOf = new Map<string, { headId: string; total: number }>();
  let reference = Math.floor(deps.clock.now().getTime() / 1000) & 0xff;
  let throttleStreak = 0;
  let closed = false;

  const now = (): string => deps.clock.now().toISOString();

  const onDeliver = async (pdu: PDU, linkId: string): Promise<number> => {
    const delivered = parseDeliverSm(pdu);
    if (delivered.kind === 'unusable') return 0;
    if (delivered.kind === 'receipt') {
      // Each part of a long message has its own receipt: it names its message by the first part's id,
      // and the outbox decides the message when every part has answered (any failed part fails it).
      const { receiptedId, status, providerCode } = delivered;
      const part = partOf.get(receiptedId);
      await deps.onEvents([{
        type: 'status', gateway: SMPP_GATEWAY_ID, providerMessageId: part?.headId ?? receiptedId, status, providerCode, at: now(), key: `${receiptedId}:${status}`,
        ...(part ? { part: { id: receiptedId, total: part.total } } : {}),
      }]);
      return 0;
    }
    const whole = reassembler.add(delivered);
    if (!whole) return 0;
    // deliver_sm carries no message id: the bind (linkId) and the SMSC's sequence number name it.
    const id = `in-${linkId}-${pdu.sequence_number}`;
    await deps.onEvents([{ type: 'inbound', gateway: SMPP_GATEWAY_ID, providerMessageId: id, from: whole.from, to: whole.to, text: whole.text, at: now(), key: id }]);
    reassembler.forget(whole.key);
    return 0;
  };

  const session = createSmppSession(
    {
      endpoint,
      systemId: config.SMPP_SYSTEM_ID,
      password: config.SMPP_PASSWORD,
      ...(config.SMPP_SYSTEM_TYPE ? { systemType: config.SMPP_SYSTEM_TYPE } : {}),
      window: config.SMPP_WINDOW,
      enquireLinkMs: config.SMPP_ENQUIRE_LINK_MS,
      responseTimeoutMs: config.SMPP_RESPONSE_TIMEOUT_MS,
    },
    { clock: deps.clock, timers: deps.timers, onDeliver, ...(deps.onLinkState ? { onState: deps.onLinkState } : {}) },
  );

  const throttleDelay = (): number => Math.min(config.SMPP_THROTTLE_BACKOFF_MS * 2 ** Math.max(0, throttleStreak - 1), MAX_THROTTLE_BACKOFF_MS);

  const refusal = (status: number): GatewayError => {
    const error = mapCommandStatus(status, { optedOutStatuses: config.SMPP_OPTED_OUT_STATUSES });
    if (error.code !== 'throttled') return error;
    // SMPP has no Retry-After: back off, doubling while the SMSC keeps throttling.
    throttleStreak++;
    return { ...error, retryAfterMs: throttleDelay() };
  };

  const outcomeError = (outcome: Exclude<SubmitOutcome, { kind: 'answered' }>): GatewayError =>
    outcome.kind === 'not_sent'
      ? { code: 'unavailable', retryable: true, message: `Not sent: ${outcome.detail}` }
      : { code: 'timeout', retryable: false, outcomeUnknown: true, message: `${outcome.detail}; the SMSC may have accepted the message` };

  const linkError = (readiness: Extract<Readiness, { ok: false }>): GatewayError => {
    const { failure } = readiness;
    if (closed) return { code: 'unavailable', retryable: true, message: 'The SMPP gateway is closed' };
    if (failure?.kind === 'bind_refused') {
      const mapped = mapCommandStatus(failure.status);
      return { ...mapped, message: `The SMSC at ${where} refused the bind: ${statusLabel(failure.status)}` };
    }
    const error: GatewayError = { code: 'unavailable', retryable: true, message: `The SMPP link to ${where} is down (${failure?.detail ?? 'not bound'})` };
    if (readiness.retryInMs !== undefined) error.retryAfterMs = readiness.retryInMs;
    return error;
  };

  const waitMs = (ms: number): Promise<void> => new Promise((resolve) => deps.timers.setTimeout(resolve, ms));

  /** Noted as the answer arrives, before a receipt for that part (often in the same read) is handled. */
  const rememberPart = (total: number, headId?: string) => (outcome: SubmitOutcome): void => {
    if (outcome.kind !== 'answered' || outcome.status !== 0 || !outcome.messageId) return;
    partOf.set(outcome.messageId, { headId: headId ?? outcome.messageId, total });
    if (partOf.size > REMEMBERED_PART_IDS) partOf.delete(partOf.keys().next().value!);
  };

  /** A later part: retried on throttling, since the parts already sent wait for it at the handset. */
  const submitLaterPart = async (fields: SubmitFields, remember: (outcome: SubmitOutcome) => void): Promise<SubmitOutcome> => {
    let outcome = await session.submit(fields, remember);
    for (let attempt = 1; attempt < PART_ATTEMPTS && outcome.kind === 'answered' && mapCommandStatus(outcome.status).code === 'throttled'; attempt++) {
      throttleStreak++;
      await waitMs(throttleDelay());
      outcome = await session.submit(fields, remember);
    }
    return outcome;
  };

  const send = async (message: OutboundSms): Promise<SendResult> => {
    if (closed) return { ok: false, error: { code: 'unavailable', retryable: true, message: 'The SMPP gateway is closed' } };
    reference = (reference + 1) & 0xff;
    const encoded = buildSubmits(message, { longMessages: config.SMPP_LONG_MESSAGES, sourceTon: config.SMPP_SOURCE_TON, sourceNpi: config.SMPP_SOURCE_NPI }, reference);
    if (!encoded.ok) return encoded;
    const readiness = await session.ready();
    if (!readiness.ok) return { ok: false, error: linkError(readiness) };
    const [first, ...rest] = encoded.submits;
    const total = encoded.submits.length;
    const head = await session.submit(first!, total > 1 ? rememberPart(total) : undefined);
    if (head.kind !== 'answered') return { ok: false, error: outcomeError(head) };
    if (head.status !== 0) return { ok: false, error: refusal(head.status) };
    // Receipts refer to message_id; an SMSC that returns none still accepted the message.
    const providerMessageId = head.messageId || `${SMPP_GATEWAY_ID}-${message.messageId}`;
    for (const [index, part] of rest.entries()) {
      const outcome = await submitLaterPart(part, rememberPart(total, providerMessageId));
      if (outcome.kind === 'answered' && outcome.status === 0) continue;
      const cause = outcome.kind === 'answered' ? refusal(outcome.status) : outcomeError(outcome);
      // Earlier parts are on their way: a retry would deliver them twice, so the outcome is unknown.
      const sent = `parts 1-${index + 1} of ${encoded.submits.length} were accepted as ${providerMessageId}`;
      return { ok: false, error: { ...cause, retryable: false, outcomeUnknown: true, providerMessageId, message: `${cause.message}; ${sent}` } };
    }
    throttleStreak = 0;
    return { ok: true, providerMessageId, segments: encoded.segments };
  };

  /**
   * query_sm for a message whose outcome was lost but whose id the SMSC returned (a long message cut
   * off after its first parts). Without an id SMPP offers no way to ask, so the answer is cannot_tell.
   */
  const findSent = async (query: SentQuery): Promise<SentLookup> => {
    if (!query.providerMessageId) return { found: 'cannot_tell', reason: 'SMPP can be asked only about a message id the SMSC returned' };
    const built = buildSubmits({ messageId: query.messageId, to: query.to, from: query.from, text: ' ', encoding: 'GSM-7', segments: 1 }, { longMessages: config.SMPP_LONG_MESSAGES, sourceTon: config.SMPP_SOURCE_TON, sourceNpi: config.SMPP_SOURCE_NPI }, 0);
    if (!built.ok) return { found: 'cannot_tell', reason: built.error.message };
    const { source_addr_ton, source_addr_npi, source_addr } = built.submits[0]!;
    const readiness = await session.ready();
    if (!readiness.ok) return { found: 'cannot_tell', reason: linkError(readiness).message };
    const answer = await session.query({ message_id: query.providerMessageId, source_addr_ton, source_addr_npi, source_addr });
    if (answer.kind !== 'answered') return { found: 'cannot_tell', reason: `query_sm: ${answer.detail}` };
    if (answer.status !== 0) return { found: 'cannot_tell', reason: `query_sm refused: ${statusLabel(answer.status)}` };
    const mapped = answer.messageState === undefined ? undefined : statusFromMessageState(answer.messageState);
    // The SMSC knows the id: it received the message, whatever state it is in now.
    if (!mapped) return { found: 'sent', providerMessageId: query.providerMessageId };
    const status = mapped.status;
    return {
      found: 'sent', providerMessageId: query.providerMessageId,
      status: { type: 'status', gateway: SMPP_GATEWAY_ID, providerMessageId: query.providerMessageId, messageId: query.messageId, status, providerCode: mapped.providerCode, at: now(), key: `${query.providerMessageId}:query:${status}` },
    };
  };

  const capabilities: GatewayCapabilities = {
    maxSegmentsPerSecond: config.SMPP_MPS,
    maxInFlight: config.SMPP_WINDOW,
    maxRetryAfterMs: config.SMPP_MAX_RETRY_AFTER_S * 1000,
    unicode: true,
    alphanumericSender: { allowed: true, maxLength: MAX_ALPHANUMERIC_SENDER },
  };

  return {
    id: SMPP_GATEWAY_ID,
    capabilities: () => ({ ...capabilities, alphanumericSender: { ...capabilities.alphanumericSender } }),
    send,
    findSent,
    async verifyCredentials() {
      const readiness = await session.ready();
      if (readiness.ok) return { ok: true, detail: `Bound to ${where} as ${config.SMPP_SYSTEM_ID}` };
      return { ok: false, detail: linkError(readiness).message };
    },
    async start() {
      if (!closed) await session.ready();
    },
    linkState: () => session.state(),
    async close() {
      closed = true;
      await session.close();
    },
  };
}
