import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app.js';
import { recordConsent } from '../../src/consent/record-consent.js';
import type { ApiServer, Reply } from '../helpers/api-server.js';
import { API_KEY, startApiServer } from '../helpers/api-server.js';

const KEY = API_KEY;
const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'customers-utf8-bom.csv');
let srv: ApiServer;
let app: AppContext;
let base: string;
const api = (method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<Reply> => srv.api(method, route, body, headers);

beforeEach(async () => {
  srv = await startApiServer();
  ({ app, base } = srv);
});

afterEach(async () => {
  await srv.close();
});

async function upload(query: string, file = fixture, type = 'text/csv'): Promise<Reply> {
  const res = await fetch(`${base}/api/v1/contacts/import${query}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': type }, body: fs.readFileSync(file) });
  return { status: res.status, body: await res.json() };
}

describe('REST API authentication', () => {
  it('answers 401 without a key or with a wrong one, while the webhooks and the OpenAPI document need none', async () => {
    const none = await fetch(`${base}/api/v1/contacts`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${base}/api/v1/contacts`, { headers: { authorization: 'Bearer test-key-0123456788' } })).status).toBe(401);
    expect((await fetch(`${base}/api/v1/contacts`, { headers: { authorization: KEY } })).status).toBe(401);
    expect((await fetch(`${base}/api/v1/openapi.json`)).status).toBe(200);
    const webhook = await fetch(`${base}/webhooks/simulator/status`, { method: 'POST', body: 'x=1' });
    expect(webhook.status).not.toBe(401);
    expect(await webhook.json()).toEqual({ error: 'No status webhook for gateway "simulator".' });
    expect((await api('GET', '/contacts')).status).toBe(200);
  });
});

