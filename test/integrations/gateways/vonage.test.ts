import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/common/clock.js';
import type { GatewayEvent, OutboundSms, WebhookRequest } from '../../../src/delivery/gateway.js';
import {
  createInboundAssembler,
  createVonageGateway,
  mapHttpStatus,
  mapReceipt,
  mapSendStatus,
  signatureBase,
  signParams,
  vonageConfigSchema,
} from '../../../integrations/gateways/vonage/index.js';
import type { SignatureMethod, VonageConfigInput, VonageDeps } from '../../../integrations/gateways/vonage/index.js';
import { contractMessage, describeGatewayContract } from '../../delivery/gateway.contract.js';
import { silentLogger } from '../../../src/common/logger.js';
import { EventIngestor } from '../../../src/delivery/ingest-events.js';
import { isPartiallyDelivered } from '../../../src/delivery/outbox.js';
import type { OutboxMessage } from '../../../src/delivery/outbox.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import { makeOutboxRow } from '../../helpers/factories.js';

const BASE = 'https://rest.vonage.test';
const NOW = '2026-03-02T10:00:00.000Z';
const NOW_UNIX = String(Date.parse(NOW) / 1000);
const SECRET = 'webhook-signing-secret-for-tests';
const CONFIG = {
  VONAGE_API_KEY: 'abcd1234',
  VONAGE_API_SECRET: 'abcdef0123456789',
  VONAGE_SIGNATURE_SECRET: SECRET,
  VONAGE_API_BASE: BASE,
  PUBLIC_URL: 'https://sms.example.com/',
} satisfies VonageConfigInput;
const STATUS_URL = 'https://sms.example.com/webhooks/vonage/status';

