import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/common/clock.js';
import type { GatewayEvent, GatewayErrorCode, SendResult } from '../../../src/delivery/gateway.js';
import {
  callbackUrl,
  createSmsRuGateway,
  mapHttpStatus,
  mapSmsRuError,
  mapSmsRuReceipt,
  parseRetryAfter,
  SMSRU_CALLBACK_OK,
  smsruConfigSchema,
} from '../../../integrations/gateways/smsru/index.js';
import type { FetchLike, SmsRuConfigInput } from '../../../integrations/gateways/smsru/index.js';
import { contractMessage, describeGatewayContract } from '../../delivery/gateway.contract.js';
import { API_ID, CALLBACK_SECRET, callbackRequest, EXAMPLE_HASH, EXAMPLE_RECORDS, PUBLIC_URL, statusRecord } from '../../fixtures/smsru/callbacks.js';

const BASE = 'https://sms.ru';
// Half a second past the second, so a Retry-After HTTP date (whole seconds) can say 1500 ms exactly.
const START = '2026-03-02T09:59:58.500Z';
const TO = '79123456789';
const config = (overrides: Partial<SmsRuConfigInput> = {}): SmsRuConfigInput => ({
  SMSRU_API_ID: API_ID,
  SMSRU_CALLBACK_SECRET: CALLBACK_SECRET,
  PUBLIC_URL,
  ...overrides,
});

function setup(overrides: Partial<SmsRuConfigInput> = {}, fetch?: FetchLike) {
  const clock = fixedClock(START);
  const gateway = createSmsRuGateway(config(overrides), { clock, ...(fetch ? { fetch } : {}) });
  return { clock, gateway, scope: nock(BASE) };
}

/** The exact form sms/send must receive for the contract message. */
const sendForm = (extra: Record<string, string> = {}) => ({
  api_id: API_ID,
  to: TO,
  msg: 'Hello from the gateway contract suite',
  json: '1',
  from: 'SmsBridge',
  ...extra,
});
const accepted = (smsId: string) => ({ status: 'OK', status_code: 100, sms: { [TO]: { status: 'OK', status_code: 100, sms_id: smsId } }, balance: 4122.56 });
const refused = (code: number, text: string) => ({ status: 'OK', status_code: 100, sms: { [TO]: { status: 'ERROR', status_code: code, status_text: text } }, balance: 4122.56 });
const errorOf = (result: SendResult) => {
  if (result.ok) throw new Error(`expected a failure, got ${result.providerMessageId}`);
  return result.error;
};

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describeGatewayContract('smsru', async () => {
  const { clock, gateway, scope } = setup();
  const ids: string[] = [];
  const settled = new Set<string>();
  const events: GatewayEvent[] = [];
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => scope.post('/sms/send', sendForm()).reply(status, body as nock.Body, headers);
  return {
    gateway,
    scenario: {
      accept: () => {
        const id = `000000-1000000${ids.length + 1}`;
        ids.push(id);
        reply(200, accepted(id));
      },
      rejectInvalid: () => reply(200, refused(202, 'Неправильно указан номер телефона получателя, либо на него нет маршрута')),
      throttle: (ms) => reply(429, 'Too Many Requests', { 'Retry-After': new Date(clock.now().getTime() + ms).toUTCString() }),
      serverDown: () => reply(503, 'Service Unavailable'),
      optedOut: () => reply(200, refused(215, 'Этот номер находится в стоп-листе SMS.RU')),
    },
    events: () => events,
    // SMS.ru pushes receipts to our callback URL: deliver one signed callback per accepted message.
    settle: async () => {
      for (const id of ids.filter((i) => !settled.has(i))) {
        settled.add(id);
        const request = callbackRequest({ records: [statusRecord(id, 103, 1772445600)] });
        if (!gateway.verifyWebhook(request, clock.now())) throw new Error('the harness callback did not verify');
        events.push(...gateway.parseStatus(request));
      }
    },
    // Every arranged answer was asked for; cleaned up even when not, so one failure does not leak into the next test.
    close: async () => {
      try {
        scope.done();
      } finally {
        nock.cleanAll();
      }
    },
    webhooks: {
      now: new Date(START),
      valid: () => callbackRequest({ records: [statusRecord('000000-10000001', 103, 1772445600)] }),
      // Signed over "103 delivered", then the body says 104: the hash no longer matches.
      tampered: () => {
        const request = callbackRequest({ records: [statusRecord('000000-10000001', 103, 1772445600)] });
        const forged = statusRecord('000000-10000001', 104, 1772445600);
        return { ...request, rawBody: request.rawBody.replace('103', '104'), fields: { ...request.fields, 'data[0]': forged } };
      },
    },
  };
});

