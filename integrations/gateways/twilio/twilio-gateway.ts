import { z } from 'zod';
import type { Clock } from '../../../src/common/clock.js';
import { AppError } from '../../../src/common/errors.js';
import type { GatewayCapabilities, GatewayError, OutboundSms, SendResult, SentLookup, SentQuery, SmsGateway, StatusEvent } from '../../../src/delivery/gateway.js';
import { MAX_VALIDITY_SECONDS } from './config.js';
import type { TwilioConfig } from './config.js';
import { mapTwilioError } from './map-error.js';
import { twilioSenderFields, twilioSenderNotes } from './sender.js';
import { twilioStatusEvent } from './map-status.js';
import { verifyTwilioSignature } from './signature.js';
import { createHttpTransport } from './http-transport.js';
import type { TwilioFetch } from './http-transport.js';
import { parseRetryAfter, twilioRequest } from './twilio-request.js';
import type { TwilioAnswer, TwilioHttp } from './twilio-request.js';
import { MESSAGE_ID_PARAM, parseTwilioInbound, parseTwilioStatus, STATUS_CALLBACK_PATH, TWIML_EMPTY } from './webhooks.js';

export interface TwilioDeps {
  clock: Clock;
  /** Defaults to keep-alive node:http(s) requests; tests may pass a fetch that fails in ways nock cannot (a timeout). */
  fetch?: TwilioFetch;
}

export type TwilioGateway = SmsGateway &
  Required<Pick<SmsGateway, 'parseStatus' | 'parseInbound' | 'verifyWebhook' | 'lookup' | 'findSent' | 'verifyCredentials' | 'defaultSender' | 'senderNotes'>>;

/** Alphanumeric sender IDs are at most 11 characters, where the destination country allows them. */
const SENDER_MAX_LENGTH = 11;

// https://www.twilio.com/docs/messaging/api/message-resource (counts and prices are strings; see CONTRACTS §1.2)
const createdSchema = z.object({
  sid: z.string().min(1),
  num_segments: z.union([z.string(), z.number()]).nullish(),
});
const twilioErrorSchema = z.object({ code: z.number().int().optional(), message: z.string().optional() });
const fetchedSchema = z.object({
  sid: z.string().min(1),
  status: z.string().min(1),
  error_code: z.union([z.number(), z.string()]).nullish(),
  date_updated: z.string().nullish(),
});
// https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
const listedSchema = z.object({
  messages: z.array(
    z.object({
      sid: z.string().min(1),
      status: z.string().min(1),
      to: z.string().nullish(),
      from: z.string().nullish(),
      body: z.string().nullish(),
      direction: z.string().nullish(),
      messaging_service_sid: z.string().nullish(),
      error_code: z.union([z.number(), z.string()]).nullish(),
      date_created: z.string().nullish(),
      date_updated: z.string().nullish(),
    }),
  ),
  next_page_uri: z.string().nullish(),
});
type Listed = z.output<typeof listedSchema>['messages'][number];
/** Pages of the date-filtered list read before giving up (a number with thousands of messages a day). */
const MAX_LIST_PAGES = 5;
const accountSchema = z.object({ friendly_name: z.string().optional(), status: z.string(), type: z.string().optional() });

/** Why a read got no answer, without the send-specific wording of the error message. */
const noAnswer = (error: GatewayError): string => error.providerCode ?? error.code;

/** Keeps the SID recognisable in `doctor` output without printing it whole. */
const shortSid = (sid: string): string => `${sid.slice(0, 4)}…${sid.slice(-4)}`;

