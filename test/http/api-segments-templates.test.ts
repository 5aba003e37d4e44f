import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiServer, Reply } from '../helpers/api-server.js';
import { API_KEY, startApiServer } from '../helpers/api-server.js';

const KEY = API_KEY;
const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'customers-utf8-bom.csv');
let srv: ApiServer;
let base: string;
const api = (method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<Reply> => srv.api(method, route, body, headers);

beforeEach(async () => {
  srv = await startApiServer();
  ({ base } = srv);
});

afterEach(async () => {
  await srv.close();
});

async function importFixture(): Promise<void> {
  const res = await fetch(`${base}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/csv' }, body: fs.readFileSync(fixture) });
  expect(res.status).toBe(200);
}

describe('segments', () => {
  it('saves, replaces, lists, shows, previews and deletes a segment', async () => {
    await importFixture();
    const filter = { field: 'city', op: 'eq', value: 'Москва' };
    const created = await api('PUT', `/segments/${encodeURIComponent('Москвичи')}`, { filter, description: 'Moscow customers' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Москвичи', filter, description: 'Moscow customers' });
    const replaced = await api('PUT', `/segments/${encodeURIComponent('Москвичи')}`, { filter: { and: [filter] } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.createdAt).toBe(created.body.createdAt);

    expect((await api('GET', '/segments')).body.map((s: { name: string }) => s.name)).toEqual(['Москвичи']);
    expect((await api('GET', `/segments/${encodeURIComponent('Москвичи')}`)).body.filter).toEqual({ and: [filter] });

    const preview = await api('GET', `/segments/${encodeURIComponent('Москвичи')}/preview?sample=1`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ name: 'Москвичи', total: 7 });
    expect(preview.body.count).toBeGreaterThan(0);
    expect(preview.body.sample).toHaveLength(1);
    expect(preview.body.sample[0].city).toBe('Москва');
    expect(typeof preview.body.description).toBe('string');

    expect((await api('DELETE', `/segments/${encodeURIComponent('Москвичи')}`)).status).toBe(204);
    expect((await api('GET', `/segments/${encodeURIComponent('Москвичи')}`)).status).toBe(404);
    expect((await api('DELETE', `/segments/${encodeURIComponent('Москвичи')}`)).status).toBe(404);
    expect((await api('GET', '/segments/nope/preview')).status).toBe(404);
  });

  it('answers 400 with {error, details} naming the path of a bad filter or name', async () => {
    const badOp = await api('PUT', '/segments/x', { filter: { and: [{ field: 'city', op: 'equals', value: 'Москва' }] } });
    expect(badOp.status).toBe(400);
    expect(badOp.body.error).toContain('Invalid request body');
    expect(badOp.body.details).toEqual([expect.objectContaining({ path: 'body.filter.and[0].op' })]);
    const badField = await api('PUT', '/segments/x', { filter: { field: 'shoe', op: 'eq', value: 1 } });
    expect(badField.body.details[0].path).toMatch(/^body\.filter/);
    const noFilter = await api('PUT', '/segments/x', { description: 'no filter' });
    expect(noFilter.body.details).toEqual([expect.objectContaining({ path: 'body.filter' })]);
    const badName = await api('PUT', `/segments/${encodeURIComponent('a/b*c')}`, { filter: { and: [] } });
    expect(badName.status).toBe(400);
    expect(badName.body.details[0].path).toBe('params.name');
    const notJson = await fetch(`${base}/api/v1/segments/x`, { method: 'PUT', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: '{"filter":' });
    expect(notJson.status).toBe(400);
    expect((await api('GET', '/segments/x/preview?sample=many')).body.details).toEqual([expect.objectContaining({ path: 'query.sample' })]);
  });
});

describe('templates', () => {
  it('saves, replaces, lists and shows a template', async () => {
    const saved = await api('PUT', '/templates/spring', { text: 'Привет, {{firstName}}! Промокод {{promo}}', variables: ['promo'], description: 'spring sale' });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ name: 'spring', variables: ['promo'], description: 'spring sale' });
    expect((await api('PUT', '/templates/spring', { text: 'Привет, {{firstName}}!' })).status).toBe(200);
    expect((await api('GET', '/templates')).body).toEqual([expect.objectContaining({ name: 'spring', text: 'Привет, {{firstName}}!', variables: [] })]);
    expect((await api('GET', '/templates/spring')).body.createdAt).toBe(saved.body.createdAt);
    const missing = await api('GET', '/templates/autumn');
    expect(missing.status).toBe(404);
    expect(missing.body.hint).toContain('spring');
  });

  it('refuses unknown variables at save time with the list of known ones', async () => {
    await importFixture();
    const refused = await api('PUT', '/templates/typo', { text: 'Привет, {{firstname}}! {{promo}} {{properties.nope}}' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('Unknown variables');
    expect(refused.body.details.unknown).toEqual(['firstname', 'promo', 'properties.nope']);
    expect(refused.body.details.known).toEqual(expect.arrayContaining(['firstName', 'lastName', 'city']));
    expect(refused.body.hint).toContain('did you mean firstName');
    const syntax = await api('PUT', '/templates/broken', { text: 'Привет, {{#firstName}}' });
    expect(syntax.status).toBe(400);
    const shape = await api('PUT', '/templates/x', { text: '', variables: 'promo' });
    expect(shape.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.text', 'body.variables']);
    expect((await api('GET', '/templates')).body).toEqual([]);
  });
});