describe('smsru map-error', () => {
  it.each<[number, GatewayErrorCode, boolean]>([
    [200, 'auth_failed', false], [300, 'auth_failed', false], [301, 'auth_failed', false], [302, 'auth_failed', false],
    [201, 'insufficient_funds', false], [202, 'invalid_number', false], [207, 'invalid_number', false],
    [203, 'message_rejected', false], [205, 'message_rejected', false], [212, 'message_rejected', false], [216, 'message_rejected', false],
    [204, 'invalid_sender', false], [209, 'opted_out', false], [215, 'opted_out', false], [214, 'blocked', false],
    [206, 'throttled', false], [230, 'throttled', false], [231, 'throttled', false], [232, 'throttled', false],
    [220, 'unavailable', true], [500, 'unavailable', true], [-1, 'unknown', false], [999, 'unknown', false],
  ])('maps status code %i to %s (retryable %s)', (code, expected, retryable) => {
    const error = mapSmsRuError(code);
    expect(error).toMatchObject({ code: expected, retryable, providerCode: String(code) });
    // Daily limits must not pause the whole gateway through a Retry-After.
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toMatch(new RegExp(`^SMS\\.ru ${code}: \\S`));
  });

  it("uses SMS.ru's own text, with any phone number in it masked", () => {
    expect(mapSmsRuError(207, 'Нельзя отправлять на 79123456789').message).toBe('SMS.ru 207: Нельзя отправлять на 7912***6789');
  });

  it.each([
    [100, 'submitted', undefined], [101, 'submitted', undefined], [102, 'submitted', undefined], [103, 'delivered', undefined],
    [110, 'delivered', undefined], [104, 'expired', undefined], [105, 'rejected', 'blocked'], [106, 'undelivered', undefined],
    [107, 'undelivered', 'unknown'], [108, 'rejected', 'blocked'], [150, 'failed', 'invalid_number'],
  ])('maps receipt code %i to %s', (code, status, errorCode) => {
    expect(mapSmsRuReceipt(code)).toEqual({ status, ...(errorCode ? { errorCode } : {}) });
  });

  it.each([-1, 200, 207, 999])('has no delivery status for %i', (code) => {
    expect(mapSmsRuReceipt(code)).toBeUndefined();
  });

  it.each<[number, GatewayErrorCode, boolean]>([[429, 'throttled', true], [500, 'unavailable', true], [503, 'unavailable', true], [401, 'auth_failed', false], [403, 'auth_failed', false], [404, 'unknown', false]])(
    'maps HTTP %i to %s',
    (status, code, retryable) => {
      expect(mapHttpStatus(status, undefined)).toMatchObject({ code, retryable, providerCode: `HTTP ${status}` });
    },
  );

  it('gives a 429 without Retry-After a default wait, and keeps a given one', () => {
    expect(mapHttpStatus(429, undefined).retryAfterMs).toBe(1000);
    expect(mapHttpStatus(503, 30_000).retryAfterMs).toBe(30_000);
  });

  it.each([
    ['120', 120_000], ['0', 0], ['1.5', 1500], ['Mon, 02 Mar 2026 10:00:00 GMT', 1500], ['Mon, 02 Mar 2026 09:00:00 GMT', 0],
    ['soon', undefined], ['', undefined], [null, undefined],
  ])('reads Retry-After %j as %j ms', (header, expected) => {
    expect(parseRetryAfter(header, new Date(START))).toBe(expected);
  });
});

