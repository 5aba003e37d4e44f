import fs from 'node:fs';
import path from 'node:path';
import { validate as validateOpenApi } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '../../src/http/api/openapi.js';
import type { ApiRoute } from '../../src/http/api/index.js';
import type { ApiServer } from '../helpers/api-server.js';
import { API_KEY, startApiServer } from '../helpers/api-server.js';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers and the OpenAPI document, checked by the validators
const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'customers-utf8-bom.csv');

let srv: ApiServer;
let doc: Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();
/** "post /campaigns" → the statuses seen, each validated against the document. */
const seen = new Map<string, Set<number>>();

/** The OpenAPI path template a concrete path belongs to, and its operation. */
function operationOf(method: string, concrete: string): { template: string; operation: Json } {
  const bare = concrete.split('?')[0] as string;
  for (const [template, ops] of Object.entries(doc.paths as Record<string, Json>)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(bare) && ops[method]) return { template, operation: ops[method] };
  }
  throw new Error(`${method} ${bare} is not in the OpenAPI document`);
}

/** Fails unless the answer's status is declared for the operation and its body validates against the declared schema. */
function checkAgainstDocument(method: string, concrete: string, status: number, body: unknown, contentType: string | null): void {
  const { template, operation } = operationOf(method, concrete);
  const key = `${method} ${template}`;
  const declared = operation.responses[String(status)];
  expect(declared, `${key} answered ${status}, which the document does not declare`).toBeDefined();
  (seen.get(key) ?? seen.set(key, new Set()).get(key))?.add(status);
  if (status === 204) return;
  const type = (contentType ?? '').split(';')[0]?.trim() ?? '';
  expect(Object.keys(declared.content), `${key} ${status} answered ${type}`).toContain(type);
  const cacheKey = `${key} ${status}`;
  let check = compiled.get(cacheKey);
  if (!check) {
    check = ajv.compile({ ...declared.content[type].schema, components: doc.components });
    compiled.set(cacheKey, check);
  }
  expect(check(body) ? [] : check.errors, `${key} ${status}: ${JSON.stringify(body).slice(0, 300)}`).toEqual([]);
}

