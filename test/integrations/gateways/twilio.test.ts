import { createHash, createHmac } from 'node:crypto';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/common/clock.js';
import type { GatewayEvent, WebhookRequest } from '../../../src/delivery/gateway.js';
import {
  createTwilioGateway, mapReceiptErrorCode, mapTwilioError, parseRetryAfter, signTwilioRequest, TWIML_EMPTY, twilioConfigSchema, verifyTwilioSignature,
} from '../../../integrations/gateways/twilio/index.js';
import type { TwilioDeps, TwilioEnv } from '../../../integrations/gateways/twilio/index.js';
import { contractMessage, describeGatewayContract } from '../../delivery/gateway.contract.js';

const SID = `AC${'a1'.repeat(16)}`;
const TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const FROM = '+15017122661';
const SERVICE = `MG${'b2'.repeat(16)}`;
const API = 'https://api.twilio.com';
const PUBLIC = 'https://sms.example.com';
const NOW = '2026-03-02T10:00:00.500Z';
const MESSAGES = `/2010-04-01/Accounts/${SID}/Messages.json`;
const ENV: TwilioEnv = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: FROM, PUBLIC_URL: PUBLIC };
const twilioError = (code: number, message: string, status = 400) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
const smSid = (n: number) => `SM${n.toString(16).padStart(32, '0')}`;

function setup(env: Partial<TwilioEnv> = {}, deps: Partial<TwilioDeps> = {}) {
  const clock = fixedClock(NOW);
  return { clock, gateway: createTwilioGateway(twilioConfigSchema.parse({ ...ENV, ...env }), { clock, ...deps }) };
}

/** A form webhook as the HTTP layer hands it over, signed as Twilio signs it. */
function signedForm(url: string, fields: Record<string, string>, token = TOKEN): WebhookRequest {
  const rawBody = new URLSearchParams(fields).toString();
  return { method: 'POST', url, headers: { 'x-twilio-signature': signTwilioRequest(token, url, fields) }, rawBody, fields };
}

