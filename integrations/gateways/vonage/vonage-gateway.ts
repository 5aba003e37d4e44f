import { z } from 'zod';
import type { Clock } from '../../../src/common/clock.js';
import type { GatewayCapabilities, GatewayError, InboundEvent, SendResult, SmsGateway, StatusEvent, WebhookRequest } from '../../../src/delivery/gateway.js';
import { parseVonageConfig } from './config.js';
import type { VonageConfigInput } from './config.js';
import { request } from './http.js';
import type { Fetch } from './http.js';
import { parseRetryAfter } from './http.js';
import { createInboundAssembler } from './inbound-assembler.js';
import { mapHttpStatus } from './map-error.js';
import { createOptOutMemory } from './opt-out-memory.js';
import { buildSendForm, interpretSendResponse, recipientDigits, ttlFor } from './sms-request.js';
import { DEFAULT_WEBHOOK_WINDOW_MS, parseInboundPart, parseReceipt, verifyVonageWebhook } from './webhooks.js';

/** The registry key, the `gateway` on events, and the webhook path segment. */
export const VONAGE_GATEWAY_ID = 'vonage';
/** Alphanumeric sender IDs: up to 11 characters, where the destination country allows them. */
const SENDER_MAX_LENGTH = 11;
const DEFAULT_TIMEOUT_MS = 10_000;

export interface VonageDeps {
  clock: Clock;
  /** Defaults to the global fetch (which nock intercepts in tests). */
  fetch?: Fetch;
  /** Per-request deadline; a request that runs past it has an unknown outcome. */
  timeoutMs?: number;
  /** Replay window for signed webhooks (default 5 minutes). */
  webhookWindowMs?: number;
  /** How long the parts of a concatenated inbound SMS may take to arrive (default 10 minutes). */
  assemblyTtlMs?: number;
}

export type VonageGateway = SmsGateway & {
  parseStatus(request: WebhookRequest): StatusEvent[];
  parseInbound(request: WebhookRequest): InboundEvent[];
  verifyWebhook(request: WebhookRequest, now: Date): boolean;
  verifyCredentials(): Promise<{ ok: true; detail: string } | { ok: false; detail: string }>;
  close(): Promise<void>;
  /** Concatenated inbound messages still missing parts. */
  pendingInbound(): number;
};

const balanceSchema = z.object({ value: z.number(), autoReload: z.boolean().optional() });

const failure = (error: GatewayError): SendResult => ({ ok: false, error });

/**
 * The Vonage SMS API (`rest.nexmo.com`): one form POST per message, per-part statuses in a 200 answer,
 * delivery receipts and inbound messages as signed webhooks. Long texts are sent whole; Vonage splits
 * them and answers one entry per part (see sms-request.ts). Receipts come per part, each carrying our
 * id in `client-ref`; every part's receipt is passed on as a part receipt (`part.id`: the part's own
 * id), and the outbox calls the message delivered only when all its parts (the count Vonage answered
 * the send with) are, undelivered as soon as one is not. Stateless apart from the inbound assembler
 * and the opt-out memory.
 */