/** One call over the socket, checked against the document. */
async function call(method: string, route: string, options: { body?: unknown; raw?: string | Buffer; contentType?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const hasJson = options.body !== undefined;
  const res = await fetch(`${srv.base}/api/v1${route}`, {
    method: method.toUpperCase(),
    headers: { authorization: `Bearer ${API_KEY}`, ...(hasJson ? { 'content-type': 'application/json' } : {}), ...(options.contentType ? { 'content-type': options.contentType } : {}), ...options.headers },
    ...(hasJson ? { body: JSON.stringify(options.body) } : options.raw !== undefined ? { body: options.raw } : {}),
  });
  const text = await res.text();
  const body = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text || undefined;
  checkAgainstDocument(method, route, res.status, body, res.headers.get('content-type'));
  return { status: res.status, body, headers: res.headers };
}

/** A JSON body just over the 256 kB limit. */
const TOO_BIG = { padding: 'x'.repeat(300 * 1024) };

beforeAll(async () => {
  srv = await startApiServer({ env: { SIMULATOR_MPS: '1000', TEST_SEND_REQUIRED_ABOVE: '3' } });
  doc = await (await fetch(`${srv.base}/api/v1/openapi.json`)).json();
});

afterAll(async () => {
  await srv.close();
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document by a standard validator, served without the key', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validateOpenApi(structuredClone(doc));
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(doc.paths['/openapi.json'].get.security).toEqual([]);
  });

  it('gives every answer of every operation a schema, never {}', () => {
    for (const [template, ops] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(ops as Record<string, Json>)) {
        const statuses = Object.keys(operation.responses);
        expect(statuses.some((s) => s.startsWith('2')), `${method} ${template} has no success answer`).toBe(true);
        for (const status of statuses) {
          if (status === '204') continue;
          const content = operation.responses[status].content ?? {};
          const schema: Json = Object.values(content as Record<string, { schema?: object }>)[0]?.schema;
          expect(schema, `${method} ${template} ${status}`).toBeDefined();
          expect(Object.keys(schema).length, `${method} ${template} ${status} declares {}`).toBeGreaterThan(0);
        }
        if (operation.requestBody) expect(statuses, `${method} ${template}`).toEqual(expect.arrayContaining(['400', '413']));
        if (!operation.security) expect(statuses, `${method} ${template}`).toContain('401');
      }
    }
    // The schemas bite: a campaign without its fields, or with one it does not declare, fails.
    const campaign = ajv.compile({ $ref: '#/components/schemas/Campaign', components: doc.components });
    expect(campaign({ id: 'c1' })).toBe(false);
    const contact = ajv.compile({ $ref: '#/components/schemas/ContactSummary', components: doc.components });
    const valid = { id: 'c1', phone: '+79990001111', interests: [], tags: [], properties: {}, createdAt: 'x', updatedAt: 'x', consent: { marketing: 'unknown', transactionalAllowed: true, lockedByRecipient: false } };
    expect(contact(valid)).toBe(true);
    expect(contact({ ...valid, secret: 1 })).toBe(false);
  });

  it('states what the server enforces: consent on contacts, counts on campaigns, exactly one message and one audience', () => {
    const { schemas } = doc.components;
    expect(schemas.Contact.required).toEqual(expect.arrayContaining(['consent', 'consentHistory']));
    expect(schemas.Campaign.required).toContain('messages');
    const create = doc.paths['/campaigns'].post.requestBody.content['application/json'].schema;
    expect(create.oneOf.map((branch: Json) => branch.required[0])).toEqual(['text', 'template', 'variants']);
    expect(create.properties.audience.oneOf.map((branch: Json) => branch.required[0])).toEqual(['segment', 'filter', 'phones']);
    expect(create.properties.audience.properties.phones.minItems).toBe(1);
    expect(create.properties.sender.description).toContain('SMS_SENDER');
  });

  it('refuses to describe a route whose success answer has no schema, so new routes must declare one', () => {
    const route = (responses: ApiRoute['responses']): ApiRoute => ({ method: 'get', path: '/things', tag: 't', summary: 's', responses, handle: async () => undefined });
    expect(() => openApiDocument([route({ 200: 'Things' })])).toThrow('GET /things: response 200 has no schema');
    expect(() => openApiDocument([route({ 200: { description: 'Things' } })])).toThrow('has no schema');
    expect(() => openApiDocument([route({ 200: { description: 'Things', schema: z.array(z.string()) }, 404: 'None' })])).not.toThrow();
    expect(() => openApiDocument([route({ 204: 'Nothing' })])).not.toThrow();
    const shorthand = openApiDocument([{ ...route({ 200: 'Things' }), response: z.array(z.string()) }]) as Json;
    expect(shorthand.paths['/things'].get.responses['200'].content['application/json'].schema).toEqual({ type: 'array', items: { type: 'string' } });
    const csv = openApiDocument([route({ 200: { description: 'A file', contentType: 'text/csv', schema: z.string() } })]) as Json;
    expect(csv.paths['/things'].get.responses['200'].content).toEqual({ 'text/csv': { schema: { type: 'string' } } });
  });
});