/** A status callback shaped like the captured one in CONTRACTS §1.4. */
function statusCallback(url: string, sid: string, status: string, errorCode?: string): WebhookRequest {
  return signedForm(url, {
    SmsSid: sid, SmsStatus: status, MessageStatus: status, To: '+447700900513', MessageSid: sid, AccountSid: SID, From: FROM, ApiVersion: '2010-04-01',
    ...(errorCode ? { ErrorCode: errorCode } : {}),
  });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describeGatewayContract('twilio', async () => {
  const { clock, gateway } = setup();
  const scope = nock(API);
  const events: GatewayEvent[] = [];
  const accepted: { sid: string; callback: string; to: string; from: string; body: string }[] = [];
  let settled = 0;
  const post = () =>
    scope.post(MESSAGES, (body: Record<string, string>) => body.To === '+79123456789' && body.From === 'SmsBridge' && body.Body !== undefined).basicAuth({ user: SID, pass: TOKEN });
  return {
    gateway,
    scenario: {
      accept: () =>
        post().reply(201, (_uri, body) => {
          const form = new URLSearchParams(String(body));
          const sid = smSid(accepted.length + 1);
          accepted.push({ sid, callback: form.get('StatusCallback')!, to: form.get('To')!, from: form.get('From')!, body: form.get('Body')! });
          return { sid, status: 'queued', num_segments: '1', price: null, error_code: null };
        }),
      rejectInvalid: () => post().reply(400, twilioError(21211, "The 'To' number +79123456789 is not a valid phone number.")),
      // An HTTP date 1.5 s after the fixed clock: Twilio's header may be either form.
      throttle: (ms) => post().reply(429, twilioError(20429, 'Too Many Requests', 429), { 'Retry-After': new Date(clock.now().getTime() + ms).toUTCString() }),
      serverDown: () => post().reply(503, '<html>Service Unavailable</html>'),
      optedOut: () => post().reply(400, twilioError(21610, 'Attempt to send to unsubscribed recipient')),
      // The account's message list, filtered by To as Twilio filters it.
      sentLog: () =>
        scope.get(MESSAGES).query(true).basicAuth({ user: SID, pass: TOKEN }).times(2).optionally().reply(200, (uri) => {
          const to = new URL(uri, API).searchParams.get('To');
          const messages = accepted.filter((a) => a.to === to).map((a) => ({
            sid: a.sid, to: a.to, from: a.from, body: a.body, direction: 'outbound-api', status: 'sent', error_code: null,
            date_created: clock.now().toUTCString(), date_updated: clock.now().toUTCString(), messaging_service_sid: null,
          }));
          return { messages, next_page_uri: null, page: 0, page_size: 100 };
        }),
    },
    now: () => clock.now(),
    events: () => events,
    // Twilio calls the StatusCallback we gave it: sent, then delivered, each signed.
    settle: async () => {
      for (const { sid, callback } of accepted.slice(settled)) {
        for (const status of ['sent', 'delivered']) {
          const request = statusCallback(callback, sid, status);
          if (!gateway.verifyWebhook(request, clock.now())) throw new Error('the harness signed a callback the gateway refused');
          events.push(...gateway.parseStatus(request));
        }
      }
      settled = accepted.length;
    },
    close: async () => scope.done(),
    webhooks: {
      now: clock.now(),
      valid: () => statusCallback(`${PUBLIC}/webhooks/twilio/status?mid=m-1`, smSid(99), 'delivered'),
      tampered: () => ({ ...statusCallback(`${PUBLIC}/webhooks/twilio/status?mid=m-1`, smSid(99), 'delivered'), rawBody: statusCallback(PUBLIC, smSid(99), 'undelivered').rawBody }),
    },
  };
});

describe('twilio send', () => {
  function capture(reply: object = { sid: smSid(1), status: 'queued', num_segments: '2' }) {
    const seen: { body?: Record<string, string> } = {};
    const scope = nock(API).post(MESSAGES, (body: Record<string, string>) => ((seen.body = body), true)).reply(201, reply);
    return { seen, scope };
  }

  it('posts the form Twilio documents, with our id on the callback URL and a clamped validity period', async () => {
    const { clock, gateway } = setup();
    const { seen, scope } = capture();
    const result = await gateway.send(contractMessage({ messageId: 'msg 1/ä', text: 'Hi +1', validUntil: new Date(clock.now().getTime() + 90_200) }));
    expect(result).toEqual({ ok: true, providerMessageId: smSid(1), segments: 2 });
    expect(seen.body).toEqual({
      To: '+79123456789', Body: 'Hi +1', From: 'SmsBridge', ValidityPeriod: '91',
      StatusCallback: `${PUBLIC}/webhooks/twilio/status?mid=msg%201%2F%C3%A4`,
    });
    scope.done();
  });

  it.each([[86_400_000, '36000'], [-5000, '1']])('clamps a validity of %i ms to %s seconds', async (offset, expected) => {
    const { clock, gateway } = setup();
    const { seen } = capture();
    await gateway.send(contractMessage({ validUntil: new Date(clock.now().getTime() + offset) }));
    expect(seen.body?.ValidityPeriod).toBe(expected);
  });

  it('sends through a Messaging Service without From or callback when so configured, and reports no count for "0" segments', async () => {
    const { gateway } = setup({ TWILIO_FROM: undefined, TWILIO_MESSAGING_SERVICE_SID: SERVICE, PUBLIC_URL: undefined });
    const { seen } = capture({ sid: smSid(2), status: 'accepted', num_segments: '0' });
    expect(await gateway.send(contractMessage())).toEqual({ ok: true, providerMessageId: smSid(2) });
    expect(seen.body).toEqual({ To: '+79123456789', Body: expect.any(String), MessagingServiceSid: SERVICE });
  });

  it.each([
    ['a 429 with Retry-After seconds', 429, twilioError(20429, 'Too Many Requests', 429), { 'Retry-After': '2' }, { code: 'throttled', retryable: true, retryAfterMs: 2000, providerCode: '20429' }],
    ['bad credentials', 401, twilioError(20003, 'Authenticate', 401), {}, { code: 'auth_failed', retryable: false, providerCode: '20003' }],
    ['a landline', 400, twilioError(21614, "'To' number is not a valid mobile number"), {}, { code: 'not_mobile', retryable: false }],
    ['an HTML 500', 500, '<html>oops</html>', {}, { code: 'unavailable', retryable: true, providerCode: 'HTTP_500' }],
    ['an unknown code', 400, twilioError(21999, 'Something new'), {}, { code: 'unknown', retryable: false, providerCode: '21999', message: 'Something new' }],
  ])('maps %s', async (_name, status, body, headers, expected) => {
    const { gateway } = setup();
    nock(API).post(MESSAGES).reply(status, body, headers);
    expect(await gateway.send(contractMessage())).toEqual({ ok: false, error: expect.objectContaining(expected) });
  });

  it('masks the number Twilio quotes in its error message', async () => {
    const { gateway } = setup();
    nock(API).post(MESSAGES).reply(400, twilioError(21211, "The 'To' number +79123456789 is not a valid phone number."));
    const result = await gateway.send(contractMessage());
    expect(!result.ok && result.error.message).toBe("The 'To' number +7912***6789 is not a valid phone number.");
  });

  it('treats a refused connection as retryable, and a dropped one or a timeout as an unknown outcome', async () => {
    const { gateway } = setup();
    // Errors as node:net raises them: nock (through @mswjs/interceptors) fails an http.request only with an Error instance.
    const netError = (code: string, message: string) => Object.assign(new Error(message), { code });
    nock(API).post(MESSAGES).replyWithError(netError('ECONNREFUSED', 'connect ECONNREFUSED'));
    expect(await gateway.send(contractMessage())).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true } });
    nock(API).post(MESSAGES).replyWithError(netError('ECONNRESET', 'socket hang up'));
    expect(await gateway.send(contractMessage())).toMatchObject({ ok: false, error: { code: 'unknown', retryable: false, outcomeUnknown: true } });
    const timedOut = setup({}, { fetch: () => Promise.reject(new DOMException('The operation timed out.', 'TimeoutError')) }).gateway;
    expect(await timedOut.send(contractMessage())).toMatchObject({ ok: false, error: { code: 'timeout', retryable: false, outcomeUnknown: true } });
  });

  it('never re-sends blindly a 2xx without a sid', async () => {
    const { gateway } = setup();
    nock(API).post(MESSAGES).reply(201, '{"status":"queued"}');
    expect(await gateway.send(contractMessage())).toMatchObject({ ok: false, error: { code: 'unknown', outcomeUnknown: true } });
  });

  it('states the configured rate and concurrency', () => {
    expect(setup().gateway.capabilities()).toMatchObject({ maxSegmentsPerSecond: 1, maxInFlight: 100, unicode: true });
    expect(setup({ TWILIO_MPS: '3', TWILIO_MAX_IN_FLIGHT: '25' }).gateway.capabilities()).toMatchObject({ maxSegmentsPerSecond: 3, maxInFlight: 25 });
  });
});