describe('smsru send', () => {
  it('posts one number as digits, the text, json=1 and the sender, and nothing else', async () => {
    const { gateway, scope } = setup();
    scope.post('/sms/send', sendForm({ msg: 'Привет, мир' })).reply(200, accepted('202603-1'));
    expect(await gateway.send(contractMessage({ to: '+7 912 345-67-89', text: 'Привет, мир', encoding: 'UCS-2' }))).toEqual({ ok: true, providerMessageId: '202603-1' });
    scope.done();
  });

  it('leaves `from` out when the sender is empty, and sends the validity as ttl minutes', async () => {
    const { gateway, scope, clock } = setup();
    const { from: _from, ...withoutFrom } = sendForm();
    scope.post('/sms/send', { ...withoutFrom, ttl: '91' }).reply(200, accepted('202603-2'));
    const validUntil = new Date(clock.now().getTime() + 90 * 60_000 + 1);
    expect((await gateway.send(contractMessage({ from: ' ', validUntil }))).ok).toBe(true);
    scope.done();
  });

  it('refuses locally, without a request, a message whose validity is over or a number that is not one', async () => {
    const { gateway, clock } = setup();
    expect(errorOf(await gateway.send(contractMessage({ validUntil: new Date(clock.now().getTime() - 1) })))).toMatchObject({ code: 'message_rejected', retryable: false, providerCode: 'LOCAL' });
    expect(errorOf(await gateway.send(contractMessage({ to: '+7 12' })))).toMatchObject({ code: 'invalid_number', retryable: false });
  });

  it('reads request-level errors from the top-level status (auth, balance)', async () => {
    const { gateway, scope } = setup();
    scope.post('/sms/send').reply(200, { status: 'ERROR', status_code: 200, status_text: 'Неправильный api_id' });
    scope.post('/sms/send').reply(200, { status: 'ERROR', status_code: 201, status_text: 'Не хватает средств на лицевом счету' });
    const auth = errorOf(await gateway.send(contractMessage()));
    expect(auth).toMatchObject({ code: 'auth_failed', retryable: false, providerCode: '200' });
    expect(JSON.stringify(auth)).not.toContain(API_ID);
    expect(errorOf(await gateway.send(contractMessage()))).toMatchObject({ code: 'insufficient_funds', retryable: false });
    scope.done();
  });

  it.each<[number, GatewayErrorCode, boolean]>([[206, 'throttled', false], [231, 'throttled', false], [204, 'invalid_sender', false], [220, 'unavailable', true]])(
    'reads the per-number code %i as %s',
    async (code, expected, retryable) => {
      const { gateway, scope } = setup();
      scope.post('/sms/send').reply(200, refused(code, 'x'));
      expect(errorOf(await gateway.send(contractMessage()))).toMatchObject({ code: expected, retryable, providerCode: String(code) });
      scope.done();
    },
  );

  it('takes the lone entry when SMS.ru keyed it by a number written differently', async () => {
    const { gateway, scope } = setup();
    scope.post('/sms/send').reply(200, { status: 'OK', status_code: 100, sms: { '89123456789': { status: 'OK', status_code: 100, sms_id: '202603-3' } } });
    expect(await gateway.send(contractMessage())).toMatchObject({ ok: true, providerMessageId: '202603-3' });
    scope.done();
  });

  it('records an unreadable 200, a missing entry and a timeout as unknown outcomes, never retried', async () => {
    const { gateway, scope } = setup();
    scope.post('/sms/send').reply(200, '<html>gateway</html>');
    scope.post('/sms/send').reply(200, { status: 'OK', status_code: 100, sms: {} });
    for (let i = 0; i < 2; i++) expect(errorOf(await gateway.send(contractMessage()))).toMatchObject({ code: 'unknown', retryable: false, outcomeUnknown: true });
    scope.done();
    const timingOut: FetchLike = () => Promise.reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    const slow = setup({}, timingOut).gateway;
    expect(errorOf(await slow.send(contractMessage()))).toMatchObject({ code: 'timeout', retryable: false, outcomeUnknown: true });
  });

  it('retries a refused connection (nothing was sent) but not a reset one (something may have been)', async () => {
    const { gateway, scope } = setup();
    scope.post('/sms/send').replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    scope.post('/sms/send').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    expect(errorOf(await gateway.send(contractMessage()))).toMatchObject({ code: 'unavailable', retryable: true });
    expect(errorOf(await gateway.send(contractMessage()))).toMatchObject({ code: 'unknown', retryable: false, outcomeUnknown: true });
    scope.done();
  });

  it('reports capabilities from the configuration', () => {
    expect(setup({ SMSRU_MPS: '25', SMSRU_MAX_IN_FLIGHT: '3' }).gateway.capabilities()).toEqual({
      maxSegmentsPerSecond: 25, maxInFlight: 3, maxRetryAfterMs: 60_000, unicode: true, alphanumericSender: { allowed: true, maxLength: 11 },
    });
  });
});