describe('contacts', () => {
  it('upserts a contact, merges updates, pages with a cursor and shows consent', async () => {
    const created = await api('PUT', `/contacts/${encodeURIComponent('8 (912) 345-67-89')}`, { firstName: 'Анна', city: 'Москва', tags: ['vip'], properties: { shop: 'Тверская' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ phone: '+79123456789', firstName: 'Анна', country: 'RU', timezone: 'Europe/Moscow', timezoneSource: 'city', tags: ['vip'], consent: { marketing: 'unknown' } });

    const updated = await api('PUT', '/contacts/%2B79123456789', { lastName: 'Иванова', tags: ['new'], firstName: '' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: created.body.id, firstName: 'Анна', lastName: 'Иванова', tags: ['vip', 'new'], properties: { shop: 'Тверская' } });
    expect((await api('PUT', '/contacts/%2B79123456789', { lastName: 'Иванова' })).status).toBe(200);

    await api('PUT', '/contacts/%2B79123456790', { firstName: 'Иван' });
    await api('PUT', '/contacts/%2B79123456791', { firstName: 'Ольга' });
    const first = await api('GET', '/contacts?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0]).toHaveProperty('consent');
    expect(typeof first.body.next).toBe('string');
    const second = await api('GET', `/contacts?limit=2&after=${encodeURIComponent(first.body.next)}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.next).toBeNull();
    const phones = [...first.body.items, ...second.body.items].map((c: { phone: string }) => c.phone).sort();
    expect(phones).toEqual(['+79123456789', '+79123456790', '+79123456791']);

    const shown = await api('GET', '/contacts/89123456789');
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ phone: '+79123456789', lastName: 'Иванова', consent: { marketing: 'unknown', transactionalAllowed: true }, consentHistory: [] });
  });

  it('refuses bad numbers, unknown fields and bad values with {error, details}; unknown contacts are 404', async () => {
    const badPhone = await api('GET', '/contacts/12345');
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error).toContain('not a usable phone number');
    const unknownField = await api('PUT', '/contacts/%2B79123456789', { first_name: 'Анна', birthDate: '1990-02-31', gender: 'x' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['body', 'body.birthDate', 'body.gender']);
    expect((await api('PUT', '/contacts/%2B79123456789', { timezone: 'Mars/Olympus' })).body.details[0]).toMatchObject({ path: 'body.timezone' });
    expect((await api('GET', '/contacts?limit=0')).status).toBe(400);
    const missing = await api('GET', '/contacts/%2B79990001122');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain('No contact');
    expect((await api('POST', '/contacts/%2B79990001122/opt-out', {})).status).toBe(404);
  });

  it('records opt-out and opt-in as the operator, and answers 409 to lifting any opt-out without evidence', async () => {
    const { body: contact } = await api('PUT', '/contacts/%2B79123456789', { firstName: 'Анна' });
    const out = await api('POST', '/contacts/%2B79123456789/opt-out', { scope: 'marketing', source: 'asked by phone' });
    expect(out.body).toMatchObject({ changed: true, consent: { marketing: 'opted_out', transactionalAllowed: true, optedOutBy: 'operator' } });
    const bare = await api('POST', '/contacts/%2B79123456789/opt-in', { source: 'signed form' });
    expect(bare.status).toBe(409);
    expect(bare.body.error).toContain('opted out by operator');
    const back = await api('POST', '/contacts/%2B79123456789/opt-in', { source: 'signed form', evidence: 'form 12' });
    expect(back.body).toMatchObject({ changed: true, consent: { marketing: 'opted_in' } });
    expect((await api('POST', '/contacts/%2B79123456789/opt-in', {})).status).toBe(400);

    await recordConsent({ contactId: contact.id, status: 'opted_out', scope: 'all', origin: 'recipient', source: 'sms reply STOP' }, app);
    const refused = await api('POST', '/contacts/%2B79123456789/opt-in', { source: 'call' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain('opted out themselves');
    const lifted = await api('POST', '/contacts/%2B79123456789/opt-in', { source: 'call', evidence: 'signed form 77' });
    expect(lifted.status).toBe(200);
    expect(lifted.body.consent).toMatchObject({ marketing: 'opted_in', transactionalAllowed: true });
    const history = (await api('GET', '/contacts/%2B79123456789')).body.consentHistory.map((e: { origin: string; source: string }) => `${e.origin}: ${e.source}`);
    expect(history).toEqual(['operator: asked by phone', 'operator: signed form', 'recipient: sms reply STOP', 'operator: call']);
  });
});

describe('contact import upload', () => {
  it('imports a CSV body and returns the CLI\'s JSON report; a dry run changes nothing', async () => {
    const dry = await upload('?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, created: 7 });
    expect((await api('GET', '/contacts?limit=100')).body.items).toHaveLength(0);

    const report = await upload('?consent=opted_in&consentSource=loyalty%20form&filename=customers.csv');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ rows: 13, created: 7, updated: 0, unchanged: 0, duplicates: 1, dryRun: false, consent: { optedIn: 6, optedOut: 1, keptOptedOut: 0 } });
    expect(report.body.invalid).toHaveLength(5);
    expect(Object.keys(report.body).sort()).toEqual(['consent', 'created', 'dryRun', 'duplicates', 'invalid', 'rows', 'unchanged', 'updated', 'warnings']);
    expect(JSON.stringify(report.body)).not.toContain('4951234567');
    const ivan = await api('GET', '/contacts/%2B79123456790');
    expect(ivan.body.consentHistory[0]).toMatchObject({ origin: 'import', source: 'import customers.csv (column "Согласие")' });
    expect((await upload('')).body).toMatchObject({ created: 0, unchanged: 7 });
  });

  it('refuses a body that is not a file, an empty file and a consent without its source', async () => {
    const json = await api('POST', '/contacts/import', { phone: '+79123456789' });
    expect(json.status).toBe(400);
    expect(json.body.details[0].path).toBe('headers.content-type');
    const empty = await fetch(`${base}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/csv' }, body: '' });
    expect(empty.status).toBe(400);
    const noSource = await upload('?consent=opted_in');
    expect(noSource.status).toBe(400);
    expect(noSource.body.details).toEqual([{ path: 'query.consentSource', message: expect.stringContaining('consentSource') }]);
    const noPhone = await fetch(`${base}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/csv' }, body: 'name;city\nАнна;Москва\n' });
    expect(noPhone.status).toBe(400);
    expect(((await noPhone.json()) as { error: string }).error).toContain('No phone column');
  });
});