describe('every operation over a socket, every answer against its declared schema', () => {
  it('contacts, segments, templates, campaigns and messages, valid and invalid', async () => {
    // contacts
    const imported = await call('post', '/contacts/import', { raw: fs.readFileSync(fixture), contentType: 'text/csv' });
    expect(imported.status).toBe(200);
    expect((await call('post', '/contacts/import', { raw: '', contentType: 'text/csv' })).status).toBe(400);
    // The upload limit is 50 MB: the server reads the whole body before it answers, so this one is sent.
    expect((await call('post', '/contacts/import', { raw: Buffer.alloc(51 * 1024 * 1024, 0x61), contentType: 'text/csv' })).status).toBe(413);
    expect((await call('get', '/contacts?limit=2')).status).toBe(200);
    expect((await call('get', '/contacts?limit=abc')).status).toBe(400);
    expect((await call('put', '/contacts/%2B79990001111', { body: { firstName: 'Анна', tags: ['vip'] } })).status).toBe(201);
    const updated = await call('put', '/contacts/%2B79990001111', { body: { city: 'Москва' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ consent: { marketing: 'unknown' }, consentHistory: [] });
    expect((await call('put', '/contacts/%2B79990001111', { body: { gender: 'robot' } })).status).toBe(400);
    expect((await call('put', '/contacts/%2B79990001111', { body: TOO_BIG })).status).toBe(413);
    expect((await call('post', '/contacts/%2B79990001111/opt-in', { body: { source: 'web form' } })).status).toBe(200);
    expect((await call('post', '/contacts/%2B79990001111/opt-in', { body: {} })).status).toBe(400);
    expect((await call('post', '/contacts/%2B79990009999/opt-in', { body: { source: 'web form' } })).status).toBe(404);
    expect((await call('post', '/contacts/%2B79990001111/opt-in', { body: TOO_BIG })).status).toBe(413);
    const shown = await call('get', '/contacts/%2B79990001111');
    expect(shown.status).toBe(200);
    expect(shown.body.consentHistory).toHaveLength(1);
    expect((await call('get', '/contacts/%2B79990009999')).status).toBe(404);
    expect((await call('get', '/contacts/not-a-number')).status).toBe(400);
    expect((await call('post', '/contacts/%2B79990001111/opt-out', { body: { scope: 'marketing' } })).status).toBe(200);
    expect((await call('post', '/contacts/%2B79990001111/opt-out', { body: { scope: 'everything' } })).status).toBe(400);
    expect((await call('post', '/contacts/%2B79990009999/opt-out', { body: {} })).status).toBe(404);
    expect((await call('post', '/contacts/%2B79990001111/opt-out', { body: TOO_BIG })).status).toBe(413);

    // segments
    const filter = { field: 'city', op: 'eq', value: 'Москва' };
    expect((await call('put', '/segments/moscow', { body: { filter } })).status).toBe(201);
    expect((await call('put', '/segments/moscow', { body: { filter, description: 'Moscow' } })).status).toBe(200);
    expect((await call('put', '/segments/moscow', { body: { filter: { field: 'nope', op: 'eq' } } })).status).toBe(400);
    expect((await call('put', '/segments/moscow', { body: TOO_BIG })).status).toBe(413);
    expect((await call('get', '/segments')).status).toBe(200);
    expect((await call('get', '/segments/moscow')).status).toBe(200);
    expect((await call('get', '/segments/nowhere')).status).toBe(404);
    expect((await call('get', '/segments/moscow/preview?sample=2')).status).toBe(200);
    expect((await call('get', '/segments/moscow/preview?sample=many')).status).toBe(400);
    expect((await call('get', '/segments/nowhere/preview')).status).toBe(404);
    expect((await call('put', '/segments/gone', { body: { filter } })).status).toBe(201);
    expect((await call('delete', '/segments/gone')).status).toBe(204);
    expect((await call('delete', '/segments/gone')).status).toBe(404);

    // templates
    expect((await call('put', '/templates/order', { body: { text: 'Заказ {{number}} готов', variables: ['number'] } })).status).toBe(201);
    expect((await call('put', '/templates/order', { body: { text: 'Заказ {{number}} готов!', variables: ['number'] } })).status).toBe(200);
    expect((await call('put', '/templates/order', { body: { text: 'Hi {{unknown}}' } })).status).toBe(400);
    expect((await call('put', '/templates/order', { body: TOO_BIG })).status).toBe(413);
    expect((await call('get', '/templates')).status).toBe(200);
    expect((await call('get', '/templates/order')).status).toBe(200);
    expect((await call('get', '/templates/none')).status).toBe(404);

    // campaigns
    const campaign = { name: 'Orders', kind: 'transactional', audience: { filter: { and: [] } }, template: 'order', variables: { number: '42' } };
    const created = await call('post', '/campaigns', { body: campaign });
    expect(created.status).toBe(201);
    expect(created.body.messages).toEqual({});
    const id = created.body.id as string;
    expect((await call('post', '/campaigns', { body: { ...campaign, text: 'both ways' } })).status).toBe(400);
    expect((await call('post', '/campaigns', { body: { ...campaign, audience: { segment: 'nowhere' } } })).status).toBe(404);
    expect((await call('post', '/campaigns', { body: TOO_BIG })).status).toBe(413);
    expect((await call('get', '/campaigns')).status).toBe(200);
    expect((await call('get', `/campaigns/${id}`)).status).toBe(200);
    expect((await call('get', '/campaigns/missing')).status).toBe(404);
    expect((await call('post', `/campaigns/${id}/preview`)).status).toBe(200);
    expect((await call('post', '/campaigns/missing/preview')).status).toBe(404);
    expect((await call('post', `/campaigns/${id}/send`)).status).toBe(409);
    expect((await call('post', `/campaigns/${id}/test`, { body: { to: ['+79990001122'] } })).status).toBe(200);
    expect((await call('post', `/campaigns/${id}/test`, { body: { to: [] } })).status).toBe(400);
    expect((await call('post', '/campaigns/missing/test', { body: { to: ['+79990001122'] } })).status).toBe(404);
    expect((await call('post', `/campaigns/${id}/test`, { body: TOO_BIG })).status).toBe(413);
    expect((await call('post', '/campaigns/missing/send')).status).toBe(404);
    expect((await call('post', `/campaigns/${id}/resume`)).status).toBe(409);
    expect((await call('post', `/campaigns/${id}/send`)).status).toBe(202);
    expect((await call('post', `/campaigns/${id}/pause`)).status).toBe(200);
    expect((await call('post', '/campaigns/missing/pause')).status).toBe(404);
    expect((await call('post', `/campaigns/${id}/resume`)).status).toBe(200);
    expect((await call('post', '/campaigns/missing/resume')).status).toBe(404);
    expect((await call('post', `/campaigns/${id}/resume`, { body: { maxCost: -1 } })).status).toBe(400);
    expect((await call('post', `/campaigns/${id}/resume`, { body: TOO_BIG })).status).toBe(413);
    await srv.engine.runCampaign(id, { receipts: false, timeoutMs: 5000 });
    expect((await call('post', `/campaigns/${id}/pause`)).status).toBe(409);
    const report = await call('get', `/campaigns/${id}/report`);
    expect(report.status).toBe(200);
    expect(report.body.submitted).toBeGreaterThan(0);
    expect((await call('get', '/campaigns/missing/report')).status).toBe(404);
    const other = await call('post', '/campaigns', { body: { ...campaign, name: 'Later', schedule: { type: 'at', at: '2030-01-01T10:00:00+03:00' } } });
    expect((await call('post', `/campaigns/${other.body.id}/cancel`)).status).toBe(200);
    expect((await call('post', `/campaigns/${other.body.id}/cancel`)).status).toBe(409);
    expect((await call('post', '/campaigns/missing/cancel')).status).toBe(404);
    // a survey, a holdout and untracked links are fields of the create body, echoed by the campaign
    const outcomes = { name: 'Опрос', kind: 'transactional', audience: { filter: { and: [] } }, text: 'Как вам https://shop.example/? 1, 2 или 3', trackLinks: false, holdout: 10, survey: { options: [{ key: '1', label: 'Отлично' }, { key: '2', label: 'Нормально' }, { key: '3', label: 'Плохо' }] } };
    const surveyed = await call('post', '/campaigns', { body: outcomes });
    expect(surveyed.status).toBe(201);
    expect(surveyed.body).toMatchObject({ trackLinks: false, holdoutPercent: 10, holdoutSeed: surveyed.body.id, survey: outcomes.survey });
    const surveyPreview = await call('post', `/campaigns/${surveyed.body.id}/preview`);
    expect(surveyPreview.body.heldOut).toEqual(expect.any(Number));
    expect(surveyPreview.body.samples[0]?.text ?? 'Как вам https://shop.example/? 1, 2 или 3').toContain('https://shop.example/?');
    expect((await call('post', '/campaigns', { body: { ...outcomes, holdout: 80 } })).status).toBe(400);
    expect((await call('post', '/campaigns', { body: { ...outcomes, survey: { options: [{ key: '1', label: 'Yes' }, { key: '2', label: 'No' }] } } })).status).toBe(400);

    // messages
    const message = { to: '+79990001133', text: 'Код 1234' };
    expect((await call('post', '/messages', { body: message, headers: { 'idempotency-key': 'k1' } })).status).toBe(202);
    const replay = await call('post', '/messages', { body: message, headers: { 'idempotency-key': 'k1' } });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await call('post', '/messages', { body: { ...message, text: 'Код 9999' }, headers: { 'idempotency-key': 'k1' } })).status).toBe(422);
    expect((await call('post', '/messages', { body: message })).status).toBe(400);
    expect((await call('post', '/messages', { body: TOO_BIG, headers: { 'idempotency-key': 'k2' } })).status).toBe(413);

    // per-recipient results, replies, archive
    const results = await call('get', `/campaigns/${id}/messages?limit=2`);
    expect(results.status).toBe(200);
    expect(results.body.items.length).toBeGreaterThan(0);
    expect((await call('get', `/campaigns/${id}/messages?limit=abc`)).status).toBe(400);
    expect((await call('get', '/campaigns/missing/messages')).status).toBe(404);
    expect((await call('get', '/replies')).status).toBe(200);
    expect((await call('get', '/replies?since=yesterday')).status).toBe(400);
    expect((await call('post', `/campaigns/${other.body.id}/archive`)).status).toBe(200);
    expect((await call('post', '/campaigns/missing/archive')).status).toBe(404);
    expect((await call('post', '/campaigns/archive', { body: { olderThanDays: 365 } })).status).toBe(200);
    expect((await call('post', '/campaigns/archive', { body: { olderThanDays: -1 } })).status).toBe(400);
    expect((await call('post', '/campaigns/archive', { body: TOO_BIG })).status).toBe(413);

    // consent requests (double opt-in) to contacts without consent
    expect((await call('put', '/segments/unasked', { body: { filter: { field: 'phone', op: 'eq', value: '+79990004455' } } })).status).toBe(201);
    expect((await call('put', '/contacts/+79990004455', { body: { firstName: 'Анна' } })).status).toBeLessThan(300);
    expect((await call('post', '/consent/requests', { body: { segment: 'unasked' } })).status).toBe(202);
    expect((await call('post', '/consent/requests', { body: { segment: 'missing' } })).status).toBe(404);
    expect((await call('post', '/consent/requests', { body: { segment: 'unasked', extra: 1 } })).status).toBe(400);
    expect((await call('post', '/consent/requests', { body: TOO_BIG })).status).toBe(413);

    // personal data
    const exported = await call('get', '/contacts/+79990004455/export');
    expect(exported.status).toBe(200);
    expect((await call('get', '/contacts/not-a-phone/export')).status).toBe(400);
    expect((await call('post', '/contacts/+79990004455/forget')).status).toBe(200);
    expect((await call('post', '/contacts/not-a-phone/forget')).status).toBe(400);

    // conversions: one order, the same order again, a conflict, an unknown contact, a batch
    const order = { phone: '+79990001111', orderId: 'order-1', amount: 1990, currency: 'RUB', at: '2030-01-01T10:00:00Z' };
    const recorded = await call('post', '/conversions', { body: order });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ orderId: 'order-1', result: 'recorded' });
    expect((await call('post', '/conversions', { body: order })).body.result).toBe('duplicate');
    expect((await call('post', '/conversions', { body: { ...order, amount: 5 } })).status).toBe(409);
    expect((await call('post', '/conversions', { body: { ...order, phone: '+79990007777', orderId: 'order-2' } })).status).toBe(422);
    const batch = await call('post', '/conversions', { body: { conversions: [order, { ...order, orderId: 'order-3' }] } });
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({ recorded: 1, duplicates: 1 });
    expect((await call('post', '/conversions', { body: { orderId: 'x', amount: 1 } })).status).toBe(400);
    expect((await call('post', '/conversions', { body: TOO_BIG })).status).toBe(413);

    // the document itself
    const openapi = await fetch(`${srv.base}/api/v1/openapi.json`);
    checkAgainstDocument('get', '/openapi.json', openapi.status, await openapi.json(), openapi.headers.get('content-type'));

    // 401 on every operation that needs the key
    for (const [template, ops] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(ops as Record<string, Json>)) {
        if (operation.security) continue;
        const concrete = template.replace(/\{[^}]+\}/g, 'x');
        const res = await fetch(`${srv.base}/api/v1${concrete}`, { method: method.toUpperCase() });
        expect(res.status, `${method} ${template}`).toBe(401);
        checkAgainstDocument(method, concrete, res.status, await res.json(), res.headers.get('content-type'));
      }
    }

    // every operation was called, with a success, and with its bad bodies where it takes one
    for (const [template, ops] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(ops as Record<string, Json>)) {
        const statuses = [...(seen.get(`${method} ${template}`) ?? [])];
        expect(statuses.some((s) => s < 300), `${method} ${template} never succeeded (${statuses.join(', ')})`).toBe(true);
        if (operation.requestBody) expect(statuses, `${method} ${template}`).toEqual(expect.arrayContaining([400, 413]));
      }
    }
  });

  it('answers a known path with a wrong method 405 and the methods it has, and an unknown path 404', async () => {
    const wrong = await fetch(`${srv.base}/api/v1/campaigns`, { method: 'DELETE', headers: { authorization: `Bearer ${API_KEY}` } });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(await wrong.json()).toMatchObject({ error: 'DELETE is not allowed here.' });
    const item = await fetch(`${srv.base}/api/v1/segments/moscow`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` } });
    expect(item.status).toBe(405);
    expect(item.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
    const options = await fetch(`${srv.base}/api/v1/openapi.json`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${srv.base}/api/v1/nothing-here`, { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(404);
  });
});
