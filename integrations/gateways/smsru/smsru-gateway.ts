import type { Clock } from '../../../src/common/clock.js';
import type { GatewayCapabilities, GatewayError, OutboundSms, SendResult, SmsGateway, StatusEvent, WebhookRequest } from '../../../src/delivery/gateway.js';
import { SMSRU_GATEWAY_ID, smsruConfigSchema } from './config.js';
import type { SmsRuConfigInput } from './config.js';
import { interpretAuthCheck, interpretSend, interpretStatus } from './responses.js';
import { postForm } from './smsru-request.js';
import type { FetchLike } from './smsru-request.js';
import { callbackUrl, parseSmsRuCallback, SMSRU_CALLBACK_OK, verifySmsRuCallback } from './webhooks.js';

export interface SmsRuDeps {
  clock: Clock;
  /** Defaults to the global fetch, looked up per call (so HTTP mocks installed later still apply). */
  fetch?: FetchLike;
}

export type SmsRuGateway = Omit<SmsGateway, 'parseStatus'> & {
  parseStatus(request: WebhookRequest): StatusEvent[];
  verifyWebhook: NonNullable<SmsGateway['verifyWebhook']>;
  lookup(providerMessageId: string): Promise<StatusEvent | undefined>;
  verifyCredentials(): Promise<{ ok: true; detail: string } | { ok: false; detail: string }>;
  /** SMS.ru wants the body `100` (text/plain) for a handled callback, or it posts it again. */
  webhookAnswer(kind: 'status' | 'inbound'): { status: number; contentType: string; body: string };
  /** The URL to register as the SMS.ru callback, when PUBLIC_URL is set. Holds the secret: do not log it. */
  statusCallbackUrl(): string | undefined;
};

/** Alphanumeric sender names SMS.ru approves are at most 11 Latin characters, as everywhere in GSM. */
const SENDER_MAX_LENGTH = 11;
/** SMS.ru's `ttl` is a lifetime in minutes, 1 to 1440. */
const TTL_MAX_MINUTES = 1440;

/** Refused here, before any request: nothing reached SMS.ru. */
const refuse = (code: GatewayError['code'], message: string): SendResult => ({ ok: false, error: { code, retryable: false, providerCode: 'LOCAL', message } });

/**
 * SMS.ru over its HTTP API (https://sms.ru/api). One number per request, because `send` is per
 * message and the port reports per message; the per-number entry of each answer is what counts.
 * SMS.ru takes no client reference, so receipts carry its sms_id only.
 */
export function createSmsRuGateway(input: SmsRuConfigInput, deps: SmsRuDeps): SmsRuGateway {
  const config = smsruConfigSchema.parse(input);
  const base = config.SMSRU_API_BASE.replace(/\/+$/, '');
  const fetchImpl: FetchLike = (url, init) => (deps.fetch ?? globalThis.fetch)(url, init);
  const call = (path: string, fields: Record<string, string>) =>
    postForm(fetchImpl, `${base}${path}`, new URLSearchParams({ api_id: config.SMSRU_API_ID, json: '1', ...fields }), config.SMSRU_TIMEOUT_MS);
  const capabilities: GatewayCapabilities = {
    maxSegmentsPerSecond: config.SMSRU_MPS,
    maxInFlight: config.SMSRU_MAX_IN_FLIGHT,
    maxRetryAfterMs: config.SMSRU_MAX_RETRY_AFTER_S * 1000,
    unicode: true,
    alphanumericSender: { allowed: true, maxLength: SENDER_MAX_LENGTH },
  };
  const callbackCheck = { apiId: config.SMSRU_API_ID, secret: config.SMSRU_CALLBACK_SECRET, requireHash: config.SMSRU_CALLBACK_REQUIRE_HASH };

  /** The `ttl` for a validity deadline: minutes left (at least 1); 'over' when it has passed; none beyond SMS.ru's maximum. */
  const ttlFor = (validUntil: Date | undefined, now: Date): number | 'over' | undefined => {
    if (validUntil === undefined) return undefined;
    const minutes = Math.ceil((validUntil.getTime() - now.getTime()) / 60_000);
    if (minutes <= 0) return 'over';
    // Longer than SMS.ru allows: leave SMS.ru's default rather than cut the lifetime short.
    return minutes > TTL_MAX_MINUTES ? undefined : minutes;
  };

  return {
    id: SMSRU_GATEWAY_ID,
    capabilities: () => ({ ...capabilities, alphanumericSender: { ...capabilities.alphanumericSender } }),

    async send(message: OutboundSms): Promise<SendResult> {
      // SMS.ru wants international digits without '+': 79251234567.
      const to = message.to.replace(/\D/g, '');
      if (to.length < 7 || to.length > 15) return refuse('invalid_number', 'The recipient is not an international phone number');
      const now = deps.clock.now();
      const ttl = ttlFor(message.validUntil, now);
      if (ttl === 'over') return refuse('message_rejected', 'The message validity period is already over');
      const fields: Record<string, string> = { to, msg: message.text };
      // `from` only when set: without it SMS.ru uses the account's default sender.
      if (message.from.trim()) fields.from = message.from.trim();
      if (ttl !== undefined) fields.ttl = String(ttl);
      // https://sms.ru/api/send
      return interpretSend(await call('/sms/send', fields), to, now);
    },

    verifyWebhook: (request, _now) => verifySmsRuCallback(request, callbackCheck),
    parseStatus: (request) => parseSmsRuCallback(request, deps.clock.now()),
    webhookAnswer: () => ({ status: 200, contentType: 'text/plain', body: SMSRU_CALLBACK_OK }),
    statusCallbackUrl: () => (config.PUBLIC_URL ? callbackUrl(config.PUBLIC_URL, config.SMSRU_CALLBACK_SECRET) : undefined),

    async lookup(providerMessageId) {
      // https://sms.ru/api/status
      const exchange = await call('/sms/status', { sms_id: providerMessageId });
      return interpretStatus(exchange, providerMessageId, { gateway: SMSRU_GATEWAY_ID, now: deps.clock.now() });
    },

    async verifyCredentials() {
      // https://sms.ru/?panel=api&subpanel=method&show=auth/check: answers 100 for a valid api_id, without sending or spending.
      return interpretAuthCheck(await call('/auth/check', {}));
    },
  };
}