describe('smsru status callbacks', () => {
  const { gateway } = setup();
  const now = new Date(START);

  it('verifies the documented example: URL secret plus sha256(api_id + records)', () => {
    const request = callbackRequest({ records: EXAMPLE_RECORDS });
    expect(request.fields.hash).toBe(EXAMPLE_HASH);
    expect(gateway.verifyWebhook(request, now)).toBe(true);
    expect(gateway.verifyWebhook(callbackRequest({ records: EXAMPLE_RECORDS, hash: EXAMPLE_HASH.toUpperCase() }), now)).toBe(true);
  });

  it.each([
    ['a wrong secret', { secret: 'callback-secret-0123456780' }],
    ['no secret', { secret: null }],
    ['a hash made with another api_id', { apiId: 'someone-else' }],
    ['no hash', { hash: null }],
    ['a changed record', { hash: EXAMPLE_HASH, records: [EXAMPLE_RECORDS[0]!.replace('103', '104'), EXAMPLE_RECORDS[1]!] }],
    ['a record with control characters', { records: [`${statusRecord('1-1', 103)}\u0000\u0080`] }],
  ])('refuses a callback with %s', (_label, options) => {
    expect(gateway.verifyWebhook(callbackRequest({ records: EXAMPLE_RECORDS, ...options }), now)).toBe(false);
  });

  it('accepts a callback without hash only when the hash is switched off, but never a wrong hash', () => {
    const lenient = setup({ SMSRU_CALLBACK_REQUIRE_HASH: 'false' }).gateway;
    expect(lenient.verifyWebhook(callbackRequest({ records: EXAMPLE_RECORDS, hash: null }), now)).toBe(true);
    expect(lenient.verifyWebhook(callbackRequest({ records: EXAMPLE_RECORDS, hash: 'ab'.repeat(32) }), now)).toBe(false);
    expect(lenient.verifyWebhook(callbackRequest({ records: EXAMPLE_RECORDS, hash: null, secret: 'wrong-secret-0123456789' }), now)).toBe(false);
  });

  it('refuses a record smuggled into the query string, which the hash does not cover', () => {
    const request = callbackRequest({ records: EXAMPLE_RECORDS });
    const url = `${request.url}&${encodeURIComponent('data[5]')}=${encodeURIComponent(statusRecord('000000-666', 103))}`;
    expect(gateway.verifyWebhook({ ...request, url, fields: { ...request.fields, 'data[5]': statusRecord('000000-666', 103) } }, now)).toBe(false);
  });

  it('turns sms_status records into events keyed sms_id:code, timed by their Unix time, and skips other kinds', () => {
    expect(gateway.parseStatus(callbackRequest({ records: EXAMPLE_RECORDS }))).toEqual([
      { type: 'status', gateway: 'smsru', providerMessageId: '000000-10000001', status: 'delivered', providerCode: '103', at: '2026-03-02T10:00:00.000Z', key: '000000-10000001:103' },
    ]);
  });

  it('reads records in index order, ignores extra lines, takes the clock when there is no time, skips non-delivery codes', () => {
    const records = Array.from({ length: 11 }, (_, i) => statusRecord(`1-${i}`, -1));
    records[2] = `${statusRecord('1-2', 104)}\nextra\nlines`;
    records[10] = statusRecord('1-10', 108);
    const events = gateway.parseStatus(callbackRequest({ records }));
    expect(events.map((e) => [e.providerMessageId, e.status, e.errorCode, e.at])).toEqual([
      ['1-2', 'expired', undefined, START],
      ['1-10', 'rejected', 'blocked', START],
    ]);
  });

  it('throws VALIDATION_FAILED for an sms_status record without its code, or a repeated data key', () => {
    expect(() => gateway.parseStatus(callbackRequest({ records: ['sms_status\n000000-1'] }))).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    const request = callbackRequest({ records: EXAMPLE_RECORDS });
    const repeated = { ...request, fields: { ...request.fields, 'data[0]': [EXAMPLE_RECORDS[0]!, EXAMPLE_RECORDS[0]!] } };
    expect(() => gateway.parseStatus(repeated)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(gateway.verifyWebhook(repeated, now)).toBe(false);
    expect(gateway.parseStatus(callbackRequest({ records: [] }))).toEqual([]);
  });

  it('answers 100 as text/plain and builds the callback URL with the secret in the query', () => {
    expect(SMSRU_CALLBACK_OK).toBe('100');
    expect(gateway.webhookAnswer('status')).toEqual({ status: 200, contentType: 'text/plain', body: '100' });
    expect(callbackUrl('https://x.example/sms', 'a b&c')).toBe('https://x.example/sms/webhooks/smsru/status?secret=a+b%26c');
    expect(callbackUrl('https://x.example/', 's')).toBe('https://x.example/webhooks/smsru/status?secret=s');
    expect(gateway.statusCallbackUrl()).toBe(`${PUBLIC_URL}/webhooks/smsru/status?secret=${CALLBACK_SECRET}`);
    expect(setup({ PUBLIC_URL: undefined }).gateway.statusCallbackUrl()).toBeUndefined();
  });
});

describe('smsru lookup and credentials', () => {
  it('looks a message up through sms/status', async () => {
    const { gateway, scope } = setup();
    scope.post('/sms/status', { api_id: API_ID, sms_id: '000000-10000001', json: '1' })
      .reply(200, { status: 'OK', status_code: 100, sms: { '000000-10000001': { status: 'OK', status_code: 103, cost: 0.5, status_text: 'Сообщение доставлено' } }, balance: 4122.56 });
    scope.post('/sms/status').reply(200, { status: 'OK', status_code: 100, sms: { nope: { status: 'ERROR', status_code: -1, status_text: 'Сообщение не найдено' } } });
    scope.post('/sms/status').reply(200, { status: 'ERROR', status_code: 200, status_text: 'Неправильный api_id' });
    expect(await gateway.lookup('000000-10000001')).toEqual({
      type: 'status', gateway: 'smsru', providerMessageId: '000000-10000001', status: 'delivered', providerCode: '103', at: START, key: '000000-10000001:103',
    });
    expect(await gateway.lookup('nope')).toBeUndefined();
    await expect(gateway.lookup('x')).rejects.toThrow('SMS.ru 200');
    scope.done();
  });

  it('checks credentials with auth/check, never echoing the api_id', async () => {
    const { gateway, scope } = setup();
    scope.post('/auth/check', { api_id: API_ID, json: '1' }).reply(200, { status: 'OK', status_code: 100 });
    scope.post('/auth/check').reply(200, { status: 'ERROR', status_code: 301, status_text: 'Неправильный api_id, либо логин/пароль' });
    scope.post('/auth/check').replyWithError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND sms.ru' });
    expect(await gateway.verifyCredentials()).toEqual({ ok: true, detail: 'SMS.ru accepts the api_id' });
    const refusedKey = await gateway.verifyCredentials();
    expect(refusedKey).toMatchObject({ ok: false, detail: expect.stringContaining('301') });
    expect(refusedKey.detail).not.toContain(API_ID);
    expect(await gateway.verifyCredentials()).toEqual({ ok: false, detail: 'Could not reach SMS.ru: ENOTFOUND' });
    scope.done();
  });
});

describe('smsru config', () => {
  it('fills the documented defaults', () => {
    expect(smsruConfigSchema.parse({ SMSRU_API_ID: 'k', SMSRU_CALLBACK_SECRET: CALLBACK_SECRET })).toEqual({
      SMSRU_API_ID: 'k', SMSRU_API_BASE: 'https://sms.ru', SMSRU_MPS: 10, SMSRU_MAX_IN_FLIGHT: 5, SMSRU_TIMEOUT_MS: 10_000, SMSRU_MAX_RETRY_AFTER_S: 60,
      SMSRU_CALLBACK_SECRET: CALLBACK_SECRET, SMSRU_CALLBACK_REQUIRE_HASH: true,
    });
  });

  it.each([
    [{ SMSRU_CALLBACK_SECRET: CALLBACK_SECRET }, 'SMSRU_API_ID'],
    [{ SMSRU_API_ID: 'k' }, 'SMSRU_CALLBACK_SECRET'],
    [{ SMSRU_API_ID: 'k', SMSRU_CALLBACK_SECRET: 'short' }, 'at least 16 characters'],
    [{ SMSRU_API_ID: 'k', SMSRU_CALLBACK_SECRET: CALLBACK_SECRET, SMSRU_MPS: '0' }, 'positive number of segments'],
    [{ SMSRU_API_ID: 'k', SMSRU_CALLBACK_SECRET: CALLBACK_SECRET, SMSRU_CALLBACK_REQUIRE_HASH: 'yes' }, 'true or false'],
    [{ SMSRU_API_ID: 'k', SMSRU_CALLBACK_SECRET: CALLBACK_SECRET, SMSRU_API_BASE: 'sms.ru' }, 'http(s) URL'],
    [{ SMSRU_API_ID: 'k', SMSRU_CALLBACK_SECRET: CALLBACK_SECRET, SMSRU_API_BASE: 'ftp://sms.ru' }, 'http(s) URL'],
  ])('rejects %j naming the problem', (input, expected) => {
    const result = smsruConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(expected);
  });
});
