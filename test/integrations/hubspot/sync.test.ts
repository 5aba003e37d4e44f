import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { syncContacts } from '../../../src/crm/sync-contacts.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import type { StandInContact, StandInData } from '../../helpers/hubspot-stand-in.js';
import { mockHubSpot, testConnection } from './hubspot-nock.js';

let ids = 0;
const newId = (): string => `local-${++ids}`;

function contact(id: number, properties: Record<string, string | null>, updatedAt = '2026-04-01T00:00:00.000Z', extra: Partial<StandInContact> = {}): StandInContact {
  return { id: String(id), updatedAt, properties, ...extra };
}

function data(contacts: StandInContact[]): StandInData {
  return { contacts, lists: [], properties: new Set() };
}

const ruPhone = (n: number): string => `+7912${String(n).padStart(7, '0')}`;

async function sync(store: MemoryStore, connection: ReturnType<typeof testConnection>, options: { full?: boolean; checkpointMs?: number; maxSearchResults?: number } = {}) {
  return syncContacts(
    { map: connection.settings.properties, defaultCountry: 'RU', checkpointMs: 0, ...options },
    { crm: connection.hubspot.crm, store, clock: connection.clock, newId },
  );
}

describe('HubSpot contact sync (HubSpot mocked at the wire)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('pages through every contact, maps properties, normalises numbers and says why it skipped some', async () => {
    const contacts = [
      contact(101, { mobilephone: '8 (912) 345-67-89', phone: '+74951234567', firstname: 'Анна', city: 'Москва', hs_timezone: 'america_slash_new_york', gender: 'Female', date_of_birth: '1990-05-17', interests: 'running;books', email: 'a@example.com' }),
      contact(102, { mobilephone: null, phone: '+1 (212) 555-0101', firstname: 'Bob' }),
      contact(103, { mobilephone: null, phone: null, firstname: 'No Phone' }),
      contact(104, { mobilephone: '12345', firstname: 'Bad' }),
      ...Array.from({ length: 200 }, (_, i) => contact(200 + i, { mobilephone: ruPhone(i) })),
    ];
    const { scope, calls } = mockHubSpot(data(contacts), { methods: ['GET'] });
    const connection = testConnection();
    const store = new MemoryStore();
    const summary = await sync(store, connection);

    expect(summary).toMatchObject({ mode: 'full', fetched: 204, created: 202, updated: 0, requests: 4, rateLimited: 0 });
    expect(summary.skipped).toMatchObject({ total: 2, reasons: { no_phone: 1, invalid_format: 1 } });
    expect(summary.skipped.examples).toEqual([{ id: '103', reason: 'no_phone' }, { id: '104', reason: 'invalid_format' }]);
    const pages = calls.filter((c) => c.path === '/crm/v3/objects/contacts');
    expect(pages.map((c) => c.query.get('after'))).toEqual([null, '296', '396', null]);
    expect(pages.at(-1)?.query.get('archived')).toBe('true');
    expect(pages[0]?.query.getAll('properties')).toEqual(expect.arrayContaining(['mobilephone', 'phone', 'hs_timezone', 'sms_consent', 'email', 'hs_merged_object_ids']));

    const anna = (await store.contacts.getByPhones(['+79123456789'])).get('+79123456789');
    expect(anna).toMatchObject({
      firstName: 'Анна', city: 'Москва', gender: 'female', birthDate: '1990-05-17', interests: ['running', 'books'], timezone: 'America/New_York', timezoneSource: 'explicit',
      crm: { system: 'hubspot', id: '101' }, properties: { hubspot_id: '101', email: 'a@example.com', city: 'Москва' },
    });
    expect((await store.contacts.getByPhones(['+12125550101'])).get('+12125550101')?.crm?.id).toBe('102');
    scope.done();
  });

  it('records consent from sms_consent with source hubspot, and never lifts an opt-out', async () => {
    const store = new MemoryStore();
    const first = mockHubSpot(data([
      contact(1, { mobilephone: ruPhone(1), sms_consent: 'opted_in' }),
      contact(2, { mobilephone: ruPhone(2), sms_consent: 'opted_out' }),
      contact(3, { mobilephone: ruPhone(3), sms_consent: 'unknown' }),
      contact(4, { mobilephone: ruPhone(4), sms_consent: 'opted_in' }),
    ]), { methods: ['GET'] });
    const connection = testConnection();
    const summary = await sync(store, connection);
    expect(summary.consentChanges).toEqual({ optedIn: 2, optedOut: 1, keptOptedOut: 0 });
    first.scope.done();
    nock.cleanAll();

    const byPhone = await store.contacts.getByPhones([ruPhone(1), ruPhone(2), ruPhone(3), ruPhone(4)]);
    const id = (n: number): string => byPhone.get(ruPhone(n))?.id as string;
    expect(await store.consent.history(id(1))).toEqual([expect.objectContaining({ status: 'opted_in', origin: 'crm', source: 'hubspot', scope: 'marketing' })]);
    expect(await store.consent.history(id(3))).toEqual([]);
    // Contact 4 replies STOP locally; contact 2 stays opted out from HubSpot's own opt-out.
    await store.consent.append([{ id: 'stop-4', contactId: id(4), status: 'opted_out', scope: 'all', origin: 'recipient', source: 'sms reply', at: '2026-05-01T00:00:00.000Z' }]);

    const second = mockHubSpot(data([
      contact(1, { mobilephone: ruPhone(1), sms_consent: 'opted_in' }),
      contact(2, { mobilephone: ruPhone(2), sms_consent: 'opted_in' }),
      contact(3, { mobilephone: ruPhone(3), sms_consent: 'unknown' }),
      contact(4, { mobilephone: ruPhone(4), sms_consent: 'opted_in' }),
    ]), { methods: ['GET'] });
    const again = await sync(store, connection, { full: true });
    expect(again.consentChanges).toEqual({ optedIn: 0, optedOut: 0, keptOptedOut: 2 });
    const states = await store.consent.currentMany([id(1), id(2), id(4)]);
    expect(states.get(id(2))?.marketing).toBe('opted_out');
    expect(states.get(id(4))).toMatchObject({ marketing: 'opted_out', transactionalAllowed: false });
    expect(states.get(id(1))?.marketing).toBe('opted_in');
    second.scope.done();
  });

  it('honours a 429 Retry-After (the clock moves by it) and counts it; a 503 is retried', async () => {
    const { scope } = mockHubSpot(data([contact(1, { mobilephone: ruPhone(1) }), contact(2, { mobilephone: ruPhone(2) })]), {
      methods: ['GET'],
      failures: [
        { method: 'GET', path: '/crm/v3/objects/contacts', status: 429, headers: { 'retry-after': '7' }, body: { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' } },
        { method: 'GET', path: '/crm/v3/objects/contacts', status: 503 },
      ],
    });
    const connection = testConnection();
    const started = connection.clock.now().getTime();
    const summary = await sync(new MemoryStore(), connection);
    expect(summary).toMatchObject({ created: 2, rateLimited: 1, requests: 4 });
    expect(connection.clock.now().getTime() - started).toBeGreaterThanOrEqual(7000);
    scope.done();
  });

  it('an incremental sync moves its search window past the 10,000-result cap, ties included, at 5 searches a second', async () => {
    const base = Date.parse('2026-04-01T00:00:00.000Z');
    // Three contacts share each modification second, so the cap falls inside a tie.
    const many = Array.from({ length: 10_250 }, (_, i) => contact(1000 + i, { mobilephone: ruPhone(i) }, new Date(base + Math.floor(i / 3) * 1000).toISOString()));
    const store = new MemoryStore();
    await store.cursors.put({ id: 'hubspot-contacts', updatedAt: '2026-03-31T00:00:00.000Z', data: { watermark: '2026-03-31T00:00:00.000Z' } });
    const { scope, calls } = mockHubSpot(data(many));
    const connection = testConnection();
    const started = connection.clock.now().getTime();
    const summary = await sync(store, connection);

    const searches = calls.filter((c) => c.path === '/crm/v3/objects/contacts/search').map((c) => c.body as { after: string; filterGroups: Array<{ filters: Array<{ value: string }> }>; sorts: unknown });
    expect(searches).toHaveLength(52);
    expect(searches[0]).toMatchObject({ after: '0', sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }], filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(Date.parse('2026-03-31T00:00:00.000Z')) }] }] });
    expect(searches.every((s) => Number(s.after) + 200 <= 10_000)).toBe(true);
    // Window 2 starts at the last modification time seen in window 1 (contacts 9999, 10000, 10001 share it).
    expect(searches[50]).toMatchObject({ after: '0', filterGroups: [{ filters: [{ value: String(base + 3333 * 1000) }] }] });
    expect(summary).toMatchObject({ mode: 'incremental', created: 10_250, fetched: 10_250, rateLimited: 0, watermark: new Date(base + 3416 * 1000).toISOString() });
    expect(await store.contacts.count()).toBe(10_250);
    expect(connection.clock.now().getTime() - started).toBeGreaterThanOrEqual(Math.floor(52 / 5 - 1) * 1000);
    scope.done();
  });

  it('relinks a merged contact to the survivor and marks a deleted one, keeping their opt-outs', async () => {
    const store = new MemoryStore();
    const connection = testConnection();
    const first = mockHubSpot(data([
      contact(1, { mobilephone: ruPhone(1), sms_consent: 'opted_out' }),
      contact(2, { mobilephone: ruPhone(2), sms_consent: 'opted_in' }),
      contact(3, { mobilephone: ruPhone(3), sms_consent: 'opted_out' }),
    ]), { methods: ['GET'] });
    await sync(store, connection);
    first.scope.done();
    nock.cleanAll();
    const before = await store.contacts.getByPhones([ruPhone(1), ruPhone(3)]);

    // HubSpot merged 1 into 2 (2 lists 1 in hs_merged_object_ids) and deleted 3.
    const second = mockHubSpot(data([
      contact(2, { mobilephone: ruPhone(2), sms_consent: 'opted_in', hs_merged_object_ids: '1' }),
      contact(3, {}, '2026-04-02T00:00:00.000Z', { archived: true, archivedAt: '2026-04-02T10:00:00.000Z' }),
    ]), { methods: ['GET'] });
    const summary = await sync(store, connection, { full: true });
    expect(summary).toMatchObject({ merged: 1, archived: 1 });
    const after = await store.contacts.getByPhones([ruPhone(1), ruPhone(3)]);
    expect(after.get(ruPhone(1))).toMatchObject({ crm: { system: 'hubspot', id: '2' }, properties: { hubspot_id: '2', hubspot_merged_from: '1' } });
    expect(after.get(ruPhone(3))?.properties['hubspot_archived_at']).toBe('2026-04-02T10:00:00.000Z');
    const consent = await store.consent.currentMany([before.get(ruPhone(1))?.id as string, before.get(ruPhone(3))?.id as string]);
    expect([...consent.values()].map((s) => s.marketing)).toEqual(['opted_out', 'opted_out']);
    second.scope.done();
  });

  it('resumes after a crash from its last checkpoint, without skipping or doubling contacts', async () => {
    const contacts = Array.from({ length: 450 }, (_, i) => contact(100 + i, { mobilephone: ruPhone(i) }));
    const store = new MemoryStore();
    const connection = testConnection();
    // The fourth page fails for good (a 400): the run stops with three pages applied and checkpointed.
    let served = 0;
    const broken = mockHubSpot({ ...data(contacts), routes: [({ path }) => (path === '/crm/v3/objects/contacts' && ++served === 4 ? { status: 400, body: { status: 'error', message: 'boom' } } : undefined)] }, { methods: ['GET'] });
    await expect(sync(store, connection)).rejects.toMatchObject({ reason: 'bad_request' });
    broken.scope.done();
    nock.cleanAll();
    expect(await store.contacts.count()).toBeGreaterThanOrEqual(300);
    expect((await store.cursors.get('hubspot-contacts'))?.data).toMatchObject({ run: { mode: 'full', phase: 'active', after: '400' } });

    const { scope, calls } = mockHubSpot(data(contacts), { methods: ['GET'] });
    const summary = await sync(store, connection);
    expect(summary).toMatchObject({ resumed: true, mode: 'full', fetched: 150, created: 150 });
    expect(calls[0]?.query.get('after')).toBe('400');
    expect(await store.contacts.count()).toBe(450);
    expect((await store.cursors.get('hubspot-contacts'))?.data).toEqual({ watermark: expect.any(String), archivedCheckedAt: expect.any(String) });
    scope.done();
    nock.cleanAll();

    // An incremental run the same day searches what changed and leaves the deleted contacts for a later day.
    const later = mockHubSpot(data(contacts), { methods: ['POST'] });
    expect(await sync(store, connection)).toMatchObject({ mode: 'incremental', created: 0 });
    expect(later.calls.every((c) => c.path === '/crm/v3/objects/contacts/search')).toBe(true);
    later.scope.done();
  });
});