const fixture = (name: string): Record<string, string> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/vonage/${name}`, import.meta.url), 'utf8')) as Record<string, string>;

function setup(config: Partial<VonageConfigInput> = {}, deps: Partial<VonageDeps> = {}) {
  const clock = fixedClock(NOW);
  const gateway = createVonageGateway({ ...CONFIG, ...config }, { clock, ...deps });
  return { clock, gateway };
}

/** A webhook as the HTTP layer hands it over: POSTed form (default), GET query, or JSON. */
function webhook(fields: Record<string, string>, as: 'form' | 'get' | 'json' = 'form'): WebhookRequest {
  const encoded = new URLSearchParams(fields).toString();
  if (as === 'get') return { method: 'GET', url: `${STATUS_URL}?${encoded}`, headers: {}, rawBody: '', fields: { ...fields } };
  const json = as === 'json';
  return {
    method: 'POST',
    url: STATUS_URL,
    headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
    rawBody: json ? JSON.stringify(fields) : encoded,
    fields: { ...fields },
  };
}

/** Adds what Vonage adds when signing is on: `timestamp`, `nonce`, and `sig` over everything. */
function signed(fields: Record<string, string>, options: { unix?: string; method?: SignatureMethod; secret?: string } = {}): Record<string, string> {
  const withStamp = { ...fields, timestamp: options.unix ?? NOW_UNIX, nonce: 'ec11dd3e-1e7f-4db5-9467-82b02cd223b9' };
  return { ...withStamp, sig: signParams(withStamp, options.secret ?? SECRET, options.method ?? 'sha256').toUpperCase() };
}

function receipt(overrides: Record<string, string>): Record<string, string> {
  return {
    msisdn: '79123456789', to: 'SmsBridge', 'network-code': '25001', messageId: '0B000000AAAA0001', price: '0.03330000',
    status: 'delivered', scts: '2603021000', 'err-code': '0', 'api-key': 'abcd1234', 'message-timestamp': '2026-03-02 10:00:00',
    ...overrides,
  };
}

const accepted = (...ids: string[]) => ({
  'message-count': String(ids.length),
  messages: ids.map((id) => ({ to: '79123456789', 'message-id': id, status: '0', 'remaining-balance': '15.53590000', 'message-price': '0.03330000', network: '25001' })),
});
const refused = (status: string, errorText: string) => ({ 'message-count': '1', messages: [{ status, 'error-text': errorText }] });
const formOf = (body: unknown): Record<string, string> => (typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : (body as Record<string, string>));

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describeGatewayContract('vonage', async () => {
  const { clock, gateway } = setup();
  const scope = nock(BASE);
  const events: GatewayEvent[] = [];
  const sent: Record<string, string>[] = [];
  let counter = 0;
  const expectSend = () =>
    scope.post('/sms/json', (body: Record<string, string>) =>
      body.api_key === CONFIG.VONAGE_API_KEY && body.api_secret === CONFIG.VONAGE_API_SECRET && body.to === '79123456789'
      && body.from === 'SmsBridge' && body.type === 'text' && body.callback === STATUS_URL && /^contract-\d+$/.test(body['client-ref'] ?? ''));
  const receive = (request: WebhookRequest): void => {
    expect(gateway.verifyWebhook(request, clock.now())).toBe(true);
    events.push(...gateway.parseStatus(request));
  };
  const dlr = (overrides: Record<string, string>) => webhook(signed(receipt(overrides)));
  return {
    gateway,
    scenario: {
      accept: () => {
        expectSend().reply(200, (_uri, body) => {
          counter += 1;
          const id = `0B00000${String(counter).padStart(9, '0')}`;
          sent.push({ ...formOf(body), id });
          return accepted(id);
        });
      },
      rejectInvalid: () => void expectSend().reply(200, refused('33', 'Number de-activated')),
      throttle: (ms) => void expectSend().reply(200, refused('1', `Throughput Rate Exceeded - please wait [ ${ms} ] and retry`)),
      serverDown: () => void expectSend().reply(503, 'Service Unavailable'),
      // Vonage accepts a message to an opted-out number and says so in its receipt (err-code 9):
      // the gateway learns it from that receipt and refuses the next send itself.
      optedOut: () => receive(dlr({ messageId: '0B000000EARLIER1', status: 'failed', 'err-code': '9', 'client-ref': 'earlier' })),
    },
    events: () => events,
    settle: async () => {
      for (const message of sent.splice(0)) {
        receive(dlr({ messageId: message.id!, 'client-ref': message['client-ref']!, msisdn: message.to!, to: message.from! }));
      }
    },
    close: async () => {
      await gateway.close();
      scope.done();
    },
    webhooks: {
      now: clock.now(),
      valid: () => dlr({ 'client-ref': 'contract-0' }),
      tampered: () => {
        const request = dlr({ 'client-ref': 'contract-0' });
        const fields = { ...(request.fields as Record<string, string>), status: 'failed', 'err-code': '9' };
        return { ...request, fields, rawBody: new URLSearchParams(fields).toString() };
      },
      stale: () => webhook(signed(receipt({}), { unix: String(Number(NOW_UNIX) - 6 * 60) })),
    },
  };
});

describe('vonage send: the request on the wire', () => {
  const message = (overrides: Partial<OutboundSms> = {}) => contractMessage({ messageId: 'm-1', ...overrides });
  const form = (extra: Record<string, string> = {}) => ({
    api_key: 'abcd1234', api_secret: 'abcdef0123456789', from: 'SmsBridge', to: '79123456789', text: 'Hello from the gateway contract suite',
    type: 'text', 'client-ref': 'm-1', callback: STATUS_URL, ...extra,
  });

  it('posts the documented form: digits without +, our id as client-ref, the status callback', async () => {
    const scope = nock(BASE).post('/sms/json', form()).reply(200, accepted('0B0000000000001'));
    expect(await setup().gateway.send(message())).toEqual({ ok: true, providerMessageId: '0B0000000000001', segments: 1, cost: 0.0333 });
    scope.done();
  });

  it('declares UCS-2 text as unicode and turns validUntil into a clamped ttl', async () => {
    const scope = nock(BASE)
      .post('/sms/json', form({ text: 'Привет', type: 'unicode', ttl: '90000' })).reply(200, accepted('a'))
      .post('/sms/json', form({ ttl: '20000' })).reply(200, accepted('b'))
      .post('/sms/json', form({ ttl: '604800000' })).reply(200, accepted('c'));
    const { gateway } = setup();
    const at = (ms: number) => new Date(Date.parse(NOW) + ms);
    expect((await gateway.send(message({ text: 'Привет', encoding: 'UCS-2', validUntil: at(90_000) }))).ok).toBe(true);
    expect((await gateway.send(message({ validUntil: at(5_000) }))).ok).toBe(true);
    expect((await gateway.send(message({ validUntil: at(30 * 86_400_000) }))).ok).toBe(true);
    scope.done();
  });

  it('leaves out a client-ref over 40 characters and the callback without PUBLIC_URL', async () => {
    const longId = 'x'.repeat(41);
    const expected: Record<string, string> = form();
    delete expected['client-ref'];
    delete expected.callback;
    const scope = nock(BASE).post('/sms/json', expected).reply(200, accepted('a'));
    expect((await setup({ PUBLIC_URL: undefined }).gateway.send(message({ messageId: longId }))).ok).toBe(true);
    scope.done();
  });

  it('refuses without a request: a malformed number, and a validity period already over', async () => {
    const { gateway } = setup();
    for (const to of ['+12345', '+0123456789', 'call me']) {
      expect(await gateway.send(message({ to }))).toMatchObject({ ok: false, error: { code: 'invalid_number', retryable: false } });
    }
    expect(await gateway.send(message({ validUntil: new Date(Date.parse(NOW) - 1) }))).toMatchObject({ ok: false, error: { code: 'message_rejected' } });
    await gateway.close();
    expect(await gateway.send(message())).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true } });
  });
});

describe('vonage send: answers', () => {
  const send = async (reply: (scope: nock.Interceptor) => nock.Scope, deps: Partial<VonageDeps> = {}) => {
    const scope = reply(nock(BASE).post('/sms/json'));
    const result = await setup({}, deps).gateway.send(contractMessage());
    scope.done();
    return result;
  };

  it('accepts a long text only when every part is accepted, with the first part id and the summed price', async () => {
    expect(await send((i) => i.reply(200, accepted('P1', 'P2', 'P3')))).toEqual({ ok: true, providerMessageId: 'P1', segments: 3, cost: 0.0999 });
    const partial = await send((i) => i.reply(200, { 'message-count': '2', messages: [accepted('P1').messages[0], { status: '5', 'error-text': 'Internal Error' }] }));
    expect(partial).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: false, providerCode: 'status 5' } });
    if (!partial.ok) expect(partial.error.message).toContain('1 of 2 parts');
  });

  it('takes the throttling wait from the error text, else Retry-After, else one second', async () => {
    expect(await send((i) => i.reply(200, refused('1', 'Throughput Rate Exceeded - please wait [ 978 ] and retry'), { 'Retry-After': '5' })))
      .toMatchObject({ ok: false, error: { code: 'throttled', retryable: true, retryAfterMs: 978 } });
    expect(await send((i) => i.reply(200, refused('1', 'Throttled'), { 'Retry-After': '2' }))).toMatchObject({ ok: false, error: { retryAfterMs: 2000 } });
    expect(await send((i) => i.reply(200, refused('1', 'Throttled')))).toMatchObject({ ok: false, error: { retryAfterMs: 1000 } });
    const date = new Date(Date.parse(NOW) + 3000).toUTCString();
    expect(await send((i) => i.reply(429, '', { 'Retry-After': date }))).toMatchObject({ ok: false, error: { code: 'throttled', retryAfterMs: 3000 } });
  });

  it('refuses for good on credentials and credit, without echoing the secret', async () => {
    const auth = await send((i) => i.reply(200, refused('4', 'Bad Credentials')));
    expect(auth).toMatchObject({ ok: false, error: { code: 'auth_failed', retryable: false, providerCode: 'status 4' } });
    expect(JSON.stringify(auth)).not.toContain(CONFIG.VONAGE_API_SECRET);
    expect(await send((i) => i.reply(200, refused('9', 'Partner quota exceeded')))).toMatchObject({ ok: false, error: { code: 'insufficient_funds', retryable: false } });
  });

  it('tells a connection that never opened from one whose outcome is unknown', async () => {
    expect(await send((i) => i.replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }))).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true } });
    expect(await send((i) => i.replyWithError({ code: 'ECONNRESET', message: 'socket hang up' }))).toMatchObject({ ok: false, error: { retryable: false, outcomeUnknown: true } });
    expect(await send((i) => i.reply(200, '<html>gateway error</html>'))).toMatchObject({ ok: false, error: { code: 'unknown', outcomeUnknown: true } });
    const timedOut = () => Promise.reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    expect(await setup({}, { fetch: timedOut }).gateway.send(contractMessage())).toMatchObject({ ok: false, error: { code: 'timeout', retryable: false, outcomeUnknown: true } });
  });
});

describe('vonage map-error', () => {
  it.each([
    ['1', 'throttled', true], ['2', 'message_rejected', false], ['3', 'message_rejected', false], ['4', 'auth_failed', false],
    ['5', 'unavailable', true], ['6', 'message_rejected', false], ['7', 'blocked', false], ['8', 'auth_failed', false],
    ['9', 'insufficient_funds', false], ['10', 'throttled', true], ['11', 'auth_failed', false], ['12', 'message_rejected', false],
    ['14', 'auth_failed', false], ['15', 'invalid_sender', false], ['22', 'message_rejected', false], ['23', 'message_rejected', false],
    ['29', 'blocked', false], ['32', 'auth_failed', false], ['33', 'invalid_number', false], ['77', 'unknown', false],
  ])('send status %s → %s (retryable %s)', (status, code, retryable) => {
    expect(mapSendStatus(status, 'text')).toMatchObject({ code, retryable, providerCode: `status ${status}` });
  });

  it.each([
    ['delivered', '0', { status: 'delivered' }],
    ['accepted', '0', { status: 'submitted' }],
    ['buffered', '0', { status: 'submitted' }],
    ['unknown', '0', { status: 'submitted' }],
    ['unknown', '1', { status: 'undelivered', errorCode: 'unknown', providerCode: 'err-code 1' }],
    ['failed', '9', { status: 'undelivered', errorCode: 'opted_out', providerCode: 'err-code 9' }],
    ['rejected', '3', { status: 'rejected', errorCode: 'invalid_number' }],
    ['failed', '2', { status: 'undelivered', errorCode: 'unavailable' }],
    ['failed', '6', { status: 'undelivered', errorCode: 'message_rejected' }],
    ['failed', '14', { status: 'undelivered', errorCode: 'blocked' }],
    ['expired', '0', { status: 'expired' }],
  ])('receipt %s with err-code %s', (status, errCode, expected) => {
    expect(mapReceipt(status, errCode)).toMatchObject(expected);
  });

  it('ignores receipt statuses it does not know and maps HTTP failures', () => {
    expect(mapReceipt('queued', '0')).toBeUndefined();
    expect(mapHttpStatus(503, 4000)).toMatchObject({ code: 'unavailable', retryable: true, retryAfterMs: 4000 });
    expect(mapHttpStatus(401)).toMatchObject({ code: 'auth_failed', retryable: false });
    expect(mapHttpStatus(404)).toMatchObject({ code: 'unknown', retryable: false });
  });

  it('masks phone numbers that Vonage echoes in its error text', () => {
    expect(mapSendStatus('3', 'Invalid to address 447700900123').message).not.toContain('447700900123');
  });
});

describe('vonage webhook signatures', () => {
  const vectors = fixture('signature-vectors.json') as unknown as { secret: string; params: Record<string, string>; signatures: Record<SignatureMethod, string> };

  it.each(Object.entries(vectors.signatures))('matches the SDK vector for %s', (method, signature) => {
    expect(signParams(vectors.params, vectors.secret, method as SignatureMethod)).toBe(signature.toLowerCase());
  });

  it('matches the Python SDK md5hash vector', () => {
    expect(signParams({ a: '1', b: '2', timestamp: '1461605396' }, 'secret', 'md5hash')).toBe('6af838ef94998832dbfc29020b564830');
  });

  it('agrees with a signature computed here step by step, & and = in values included', () => {
    const params = { text: 'a=b & c', msisdn: '447700900001', timestamp: NOW_UNIX, to: '447700900000' };
    const base = `&msisdn=447700900001&text=a_b _ c&timestamp=${NOW_UNIX}&to=447700900000`;
    expect(signatureBase(params)).toBe(base);
    const hmac = createHmac('sha256', SECRET).update(base).digest('hex');
    expect(signParams(params, SECRET, 'sha256')).toBe(hmac);
    expect(signParams(params, SECRET, 'md5hash')).toBe(createHash('md5').update(base + SECRET).digest('hex'));
    expect(setup().gateway.verifyWebhook(webhook({ ...params, sig: hmac.toUpperCase() }), new Date(NOW))).toBe(true);
    expect(setup().gateway.verifyWebhook(webhook({ ...params, sig: hmac }, 'get'), new Date(NOW))).toBe(true);
  });

  it('accepts signed GET, form and JSON webhooks, and refuses anything altered, stale or unsigned', () => {
    const { gateway } = setup();
    const now = new Date(NOW);
    const fields = signed(receipt({}));
    for (const as of ['get', 'form', 'json'] as const) expect(gateway.verifyWebhook(webhook(fields, as), now)).toBe(true);
    expect(gateway.verifyWebhook(webhook({ ...fields, price: '0.00000000' }), now)).toBe(false);
    expect(gateway.verifyWebhook(webhook(signed(receipt({}), { unix: String(Number(NOW_UNIX) + 301) })), now)).toBe(false);
    expect(gateway.verifyWebhook(webhook(signed(receipt({}), { unix: String(Number(NOW_UNIX) - 299) })), now)).toBe(true);
    expect(gateway.verifyWebhook(webhook(signed(receipt({}), { method: 'md5hash' })), now)).toBe(false);
    const { sig: _sig, ...unsigned } = fields;
    expect(gateway.verifyWebhook(webhook(unsigned), now)).toBe(false);
    const { timestamp: _t, ...undated } = receipt({});
    expect(gateway.verifyWebhook(webhook({ ...undated, sig: signParams(undated, SECRET, 'sha256') }), now)).toBe(false);
    const repeated = webhook(fields);
    expect(gateway.verifyWebhook({ ...repeated, rawBody: `${repeated.rawBody}&status=failed` }, now)).toBe(false);
    expect(setup({ VONAGE_SIGNATURE_SECRET: undefined }).gateway.verifyWebhook(webhook(fields), now)).toBe(false);
    expect(setup({ VONAGE_SIGNATURE_METHOD: 'md5hash' }).gateway.verifyWebhook(webhook(signed(receipt({}), { method: 'md5hash' })), now)).toBe(true);
  });
});

describe('vonage receipts', () => {
  it('reads the documented typical receipt', () => {
    expect(setup().gateway.parseStatus(webhook(fixture('dlr-delivered.json')))).toEqual([{
      type: 'status', gateway: 'vonage', providerMessageId: '0B00000127FDBC63', status: 'delivered', at: '2018-10-25T12:10:29.000Z', key: '0B00000127FDBC63:delivered',
      part: { id: '0B00000127FDBC63' },
    }]);
  });

  it('learns an opt-out from err-code 9 and refuses the next send to that pair until the recipient writes again', async () => {
    const { gateway } = setup();
    expect(gateway.parseStatus(webhook(fixture('dlr-opted-out.json')))).toMatchObject([{ status: 'undelivered', errorCode: 'opted_out', providerCode: 'err-code 9' }]);
    const toOptedOut = contractMessage({ to: '+447700900000', from: 'AcmeInc' });
    expect(await gateway.send(toOptedOut)).toMatchObject({ ok: false, error: { code: 'opted_out', retryable: false } });
    const scope = nock(BASE).post('/sms/json', (body: Record<string, string>) => body.from === 'OtherBrand').reply(200, accepted('X1'));
    expect((await gateway.send({ ...toOptedOut, from: 'OtherBrand' })).ok).toBe(true);
    scope.done();
    gateway.parseStatus(webhook(receipt({ msisdn: '447700900000', to: '447700900099', status: 'rejected', 'err-code': '9' })));
    expect((await gateway.send({ ...toOptedOut, from: '+447700900099' })).ok).toBe(false);
    gateway.parseInbound(webhook({ ...fixture('inbound-text.json'), msisdn: '447700900000', to: '447700900099', text: 'START' }));
    const again = nock(BASE).post('/sms/json').reply(200, accepted('X2'));
    expect((await gateway.send({ ...toOptedOut, from: '+447700900099' })).ok).toBe(true);
    again.done();
  });

  it('passes on every part of a long message under our id, each with its own key', () => {
    const { gateway } = setup();
    const parts = ['P1', 'P2'].flatMap((id) => gateway.parseStatus(webhook(receipt({ messageId: id, 'client-ref': 'm-42' }))));
    expect(parts.map((e) => [e.type === 'status' && e.messageId, e.key])).toEqual([['m-42', 'P1:delivered'], ['m-42', 'P2:delivered']]);
  });

  it('a long message is delivered only when every part is; a failed part makes it undelivered with that part’s code', async () => {
    const { gateway } = setup();
    const store = new MemoryStore();
    const ingestor = new EventIngestor({ store, clock: fixedClock(NOW), logger: silentLogger, newId: () => 'x', gateway: () => gateway });
    // Sent as three parts (the answer listed three ids): the row carries Vonage's part count.
    const rows = ['m-1', 'm-2'].map((id) => makeOutboxRow({ campaignId: 'c1', contactId: id, gateway: 'vonage', status: 'submitted', providerMessageId: `${id}-P1`, segments: 3 }));
    const [whole, broken] = rows.map((row, i) => ({ ...row, id: `m-${i + 1}` })) as [OutboxMessage, OutboxMessage];
    await store.outbox.insertMany([whole, broken]);
    const dlr = (ref: string, part: string, fields: Record<string, string> = {}) => gateway.parseStatus(webhook(receipt({ messageId: `${ref}-${part}`, 'client-ref': ref, ...fields })));
    await ingestor.ingest([...dlr('m-1', 'P1'), ...dlr('m-1', 'P2'), ...dlr('m-2', 'P1'), ...dlr('m-2', 'P3', { status: 'failed', 'err-code': '6' })]);
    let stored = await store.outbox.getMany(['m-1', 'm-2']);
    expect(stored.get('m-1')?.status).toBe('submitted');
    expect(stored.get('m-2')).toMatchObject({ status: 'undelivered', providerCode: 'err-code 6' });
    await ingestor.ingest([...dlr('m-1', 'P3'), ...dlr('m-2', 'P2')]);
    stored = await store.outbox.getMany(['m-1', 'm-2']);
    expect(stored.get('m-1')?.status).toBe('delivered');
    expect(stored.get('m-2')).toMatchObject({ status: 'undelivered', providerCode: 'err-code 6' });
    expect(isPartiallyDelivered(stored.get('m-2') as OutboxMessage)).toBe(true);
    expect(isPartiallyDelivered(stored.get('m-1') as OutboxMessage)).toBe(false);
  });

  it('ignores empty and unknown receipts, and refuses malformed ones as VALIDATION_FAILED', () => {
    const { gateway } = setup();
    expect(gateway.parseStatus(webhook({}))).toEqual([]);
    expect(gateway.parseStatus(webhook(receipt({ status: 'queued' })))).toEqual([]);
    const { messageId: _id, ...noId } = receipt({});
    expect(() => gateway.parseStatus(webhook(noId))).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => gateway.parseStatus({ ...webhook(receipt({})), fields: { ...receipt({}), status: ['delivered', 'failed'] } })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});

describe('vonage inbound', () => {
  const part = (n: number, text: string, overrides: Record<string, string> = {}) =>
    webhook({ ...fixture('inbound-text.json'), messageId: `IN-${n}`, text, concat: 'true', 'concat-ref': '7', 'concat-total': '3', 'concat-part': String(n), ...overrides });

  it('reads the documented inbound example with + on both numbers', () => {
    expect(setup().gateway.parseInbound(webhook(fixture('inbound-text.json')))).toEqual([{
      type: 'inbound', gateway: 'vonage', providerMessageId: '0A0000000123ABCD1', from: '+447700900001', to: '+447700900000',
      text: 'Hello world', at: '2020-01-01T12:00:00.000Z', key: '0A0000000123ABCD1',
    }]);
  });

  it('reassembles concatenated parts in part order, once, when the last one arrives', () => {
    const { gateway } = setup();
    expect(gateway.parseInbound(part(2, 'lo wo'))).toEqual([]);
    expect(gateway.parseInbound(part(2, 'lo wo'))).toEqual([]);
    expect(gateway.parseInbound(part(3, 'rld'))).toEqual([]);
    expect(gateway.pendingInbound()).toBe(1);
    expect(gateway.parseInbound(part(1, 'Hel'))).toMatchObject([{ text: 'Hello world', providerMessageId: 'IN-1', key: 'IN-1', from: '+447700900001' }]);
    expect(gateway.pendingInbound()).toBe(0);
  });

  it('drops a message whose parts do not all arrive within the TTL', () => {
    const clock = fixedClock(NOW);
    const assembler = createInboundAssembler({ gateway: 'vonage', clock, ttlMs: 60_000 });
    const piece = (n: number, ref = '7') => ({ from: '+1', to: '+2', providerMessageId: `IN-${n}`, text: `${n}`, at: NOW, concat: { ref, total: 2, part: n } });
    expect(assembler.add(piece(1))).toBeUndefined();
    clock.advance(60_000);
    expect(assembler.add(piece(2))).toBeUndefined();
    expect(assembler.dropped()).toBe(1);
    expect(assembler.add(piece(1))).toMatchObject({ text: '12' });
  });

  it('skips binary messages and refuses inconsistent parts', () => {
    const { gateway } = setup();
    expect(gateway.parseInbound(webhook({ ...fixture('inbound-text.json'), type: 'binary', text: '' }))).toEqual([]);
    expect(() => gateway.parseInbound(part(4, 'x'))).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});

describe('vonage credentials and config', () => {
  const balance = () => nock(BASE).get('/account/get-balance').query({ api_key: 'abcd1234', api_secret: 'abcdef0123456789' });

  it('checks the balance, and never puts the secret in the detail', async () => {
    const scope = balance().reply(200, { value: 10.5, autoReload: false }).get('/account/get-balance').query(true).reply(401, { 'error-code': '401', 'error-code-label': 'authentication failed' });
    const good = await setup({ VONAGE_SIGNATURE_SECRET: undefined }).gateway.verifyCredentials();
    expect(good).toMatchObject({ ok: true });
    expect(good.detail).toContain('10.50');
    expect(good.detail).toContain('VONAGE_SIGNATURE_SECRET is not set');
    const bad = await setup().gateway.verifyCredentials();
    expect(bad).toMatchObject({ ok: false });
    expect(`${good.detail}${bad.detail}`).not.toContain(CONFIG.VONAGE_API_SECRET);
    scope.done();
  });

  it('fills defaults, coerces numbers from strings, and names bad settings without their values', () => {
    expect(vonageConfigSchema.parse({ VONAGE_API_KEY: 'k', VONAGE_API_SECRET: 's' })).toMatchObject({
      VONAGE_API_BASE: 'https://rest.nexmo.com', VONAGE_SIGNATURE_METHOD: 'sha256', VONAGE_MPS: 30, VONAGE_MAX_IN_FLIGHT: 10,
    });
    expect(setup({ VONAGE_MPS: '12', VONAGE_MAX_IN_FLIGHT: '4' }).gateway.capabilities()).toMatchObject({ maxSegmentsPerSecond: 12, maxInFlight: 4, unicode: true });
    expect(() => setup({ VONAGE_SIGNATURE_METHOD: 'sha3' as SignatureMethod })).toThrow(/VONAGE_SIGNATURE_METHOD must be one of md5hash/);
    expect(() => createVonageGateway({ VONAGE_API_SECRET: 'top-secret-value' } as VonageConfigInput, { clock: fixedClock(NOW) }))
      .toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.not.stringContaining('top-secret-value') }));
  });
});