function failure(answer: Extract<TwilioAnswer, { kind: 'answer' }>, now: Date) {
  const parsed = twilioErrorSchema.safeParse(answer.body);
  const body = parsed.success ? parsed.data : {};
  const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'), now);
  return mapTwilioError({
    httpStatus: answer.status,
    ...(body.code === undefined ? {} : { twilioCode: body.code }),
    ...(body.message === undefined ? {} : { message: body.message }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/**
 * Twilio Programmable Messaging over its REST API (node:http(s) with keep-alive, no SDK). The campaign's sender is
 * `From` where the destination can show it (see sender.ts); a Messaging Service picks its own sender.
 */
export function createTwilioGateway(config: TwilioConfig, deps: TwilioDeps): TwilioGateway {
  const id = 'twilio';
  // One socket per request in flight: the dispatcher never has more than maxInFlight.
  const transport = createHttpTransport({ maxSockets: config.maxInFlight });
  const http: TwilioHttp = {
    apiBase: config.apiBase, accountSid: config.accountSid, authToken: config.authToken, timeoutMs: config.timeoutMs,
    fetch: deps.fetch ?? transport.request,
  };
  const account = `/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}`;
  const capabilities: GatewayCapabilities = {
    maxSegmentsPerSecond: config.maxSegmentsPerSecond,
    maxInFlight: config.maxInFlight,
    maxRetryAfterMs: config.maxRetryAfterMs,
    unicode: true,
    alphanumericSender: { allowed: true, maxLength: SENDER_MAX_LENGTH },
  };

  const sendForm = (message: OutboundSms, sender: { From?: string; MessagingServiceSid?: string }): URLSearchParams => {
    const form = new URLSearchParams({ To: message.to, Body: message.text });
    if (sender.From !== undefined) form.set('From', sender.From);
    if (sender.MessagingServiceSid !== undefined) form.set('MessagingServiceSid', sender.MessagingServiceSid);
    // Our id rides on the callback URL, so receipts match even if this call's answer is lost.
    if (config.publicUrl !== undefined) {
      form.set('StatusCallback', `${config.publicUrl}${STATUS_CALLBACK_PATH}?${MESSAGE_ID_PARAM}=${encodeURIComponent(message.messageId)}`);
    }
    if (message.validUntil !== undefined) {
      // Twilio drops the message from its queue after this, so a backlog cannot spill into quiet hours.
      const seconds = Math.ceil((message.validUntil.getTime() - deps.clock.now().getTime()) / 1000);
      form.set('ValidityPeriod', String(Math.min(MAX_VALIDITY_SECONDS, Math.max(1, seconds))));
    }
    return form;
  };

  const sentStatus = (found: Listed): { status?: StatusEvent } => {
    const updated = found.date_updated ? Date.parse(found.date_updated) : Number.NaN;
    const status = twilioStatusEvent({
      gateway: id, messageSid: found.sid, status: found.status, errorCode: found.error_code == null ? undefined : String(found.error_code),
      at: Number.isNaN(updated) ? deps.clock.now().toISOString() : new Date(updated).toISOString(),
    });
    return status ? { status } : {};
  };

  return {
    id,
    capabilities: () => ({ ...capabilities, alphanumericSender: { ...capabilities.alphanumericSender } }),

    // https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
    defaultSender: () => config.from,
    senderNotes: (sender) => twilioSenderNotes(config, sender),

    async send(message): Promise<SendResult> {
      const sender = twilioSenderFields(config, message.from || (config.from ?? ''), message.to);
      if (!sender.ok) return { ok: false, error: { code: 'invalid_sender', retryable: false, message: sender.message } };
      const answer = await twilioRequest(http, `${account}/Messages.json`, sendForm(message, sender.fields));
      if (answer.kind === 'no-answer') return { ok: false, error: answer.error };
      if (answer.status < 200 || answer.status >= 300) return { ok: false, error: failure(answer, deps.clock.now()) };
      const created = createdSchema.safeParse(answer.body);
      if (!created.success) {
        // A 2xx means Twilio took it, but without a sid we cannot track it: unknown, never re-sent blindly.
        return { ok: false, error: { code: 'unknown', retryable: false, outcomeUnknown: true, message: `Twilio accepted the message (HTTP ${answer.status}) but its answer had no message sid` } };
      }
      // A Messaging Service answers "0" segments until it has picked a sender: no count then.
      const segments = Number(created.data.num_segments ?? 0);
      return { ok: true, providerMessageId: created.data.sid, ...(segments > 0 ? { segments } : {}) };
    },

    verifyWebhook: (request) => verifyTwilioSignature(config.authToken, request),
    // Twilio waits for TwiML after an inbound message: an empty <Response/> sends nothing back.
    webhookAnswer: (kind) => (kind === 'inbound' ? { status: 200, contentType: 'text/xml', body: TWIML_EMPTY } : { status: 204, contentType: 'text/plain', body: '' }),
    parseStatus: (request) => parseTwilioStatus(request, { gateway: id, now: deps.clock.now() }),
    parseInbound: (request) => parseTwilioInbound(request, { gateway: id, now: deps.clock.now() }),

    // https://www.twilio.com/docs/messaging/api/message-resource#fetch-a-message-resource
    async lookup(providerMessageId): Promise<StatusEvent | undefined> {
      const answer = await twilioRequest(http, `${account}/Messages/${encodeURIComponent(providerMessageId)}.json`);
      if (answer.kind === 'no-answer') throw new AppError('INTERNAL', `Twilio lookup got no answer (${noAnswer(answer.error)})`, { retryable: true, details: answer.error });
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) {
        const error = failure(answer, deps.clock.now());
        throw new AppError('INTERNAL', `Twilio lookup failed: ${error.message}`, { retryable: error.retryable, details: error });
      }
      const fetched = fetchedSchema.safeParse(answer.body);
      if (!fetched.success) throw new AppError('INTERNAL', 'Twilio lookup answered without a message sid and status');
      const updated = fetched.data.date_updated ? Date.parse(fetched.data.date_updated) : Number.NaN;
      return twilioStatusEvent({
        gateway: id,
        messageSid: fetched.data.sid,
        status: fetched.data.status,
        errorCode: fetched.data.error_code == null ? undefined : String(fetched.data.error_code),
        at: Number.isNaN(updated) ? deps.clock.now().toISOString() : new Date(updated).toISOString(),
      });
    },

    /**
     * Whether Twilio created a message whose send answer was lost: the account's messages to the
     * recipient sent since the attempt's day (`To`, `DateSent>=YYYY-MM-DD`, GMT), plus the newest page
     * for `To` alone (a message still queued at Twilio has no date sent yet), matched by body, sender
     * (TWILIO_FROM / the Messaging Service) and a creation time no earlier than the attempt.
     * https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
     */
    async findSent(query: SentQuery): Promise<SentLookup> {
      const list = (params: Record<string, string>) => `${account}/Messages.json?${new URLSearchParams(params).toString()}`;
      // The From this message was sent with (the campaign's name, or the number that replaced it); none with a Messaging Service that picks its own.
      const sentWith = twilioSenderFields(config, query.from || (config.from ?? ''), query.to);
      const expectedFrom = sentWith.ok ? sentWith.fields.From : config.from;
      const matches = (m: Listed): boolean => {
        const created = m.date_created ? Date.parse(m.date_created) : Number.NaN;
        return m.to === query.to && (m.body ?? '') === query.text && (!m.direction || m.direction.startsWith('outbound'))
          && (expectedFrom === undefined || m.from === expectedFrom)
          && (config.messagingServiceSid === undefined || m.messaging_service_sid == null || m.messaging_service_sid === config.messagingServiceSid)
          && (Number.isNaN(created) || created >= query.since.getTime());
      };
      const searches = [
        { path: list({ To: query.to, 'DateSent>': query.since.toISOString().slice(0, 10), PageSize: '100' }), pages: MAX_LIST_PAGES, complete: true },
        { path: list({ To: query.to, PageSize: '50' }), pages: 1, complete: false },
      ];
      let complete = true;
      for (const search of searches) {
        let path: string | undefined = search.path;
        for (let read = 0; path !== undefined && read < search.pages; read += 1) {
          const answer = await twilioRequest(http, path);
          if (answer.kind === 'no-answer') return { found: 'cannot_tell', reason: `Twilio did not answer the message list (${noAnswer(answer.error)})` };
          if (answer.status !== 200) return { found: 'cannot_tell', reason: `Twilio answered the message list with ${failure(answer, deps.clock.now()).providerCode}` };
          const listed = listedSchema.safeParse(answer.body);
          if (!listed.success) return { found: 'cannot_tell', reason: 'Twilio answered the message list without messages' };
          const found = listed.data.messages.find(matches);
          if (found) return { found: 'sent', providerMessageId: found.sid, ...sentStatus(found) };
          path = listed.data.next_page_uri ?? undefined;
        }
        if (path !== undefined && search.complete) complete = false;
      }
      return complete ? { found: 'not_received' } : { found: 'cannot_tell', reason: `more than ${MAX_LIST_PAGES} pages of messages to this number since the attempt` };
    },

    close: async () => transport.close(),

    // https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource
    async verifyCredentials() {
      const answer = await twilioRequest(http, `${account}.json`);
      if (answer.kind === 'no-answer') return { ok: false, detail: `Twilio did not answer at ${config.apiBase} (${noAnswer(answer.error)})` };
      if (answer.status !== 200) {
        const error = failure(answer, deps.clock.now());
        const what = error.code === 'auth_failed' ? 'rejected TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN' : `answered ${error.providerCode}`;
        return { ok: false, detail: `Twilio ${what} for account ${shortSid(config.accountSid)}: ${error.message}` };
      }
      const parsed = accountSchema.safeParse(answer.body);
      if (!parsed.success) return { ok: false, detail: 'Twilio answered the account check without an account status' };
      const { friendly_name: name, status, type } = parsed.data;
      const label = `Twilio account ${shortSid(config.accountSid)}${name ? ` "${name}"` : ''}${type ? ` (${type})` : ''}`;
      const sender = [config.from && `from ${config.from}`, config.messagingServiceSid && `via Messaging Service ${shortSid(config.messagingServiceSid)}`].filter(Boolean).join(', ');
      if (status !== 'active') return { ok: false, detail: `${label} is ${status}` };
      const notes = [
        type === 'Trial' ? 'a trial account sends only to verified numbers (error 21608)' : '',
        config.publicUrl ? '' : 'PUBLIC_URL is unset, so Twilio sends no status callbacks',
      ].filter(Boolean);
      return { ok: true, detail: [`${label} is active; sending ${sender}`, ...notes].join('; ') };
    },
  };
}