export function createVonageGateway(input: VonageConfigInput, deps: VonageDeps): VonageGateway {
  const config = parseVonageConfig(input);
  const fetchImpl = deps.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = config.VONAGE_API_BASE.replace(/\/+$/, '');
  const assembler = createInboundAssembler({ gateway: VONAGE_GATEWAY_ID, clock: deps.clock, ...(deps.assemblyTtlMs ? { ttlMs: deps.assemblyTtlMs } : {}) });
  const optOuts = createOptOutMemory();
  const verification = {
    secret: config.VONAGE_SIGNATURE_SECRET,
    method: config.VONAGE_SIGNATURE_METHOD,
    windowMs: deps.webhookWindowMs ?? DEFAULT_WEBHOOK_WINDOW_MS,
  };
  let closed = false;

  const capabilities = (): GatewayCapabilities => ({
    // Vonage counts requests, and a long text is one request: counting its segments stays under the limit.
    maxSegmentsPerSecond: config.VONAGE_MPS,
    maxInFlight: config.VONAGE_MAX_IN_FLIGHT,
    maxRetryAfterMs: config.VONAGE_MAX_RETRY_AFTER_S * 1000,
    unicode: true,
    alphanumericSender: { allowed: true, maxLength: SENDER_MAX_LENGTH },
  });

  return {
    id: VONAGE_GATEWAY_ID,
    capabilities,

    async send(message) {
      if (closed) return failure({ code: 'unavailable', retryable: true, message: 'The Vonage gateway is closed' });
      const to = recipientDigits(message.to);
      if (!to) return failure({ code: 'invalid_number', retryable: false, message: 'The recipient is not an E.164 number' });
      if (optOuts.has(message.from, to)) {
        return failure({ code: 'opted_out', retryable: false, providerCode: 'err-code 9', message: 'The recipient opted out of this sender (Vonage receipt err-code 9)' });
      }
      const now = deps.clock.now();
      const ttl = ttlFor(message.validUntil, now);
      if (ttl === 'over') return failure({ code: 'message_rejected', retryable: false, message: 'The validity period ended before the message was sent' });
      // https://developer.vonage.com/en/api/sms#send-an-sms
      const outcome = await request(fetchImpl, `${base}/sms/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: buildSendForm(config, message, to, ttl, VONAGE_GATEWAY_ID).toString(),
        timeoutMs,
      });
      if (!outcome.ok) return failure(outcome.error);
      const retryAfterMs = parseRetryAfter(outcome.headers.get('retry-after'), deps.clock.now().getTime());
      if (outcome.status < 200 || outcome.status > 299) return failure(mapHttpStatus(outcome.status, retryAfterMs));
      return interpretSendResponse(outcome.body, retryAfterMs);
    },

    parseStatus(webhook) {
      const parsed = parseReceipt(webhook.fields, VONAGE_GATEWAY_ID, deps.clock.now());
      if (!parsed) return [];
      if (parsed.event.errorCode === 'opted_out' && parsed.sender && parsed.recipient) optOuts.remember(parsed.sender, parsed.recipient);
      return [parsed.event];
    },

    parseInbound(webhook) {
      const part = parseInboundPart(webhook.fields, deps.clock.now());
      if (!part) return [];
      optOuts.forget(part.to, part.from);
      if (part.concat) {
        const whole = assembler.add({ ...part, concat: part.concat });
        return whole ? [whole] : [];
      }
      const { providerMessageId, from, to, text, at } = part;
      return [{ type: 'inbound', gateway: VONAGE_GATEWAY_ID, providerMessageId, from, to, text, at, key: providerMessageId }];
    },

    verifyWebhook: (webhook, now) => verifyVonageWebhook(webhook, now, verification),

    async verifyCredentials() {
      // https://developer.vonage.com/en/account/code-snippets/account-balance
      const query = new URLSearchParams({ api_key: config.VONAGE_API_KEY, api_secret: config.VONAGE_API_SECRET });
      const outcome = await request(fetchImpl, `${base}/account/get-balance?${query.toString()}`, { method: 'GET', headers: { accept: 'application/json' }, timeoutMs });
      if (!outcome.ok) return { ok: false, detail: outcome.error.message };
      if (outcome.status === 401 || outcome.status === 403) return { ok: false, detail: `Vonage refused VONAGE_API_KEY / VONAGE_API_SECRET (HTTP ${outcome.status})` };
      if (outcome.status !== 200) return { ok: false, detail: `Vonage answered HTTP ${outcome.status} to the balance check` };
      let balance: z.infer<typeof balanceSchema> | undefined;
      try {
        balance = balanceSchema.parse(JSON.parse(outcome.body));
      } catch {
        return { ok: false, detail: 'Vonage answered the balance check with something that is not a balance' };
      }
      const warnings = [
        ...(config.VONAGE_SIGNATURE_SECRET ? [] : ['VONAGE_SIGNATURE_SECRET is not set, so every receipt and inbound webhook will be refused']),
        ...(config.PUBLIC_URL ? [] : ['PUBLIC_URL is not set, so receipts go to the URL set in the Vonage Dashboard']),
      ];
      return { ok: true, detail: [`Vonage API key works; balance ${balance.value.toFixed(2)}`, ...warnings].join('; ') };
    },

    async close() {
      closed = true;
    },

    pendingInbound: () => assembler.pending(),
  };
}