describe('twilio map-error', () => {
  it.each([
    [20429, 429, 'throttled', true], [21211, 400, 'invalid_number', false], [21610, 400, 'opted_out', false], [21614, 400, 'not_mobile', false],
    [21608, 400, 'blocked', false], [21606, 400, 'invalid_sender', false], [21612, 400, 'blocked', false], [20003, 401, 'auth_failed', false],
    [21611, 400, 'throttled', true], [30001, 400, 'throttled', true], [undefined, 429, 'throttled', true], [undefined, 401, 'auth_failed', false],
    [undefined, 502, 'unavailable', true], [undefined, 404, 'unknown', false], [12345, 400, 'unknown', false],
  ] as const)('code %s with HTTP %i is %s (retryable %s)', (twilioCode, httpStatus, code, retryable) => {
    const error = mapTwilioError({ httpStatus, ...(twilioCode === undefined ? {} : { twilioCode }), retryAfterMs: 3000 });
    expect(error).toMatchObject({ code, retryable, providerCode: twilioCode === undefined ? `HTTP_${httpStatus}` : String(twilioCode) });
    expect(error.retryAfterMs).toBe(retryable ? 3000 : undefined);
  });

  it.each([
    ['30003', { errorCode: 'unavailable', providerCode: '30003' }], ['30005', { errorCode: 'invalid_number', providerCode: '30005' }],
    ['30006', { errorCode: 'not_mobile', providerCode: '30006' }], ['30007', { errorCode: 'blocked', providerCode: '30007' }],
    ['30008', { errorCode: 'unknown', providerCode: '30008' }], ['', {}], [undefined, {}],
  ])('maps receipt ErrorCode %j', (code, expected) => {
    expect(mapReceiptErrorCode(code)).toEqual(expected);
  });

  it.each([['2', 2000], ['0', 0], ['Mon, 02 Mar 2026 10:00:03 GMT', 2500], ['Mon, 02 Mar 2026 09:00:00 GMT', 0], ['soon', undefined], [null, undefined]])(
    'reads Retry-After %j as %j ms',
    (value, expected) => expect(parseRetryAfter(value, new Date(NOW))).toBe(expected),
  );
});

