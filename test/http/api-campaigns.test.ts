import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app.js';
import type { DeliveryEngine } from '../../src/engine.js';
import { apiRouter } from '../../src/http/api/index.js';
import type { ApiServer, Reply } from '../helpers/api-server.js';
import { API_KEY, startApiServer } from '../helpers/api-server.js';

const KEY = API_KEY;
const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'customers-utf8-bom.csv');
let srv: ApiServer;
let app: AppContext;
let engine: DeliveryEngine;
let base: string;
const api = (method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<Reply> => srv.api(method, route, body, headers);

beforeEach(async () => {
  srv = await startApiServer({ env: { SIMULATOR_MPS: '1000', TEST_SEND_REQUIRED_ABOVE: '3' } });
  ({ app, base } = srv);
  engine = srv.engine;
  const imported = await fetch(`${base}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/csv' }, body: fs.readFileSync(fixture) });
  expect(imported.status).toBe(200);
});

afterEach(async () => {
  await srv.close();
});

const ORDER = { name: 'Заказы', kind: 'transactional', audience: { filter: { and: [] } }, text: 'Ваш заказ готов, {{#firstName}}{{firstName}}{{/firstName}}{{^firstName}}клиент{{/firstName}}!' };

describe('campaign lifecycle', () => {
  it('creates, previews, refuses to send before a test, test-sends, sends and reports like the CLI', async () => {
    const created = await api('POST', '/campaigns', ORDER);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Заказы', status: 'draft', kind: 'transactional', sender: 'SHOP', gateway: 'default', schedule: { type: 'now' } });
    const { id } = created.body as { id: string };

    const preview = await api('POST', `/campaigns/${id}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ audience: 7, toSend: 7, excludedTotal: 0, currency: 'RUB' });
    expect(preview.body.samples[0].text).toMatch(/^Ваш заказ готов, /);

    const refused = await api('POST', `/campaigns/${id}/send`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain('need a successful test send first');

    const tested = await api('POST', `/campaigns/${id}/test`, { to: ['+79990001122'] });
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ id, ok: true, results: [{ phone: '+79990001122', ok: true }] });

    const sent = await api('POST', `/campaigns/${id}/send`);
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ id, status: 'sending', planned: { recipients: 7, excluded: {} } });
    await engine.runCampaign(id, { receipts: false, timeoutMs: 5000 });

    const shown = await api('GET', `/campaigns/${id}`);
    expect(shown.body).toMatchObject({ id, status: 'completed', testSentAt: expect.any(String) });
    const counts = shown.body.messages as Record<string, number>;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(7);
    expect(counts.queued ?? 0).toBe(0);

    const report = await api('GET', `/campaigns/${id}/report`);
    expect(report.status).toBe(200);
    // The delivery report as the campaign service builds it, with the outcome keys beside it.
    expect(report.body).toMatchObject(JSON.parse(JSON.stringify(await app.campaigns.report(id))));
    expect(report.body).toMatchObject({ clicks: { total: 0 }, conversions: { count: 0 }, revenue: { total: 0 } });
    expect(report.body).toMatchObject({ audience: 7 });
    for (const key of ['excluded', 'submitted', 'delivered', 'failed', 'replies', 'optOuts', 'segments', 'cost', 'variants']) expect(report.body).toHaveProperty(key);
    expect((await api('GET', '/campaigns')).body.map((c: { id: string }) => c.id)).toEqual([id]);
  });

  it('pauses, resumes and cancels, answering 409 where the status does not allow it and 404 for unknown ids', async () => {
    const { body: draft } = await api('POST', '/campaigns', { ...ORDER, audience: { phones: ['+79123456789', '89123456790'] } });
    expect((await api('POST', `/campaigns/${draft.id}/pause`)).status).toBe(409);
    expect((await api('POST', `/campaigns/${draft.id}/send`)).body).toMatchObject({ status: 'sending', planned: { recipients: 2 } });
    expect((await api('POST', `/campaigns/${draft.id}/pause`)).body).toEqual({ id: draft.id, status: 'paused' });
    expect(await engine.step()).toBe(0);
    expect((await api('POST', `/campaigns/${draft.id}/pause`)).status).toBe(409);
    expect((await api('POST', `/campaigns/${draft.id}/resume`)).body).toEqual({ id: draft.id, status: 'sending' });
    expect((await api('POST', `/campaigns/${draft.id}/cancel`)).body).toEqual({ id: draft.id, status: 'canceled' });
    expect((await api('GET', `/campaigns/${draft.id}`)).body.messages).toEqual({ canceled: 2 });
    const again = await api('POST', `/campaigns/${draft.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error).toContain('already canceled');

    const { body: later } = await api('POST', '/campaigns', { ...ORDER, schedule: { type: 'at', at: '2030-01-01T10:00:00+03:00' } });
    expect(later).toMatchObject({ status: 'scheduled', schedule: { type: 'at', at: '2030-01-01T07:00:00.000Z' } });
    const { body: weekly } = await api('POST', '/campaigns', { ...ORDER, schedule: { type: 'cron', cron: '0 10 * * 1' } });
    expect(weekly.schedule).toEqual({ type: 'cron', cron: '0 10 * * 1', timezone: 'Europe/Moscow' });

    for (const [method, route] of [['GET', ''], ['POST', '/preview'], ['POST', '/send'], ['POST', '/pause'], ['POST', '/resume'], ['POST', '/cancel'], ['GET', '/report']] as const) {
      const missing = await api(method, `/campaigns/nope1234${route}`);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toContain('No campaign with id nope1234');
    }
    expect((await api('POST', '/campaigns/nope1234/test', { to: ['+79990001122'] })).status).toBe(404);
  });

  it('takes a segment, a template with variables or A/B variants, and refuses what cannot work', async () => {
    await api('PUT', '/segments/all', { filter: { and: [] } });
    await api('PUT', '/templates/promo', { text: 'Скидка {{promo}}', variables: ['promo'] });
    const fromSegment = await api('POST', '/campaigns', { name: 's', kind: 'marketing', audience: { segment: 'all' }, template: 'promo', variables: { promo: 'SPRING' } });
    expect(fromSegment.status).toBe(201);
    expect(fromSegment.body).toMatchObject({ audience: { segment: 'all', filter: { and: [] } }, variants: [{ name: 'A', text: 'Скидка {{promo}}' }], campaignVariables: { promo: 'SPRING' } });
    const ab = await api('POST', '/campaigns', { name: 'ab', kind: 'marketing', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Один' }, { name: 'B', text: 'Два', weight: 3 }] });
    expect(ab.body.variants).toEqual([{ name: 'A', text: 'Один', weight: 1 }, { name: 'B', text: 'Два', weight: 3 }]);

    const problems: Array<[unknown, number, string]> = [
      [{ ...ORDER, audience: { segment: 'all', phones: ['+79123456789'] } }, 400, 'body.audience'],
      [{ ...ORDER, text: undefined }, 400, 'body.text'],
      [{ ...ORDER, kind: 'spam' }, 400, 'body.kind'],
      [{ ...ORDER, schedule: { type: 'cron', cron: '61 * * * *' } }, 400, 'body.schedule.cron'],
      [{ ...ORDER, schedule: { type: 'at', at: 'tomorrow' } }, 400, 'body.schedule.at'],
      [{ ...ORDER, gateway: 'carrier-pigeon' }, 400, 'body.gateway'],
      [{ ...ORDER, sender: 'a sender that is far too long' }, 400, 'body.sender'],
      [{ ...ORDER, text: undefined, template: 'promo' }, 400, 'body.variables.promo'],
    ];
    for (const [body, status, where] of problems) {
      const answer = await api('POST', '/campaigns', body);
      expect(answer.status, where).toBe(status);
      expect(answer.body.details.map((d: { path: string }) => d.path), where).toContain(where);
    }
    const unknownVar = await api('POST', '/campaigns', { ...ORDER, text: 'Hi {{promo}}' });
    expect(unknownVar.status).toBe(400);
    expect(unknownVar.body.details.unknown).toEqual(['promo']);
    expect((await api('POST', '/campaigns', { ...ORDER, audience: { segment: 'none' } })).status).toBe(404);
    expect((await api('POST', '/campaigns', { ...ORDER, text: undefined, template: 'none' })).status).toBe(404);
    expect((await api('POST', `/campaigns/${ab.body.id}/test`, { to: [] })).status).toBe(400);
    expect((await api('GET', '/campaigns')).body).toHaveLength(2);
  });
});

describe('GET /openapi.json', () => {
  it('describes every route the router registers, with the bearer scheme', async () => {
    const doc = (await api('GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);

    const router = apiRouter({ app, engine, apiKey: (_req, _res, next) => next() }) as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
    const registered = router.stack.flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).filter((method) => method !== '_all').map((method) => `${method} ${layer.route?.path.replace(/:(\w+)/g, '{$1}')}`) : []));
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([route, ops]) => Object.keys(ops).map((method) => `${method} ${route}`));
    expect(registered).toHaveLength(34);
    expect(documented.sort()).toEqual([...registered].sort());
    for (const expected of ['get /contacts', 'post /contacts/import', 'put /contacts/{phone}', 'post /contacts/{phone}/opt-in', 'delete /segments/{name}', 'get /segments/{name}/preview', 'put /templates/{name}', 'post /campaigns/{id}/send', 'get /campaigns/{id}/report', 'post /messages', 'get /openapi.json', 'get /campaigns/{id}/messages', 'get /replies', 'post /campaigns/{id}/archive', 'post /campaigns/archive', 'post /consent/requests', 'get /contacts/{phone}/export', 'post /contacts/{phone}/forget', 'post /conversions']) {
      expect(registered).toContain(expected);
    }

    const create = doc.paths['/campaigns'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['name', 'kind', 'audience']));
    expect(create.responses['201']).toBeDefined();
    expect(create.responses['401']).toBeDefined();
    expect(doc.paths['/messages'].post.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
    expect(doc.paths['/contacts/{phone}'].get.parameters).toContainEqual(expect.objectContaining({ name: 'phone', in: 'path', required: true }));
    expect(Object.keys(doc.paths['/contacts/import'].post.requestBody.content)).toContain('text/csv');
    expect(doc.paths['/segments/{name}'].put.requestBody.content['application/json'].schema.properties.filter).toEqual({ $ref: '#/components/schemas/Filter' });
  });
});
