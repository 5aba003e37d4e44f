import type { Encoding } from '../messages/encoding.js';

/**
 * The gateway port: what the sending engine needs from an SMS gateway (simulator, Twilio, Vonage,
 * SMS.ru, SMPP). One folder per implementation under integrations/gateways/, one line in the registry.
 * `send` never throws for a per-recipient failure: it returns the failure as a value, so one bad
 * number never aborts a batch. Infrastructure failures (the process cannot reach anything) may throw.
 */
export interface SmsGateway {
  readonly id: string;
  capabilities(): GatewayCapabilities;
  send(message: OutboundSms): Promise<SendResult>;
  /** Turns a verified status webhook into events (absent for gateways that push receipts otherwise). */
  parseStatus?(request: WebhookRequest): GatewayEvent[];
  /** Turns a verified inbound-message webhook into events. */
  parseInbound?(request: WebhookRequest): GatewayEvent[];
  /** Checks a webhook's signature and replay window; false means answer 401 and do nothing. */
  verifyWebhook?(request: WebhookRequest, now: Date): boolean;
  /** What the gateway expects back from an accepted webhook (Twilio: empty TwiML; SMS.ru: "100"); default 204. */
  webhookAnswer?(kind: 'status' | 'inbound'): { status: number; contentType: string; body: string };
  /** Asks the gateway what became of a message (for `unknown` rows after a crash), where it can. */
  lookup?(providerMessageId: string): Promise<StatusEvent | undefined>;
  /**
   * For a message whose send outcome was lost (no provider id known: the process died or the answer
   * never came), asks the gateway whether it received it, matching by recipient, sender, text and time.
   * Only a gateway that can see everything it received answers `not_received`; otherwise `cannot_tell`.
   */
  findSent?(query: SentQuery): Promise<SentLookup>;
  /** One cheap authenticated call, for `smsbridge doctor`. */
  verifyCredentials?(): Promise<{ ok: true; detail: string } | { ok: false; detail: string }>;
  /** Opens a long-lived link (SMPP), so receipts and replies arrive while nothing is being sent. */
  start?(): Promise<void>;
  close?(): Promise<void>;
}

export interface GatewayCapabilities {
  /** The gateway's allowed rate, counted in segments per second. */
  maxSegmentsPerSecond: number;
  /** Requests allowed in flight at once (HTTP concurrency, SMPP window). */
  maxInFlight: number;
  unicode: boolean;
  /** Alphanumeric sender names allowed, and their maximum length. */
  alphanumericSender: { allowed: boolean; maxLength: number };
  /** The longest Retry-After honoured (`<GATEWAY>_MAX_RETRY_AFTER_S`); longer ones are cut to it. Default 60 s. */
  maxRetryAfterMs?: number;
}

/** What reconciliation knows of a message whose outcome was lost. */
export interface SentQuery {
  /** Our message id (gateways that carried it can match on it). */
  messageId: string;
  /** Provider id, when one was recorded (SMPP `query_sm`, Twilio fetch). */
  providerMessageId?: string;
  to: string;
  from: string;
  text: string;
  /** The attempt started no earlier than this (a little before the claim, for clock skew). */
  since: Date;
}

export type SentLookup =
  /** The gateway has it: the row becomes `submitted` (or the status given) with this provider id. */
  | { found: 'sent'; providerMessageId: string; status?: StatusEvent }
  /** The gateway says it never got it: the only case where sending again cannot double a message. */
  | { found: 'not_received' }
  /** No way to tell (the gateway keeps no searchable log, or did not answer): the row stays `unknown`. */
  | { found: 'cannot_tell'; reason: string };

export interface OutboundSms {
  /** Our message id; gateways that can carry it (callback URL, client-ref) do, for matching receipts. */
  messageId: string;
  to: string;
  from: string;
  text: string;
  encoding: Encoding;
  segments: number;
  /** The gateway should not deliver after this (validity period), so a queued message cannot land in quiet hours. */
  validUntil?: Date;
}

export type SendResult =
  | { ok: true; providerMessageId: string; segments?: number; cost?: number }
  | { ok: false; error: GatewayError };

/**
 * The closed set of failure codes every adapter maps its vendor codes to (a pure, table-tested
 * map-error.ts per adapter). Code branches on `code`, never on `message`.
 * `GATEWAY_ERROR_CODES` lists them at run time (zod schemas, config validation, tests).
 */
export const GATEWAY_ERROR_CODES = [
  'throttled',
  'unavailable',
  'timeout',
  'invalid_number',
  'not_mobile',
  'opted_out',
  'blocked',
  'invalid_sender',
  'message_rejected',
  'insufficient_funds',
  'auth_failed',
  'unknown',
] as const;

export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

/** Codes that trying again later can fix, unless the adapter knows better. */
export const RETRYABLE_BY_DEFAULT: ReadonlySet<GatewayErrorCode> = new Set(['throttled', 'unavailable']);

export interface GatewayError {
  code: GatewayErrorCode;
  /** True when trying again later can succeed (throttling, a gateway outage). */
  retryable: boolean;
  /** The gateway said when to try again (Retry-After). */
  retryAfterMs?: number;
  /** The vendor's own code, for reports ("21610", "err-code 9", "209"). */
  providerCode?: string;
  /** An id the gateway gave although the send failed (a long message cut off after its first parts): kept for reconciliation. */
  providerMessageId?: string;
  message: string;
  /**
   * True when the gateway may have accepted the message although we got no answer (a timeout after
   * the request was sent): never retried blindly, recorded as `unknown`.
   */
  outcomeUnknown?: boolean;
}

export type DeliveryStatus = 'submitted' | 'delivered' | 'undelivered' | 'failed' | 'expired' | 'rejected';

export interface StatusEvent {
  type: 'status';
  gateway: string;
  providerMessageId: string;
  /** Our message id, when the gateway echoes it back. */
  messageId?: string;
  status: DeliveryStatus;
  errorCode?: GatewayErrorCode;
  providerCode?: string;
  at: string;
  /** Dedupe key: the same receipt twice is one event. */
  key: string;
  /**
   * A receipt for one part of a multi-part message (SMPP UDH parts, Vonage parts): `id` is the part's
   * own provider id, `total` the number of parts when the gateway knows it (else the row's segments).
   * The message is delivered only when every part is; a failed part makes it undelivered.
   */
  part?: { id: string; total?: number };
}

export interface InboundEvent {
  type: 'inbound';
  gateway: string;
  providerMessageId: string;
  from: string;
  to: string;
  text: string;
  at: string;
  key: string;
}

export type GatewayEvent = StatusEvent | InboundEvent;

/** A webhook as the HTTP layer hands it to a gateway: raw body for signatures, parsed fields for use. */
export interface WebhookRequest {
  method: string;
  /** The full public URL the gateway called, query string included. */
  url: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
  /** Form or JSON fields, or the query for GET webhooks. */
  fields: Record<string, string | string[]>;
}