describe('twilio signature', () => {
  // twilio-php RequestValidatorTest / twilio-csharp (CONTRACTS §1.7)
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
  const vector = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
  const request = (overrides: Partial<WebhookRequest> = {}): WebhookRequest => ({
    method: 'POST', url, headers: { 'x-twilio-signature': vector }, rawBody: new URLSearchParams(params).toString(), fields: params, ...overrides,
  });

  it("matches Twilio's documented test vector", () => {
    expect(signTwilioRequest('12345', url, params)).toBe(vector);
    expect(verifyTwilioSignature('12345', request())).toBe(true);
  });

  it('accepts the URL with or without the default port, either way round', () => {
    expect(verifyTwilioSignature('12345', request({ url: 'https://mycompany.com:443/myapp.php?foo=1&bar=2' }))).toBe(true);
    const signedWithPort = signTwilioRequest('12345', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params);
    expect(verifyTwilioSignature('12345', request({ headers: { 'x-twilio-signature': signedWithPort } }))).toBe(true);
    expect(verifyTwilioSignature('12345', request({ url: 'https://mycompany.com:8443/myapp.php?foo=1&bar=2' }))).toBe(false);
  });

  it('refuses a changed body, URL, token or signature, and a missing header', () => {
    expect(verifyTwilioSignature('12345', request({ rawBody: new URLSearchParams({ ...params, Digits: '1235' }).toString() }))).toBe(false);
    expect(verifyTwilioSignature('12345', request({ url: url.replace('foo=1', 'foo=2') }))).toBe(false);
    expect(verifyTwilioSignature('54321', request())).toBe(false);
    expect(verifyTwilioSignature('12345', request({ headers: { 'x-twilio-signature': vector.slice(0, -2) } }))).toBe(false);
    expect(verifyTwilioSignature('12345', request({ headers: {} }))).toBe(false);
  });

  it('signs a repeated parameter once per distinct value, values sorted', () => {
    const expected = createHmac('sha1', TOKEN).update(`${PUBLIC}/xMediaUrla.jpgMediaUrlb.jpgNumMedia2`).digest('base64');
    expect(signTwilioRequest(TOKEN, `${PUBLIC}/x`, { NumMedia: '2', MediaUrl: ['b.jpg', 'a.jpg', 'b.jpg'] })).toBe(expected);
    const rawBody = 'NumMedia=2&MediaUrl=b.jpg&MediaUrl=a.jpg';
    expect(verifyTwilioSignature(TOKEN, { method: 'POST', url: `${PUBLIC}/x`, headers: { 'x-twilio-signature': expected }, rawBody, fields: {} })).toBe(true);
  });

  it('signs the URL alone for GET, and checks bodySHA256 for JSON bodies', () => {
    const get = `${PUBLIC}/hook?MessageSid=${smSid(1)}`;
    expect(verifyTwilioSignature(TOKEN, { method: 'GET', url: get, headers: { 'x-twilio-signature': signTwilioRequest(TOKEN, get) }, rawBody: '', fields: { MessageSid: smSid(1) } })).toBe(true);
    const rawBody = '{"MessageSid":"SM1"}';
    const jsonUrl = `${PUBLIC}/hook?bodySHA256=${createHash('sha256').update(rawBody).digest('hex')}`;
    const json = { method: 'POST', url: jsonUrl, headers: { 'x-twilio-signature': signTwilioRequest(TOKEN, jsonUrl) }, rawBody, fields: {} };
    expect(verifyTwilioSignature(TOKEN, json)).toBe(true);
    expect(verifyTwilioSignature(TOKEN, { ...json, rawBody: '{"MessageSid":"SM2"}' })).toBe(false);
  });
});

describe('twilio webhooks', () => {
  const callbackUrl = `${PUBLIC}/webhooks/twilio/status?mid=m-42`;

  it('parses the captured undelivered callback, matching our id from the URL', () => {
    const { gateway } = setup();
    expect(gateway.parseStatus(statusCallback(callbackUrl, smSid(3), 'undelivered', '30003'))).toEqual([{
      type: 'status', gateway: 'twilio', providerMessageId: smSid(3), messageId: 'm-42', status: 'undelivered',
      errorCode: 'unavailable', providerCode: '30003', at: NOW, key: `${smSid(3)}:undelivered`,
    }]);
  });

  it.each([
    ['queued', undefined, 'submitted'], ['sent', undefined, 'submitted'], ['delivered', undefined, 'delivered'],
    ['failed', '30036', 'expired'], ['failed', '30007', 'failed'], ['canceled', undefined, 'failed'],
  ])('maps MessageStatus %s (ErrorCode %s) to %s', (status, code, expected) => {
    const [event] = setup().gateway.parseStatus(statusCallback(`${PUBLIC}/webhooks/twilio/status`, smSid(4), status, code));
    expect(event).toMatchObject({ status: expected, key: `${smSid(4)}:${status}` });
    expect(event).not.toHaveProperty('messageId');
  });

  it('returns nothing for an inbound status, and refuses a callback without MessageStatus', () => {
    const { gateway } = setup();
    expect(gateway.parseStatus(statusCallback(callbackUrl, smSid(5), 'received'))).toEqual([]);
    expect(() => gateway.parseStatus(signedForm(callbackUrl, { MessageSid: smSid(5) }))).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it("parses Twilio's own inbound example, and answers it with empty TwiML", () => {
    // Twilio's Java validation example (CONTRACTS §1.5), SIDs completed.
    const rawBody = `ToCountry=US&ToState=CA&SmsMessageSid=${smSid(6)}&NumMedia=0&ToCity=SAN+BRUNO&FromZip=94030&SmsSid=${smSid(6)}&FromState=CA&SmsStatus=received&FromCity=SAN+BRUNO&Body=hi+there%2C+2%2B3%3D4&FromCountry=US&To=%2B16505551366&ToZip=94030&NumSegments=1&ReferralNumMedia=0&MessageSid=${smSid(6)}&AccountSid=${SID}&From=%2B16505558893&ApiVersion=2010-04-01`;
    const request: WebhookRequest = { method: 'POST', url: `${PUBLIC}/webhooks/twilio/inbound`, headers: {}, rawBody, fields: {} };
    expect(setup().gateway.parseInbound(request)).toEqual([
      { type: 'inbound', gateway: 'twilio', providerMessageId: smSid(6), from: '+16505558893', to: '+16505551366', text: 'hi there, 2+3=4', at: NOW, key: smSid(6) },
    ]);
    expect(() => setup().gateway.parseInbound({ ...request, rawBody: 'Body=hi' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(TWIML_EMPTY).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
  });
});

describe('twilio lookup and verifyCredentials', () => {
  const message = `/2010-04-01/Accounts/${SID}/Messages/${smSid(7)}.json`;

  it("reads a message's status, its time and error code", async () => {
    nock(API).get(message).basicAuth({ user: SID, pass: TOKEN })
      .reply(200, { sid: smSid(7), status: 'undelivered', error_code: 30006, date_updated: 'Mon, 02 Mar 2026 09:59:00 +0000' });
    expect(await setup().gateway.lookup(smSid(7))).toEqual({
      type: 'status', gateway: 'twilio', providerMessageId: smSid(7), status: 'undelivered', errorCode: 'not_mobile', providerCode: '30006',
      at: '2026-03-02T09:59:00.000Z', key: `${smSid(7)}:undelivered`,
    });
  });

  it('answers undefined for an unknown message and throws when Twilio fails', async () => {
    nock(API).get(message).reply(404, twilioError(20404, 'Not found', 404)).get(message).reply(503, 'down');
    const { gateway } = setup();
    expect(await gateway.lookup(smSid(7))).toBeUndefined();
    await expect(gateway.lookup(smSid(7))).rejects.toMatchObject({ code: 'INTERNAL', retryable: true });
  });

  it('checks the account with one call and never prints the token', async () => {
    const account = `/2010-04-01/Accounts/${SID}.json`;
    nock(API).get(account).basicAuth({ user: SID, pass: TOKEN }).reply(200, { sid: SID, friendly_name: 'Shop', status: 'active', type: 'Trial' })
      .get(account).reply(401, twilioError(20003, 'Authenticate', 401))
      .get(account).reply(200, { sid: SID, status: 'suspended' });
    const { gateway } = setup();
    const results = [await gateway.verifyCredentials(), await gateway.verifyCredentials(), await gateway.verifyCredentials()];
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    expect(results[0]!.detail).toContain('trial account');
    expect(results[1]!.detail).toContain('TWILIO_AUTH_TOKEN');
    expect(results[2]!.detail).toContain('suspended');
    for (const { detail } of results) expect(detail).not.toContain(TOKEN);
  });
});

describe('twilio config', () => {
  it('fills the documented defaults and trims the public URL', () => {
    expect(twilioConfigSchema.parse({ ...ENV, PUBLIC_URL: `${PUBLIC}/` })).toEqual({
      accountSid: SID, authToken: TOKEN, from: FROM, messagingServiceSid: undefined, apiBase: API,
      maxSegmentsPerSecond: 1, maxInFlight: 100, timeoutMs: 15_000, maxRetryAfterMs: 60_000, publicUrl: PUBLIC,
    });
  });

  it.each([
    [{ TWILIO_FROM: undefined }, 'TWILIO_MESSAGING_SERVICE_SID'],
    [{ TWILIO_ACCOUNT_SID: 'SK123' }, 'Account SID'],
    [{ TWILIO_MPS: '0' }, 'segments per second'],
    [{ PUBLIC_URL: 'https://my_host.example.com' }, 'underscore'],
    [{ TWILIO_FROM: 'A very long sender' }, 'E.164'],
  ])('refuses %j with a message saying what to set, without the token', (override, expected) => {
    const result = twilioConfigSchema.safeParse({ ...ENV, ...override });
    expect(result.success).toBe(false);
    expect(result.error?.message).toContain(expected);
    expect(JSON.stringify(result.error)).not.toContain(TOKEN);
  });
});

describe('twilio findSent: what Twilio received, from its message list', () => {
  const query = { messageId: 'm-1', to: '+79123456789', from: FROM, text: 'Sale: 20% off', since: new Date('2026-03-02T09:50:00.000Z') };
  const listed = (overrides: Record<string, unknown> = {}) => ({
    sid: smSid(7), to: '+79123456789', from: FROM, body: 'Sale: 20% off', direction: 'outbound-api', status: 'delivered', error_code: null,
    date_created: 'Mon, 02 Mar 2026 09:55:00 +0000', date_updated: 'Mon, 02 Mar 2026 09:56:00 +0000', messaging_service_sid: null, ...overrides,
  });

  it('asks for the messages to the number since the attempt\'s day and matches body, sender and time', async () => {
    const { gateway } = setup();
    const scope = nock(API)
      .get(MESSAGES)
      .query({ To: '+79123456789', 'DateSent>': '2026-03-02', PageSize: '100' })
      .basicAuth({ user: SID, pass: TOKEN })
      .reply(200, {
        messages: [
          listed({ sid: smSid(1), body: 'Another text' }),
          listed({ sid: smSid(2), from: '+15550000000' }),
          listed({ sid: smSid(3), date_created: 'Mon, 02 Mar 2026 08:00:00 +0000' }),
          listed({ sid: smSid(4), direction: 'inbound' }),
          listed(),
        ],
        next_page_uri: null,
      });
    const found = await gateway.findSent(query);
    expect(found).toMatchObject({ found: 'sent', providerMessageId: smSid(7), status: { status: 'delivered', providerMessageId: smSid(7), at: '2026-03-02T09:56:00.000Z' } });
    scope.done();
  });

  it('says not received only after reading the whole list, including the newest page for messages still queued', async () => {
    const { gateway } = setup();
    const scope = nock(API)
      .get(MESSAGES).query({ To: '+79123456789', 'DateSent>': '2026-03-02', PageSize: '100' }).reply(200, { messages: [listed({ body: 'Other' })], next_page_uri: `${MESSAGES}?To=%2B79123456789&Page=1&PageToken=PA1` })
      .get(MESSAGES).query({ To: '+79123456789', Page: '1', PageToken: 'PA1' }).reply(200, { messages: [], next_page_uri: null })
      .get(MESSAGES).query({ To: '+79123456789', PageSize: '50' }).reply(200, { messages: [], next_page_uri: null });
    expect(await gateway.findSent(query)).toEqual({ found: 'not_received' });
    scope.done();
  });

  it('finds a message still queued at Twilio (no date sent yet) on the newest page', async () => {
    const { gateway } = setup();
    const scope = nock(API)
      .get(MESSAGES).query({ To: '+79123456789', 'DateSent>': '2026-03-02', PageSize: '100' }).reply(200, { messages: [], next_page_uri: null })
      .get(MESSAGES).query({ To: '+79123456789', PageSize: '50' }).reply(200, { messages: [listed({ status: 'queued', date_updated: null })], next_page_uri: null });
    expect(await gateway.findSent(query)).toMatchObject({ found: 'sent', providerMessageId: smSid(7), status: { status: 'submitted' } });
    scope.done();
  });

  it('cannot tell when Twilio does not answer, answers an error, or the list is too long to read', async () => {
    const { gateway } = setup();
    nock(API).get(MESSAGES).query(true).reply(500, 'oops');
    expect(await gateway.findSent(query)).toMatchObject({ found: 'cannot_tell', reason: expect.stringContaining('HTTP_500') });
    const page = (n: number) => ({ messages: [], next_page_uri: `${MESSAGES}?To=%2B79123456789&Page=${n}&PageToken=P${n}` });
    const scope = nock(API).get(MESSAGES).query(true).times(5).reply(200, (uri) => page(Number(new URL(uri, API).searchParams.get('Page') ?? 0) + 1))
      .get(MESSAGES).query({ To: '+79123456789', PageSize: '50' }).reply(200, { messages: [], next_page_uri: null });
    expect(await gateway.findSent(query)).toMatchObject({ found: 'cannot_tell', reason: expect.stringContaining('more than 5 pages') });
    scope.done();
  });
});
