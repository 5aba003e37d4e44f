import { afterAll, describe, expect, it } from 'vitest';
import type { Decision, PlanRequest } from '../../src/campaigns/plan.js';
import { planPages } from '../../src/campaigns/plan.js';
import type { Contact } from '../../src/contacts/contact.js';
import type { ConsentEntry } from '../../src/consent/consent.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import type { Store } from '../../src/store/port.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { makeContact, makeEntry, makeOutboxRow } from '../helpers/factories.js';
import { TEST_DATABASE_URL, checkPostgres, noteSkipped, testSchemas } from '../helpers/postgres.js';

const server = await checkPostgres();
if (!server.ok) noteSkipped('the PostgreSQL planning tests', server.reason);
const schemas = testSchemas('plan');
const opened: PostgresStore[] = [];
afterAll(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  await schemas.dropAll();
});

// 2026-11-27 07:00 UTC = 10:00 in Moscow.
const AT = new Date('2026-11-27T07:00:00Z');
/** More than one page of the store's planning read (2,000 a page). */
const CONTACTS = 2300;
const CITIES = ['Москва', 'Владивосток', undefined, 'Калининград'];
const ZONES = ['Europe/Moscow', 'Asia/Vladivostok', undefined, 'Europe/Kaliningrad'];

/**
 * Contacts of every kind planning tells apart: ids whose byte order and a locale's order differ (upper
 * case, punctuation), no consent, opted in, opted out of marketing or of everything, minors, and
 * earlier marketing messages that count against the frequency cap (or do not: canceled, test, too old,
 * transactional).
 */
async function seeded(): Promise<PostgresStore> {
  const store = await PostgresStore.open({ url: TEST_DATABASE_URL, schema: schemas.next(), poolSize: 4 });
  opened.push(store);
  const contacts: Contact[] = [];
  const entries: ConsentEntry[] = [];
  const rows: OutboxMessage[] = [];
  for (let i = 0; i < CONTACTS; i += 1) {
    const prefix = ['c-', 'C-', 'c_', 'b.', 'Z'][i % 5] as string;
    const city = CITIES[i % 4];
    const zone = ZONES[i % 4];
    const contact = makeContact({
      id: `${prefix}${String((i * 7919) % CONTACTS).padStart(5, '0')}`, ...(city ? { city } : {}), ...(zone ? { timezone: zone } : {}), country: 'RU',
      ...(i % 11 === 0 ? { birthDate: '2012-03-04' } : i % 3 === 0 ? { birthDate: '1980-03-04' } : {}),
      ...(i % 13 === 0 ? { firstName: undefined } : {}),
    });
    contacts.push(contact);
    const kind = i % 6;
    if (kind >= 1) entries.push(makeEntry({ contactId: contact.id, status: 'opted_in', at: '2026-01-01T00:00:00.000Z' }));
    if (kind === 2) entries.push(makeEntry({ contactId: contact.id, status: 'opted_out', scope: 'marketing', at: '2026-02-01T00:00:00.000Z' }));
    if (kind === 3) entries.push(makeEntry({ contactId: contact.id, status: 'opted_out', scope: 'all', origin: 'recipient', at: '2026-02-01T00:00:00.000Z' }));
    if (i % 7 === 0) {
      const earlier = { campaignId: 'earlier', contactId: contact.id };
      rows.push(makeOutboxRow({ ...earlier, status: 'delivered', submittedAt: '2026-11-24T10:00:00.000Z' }));
      rows.push(makeOutboxRow({ ...earlier, campaignId: 'earlier2', status: i % 2 === 0 ? 'queued' : 'canceled', sendAfter: '2026-11-26T10:00:00.000Z' }));
      if (i % 3 === 0) rows.push(makeOutboxRow({ campaignId: 'older', contactId: contact.id, status: 'delivered', submittedAt: '2026-11-01T10:00:00.000Z' }));
      if (i % 5 === 0) rows.push(makeOutboxRow({ campaignId: 'tests', contactId: contact.id, status: 'delivered', test: true, submittedAt: '2026-11-25T10:00:00.000Z' }));
      if (i % 4 === 0) rows.push(makeOutboxRow({ campaignId: 'orders', contactId: contact.id, kind: 'transactional', status: 'delivered', submittedAt: '2026-11-25T10:00:00.000Z' }));
    }
  }
  await store.contacts.upsertMany(contacts);
  await store.consent.append(entries);
  await store.outbox.insertMany(rows);
  return store;
}

function request(overrides: Partial<PlanRequest> = {}): PlanRequest {
  return { campaignId: 'p1', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Привет, {{firstName}}!', weight: 1 }, { name: 'B', text: 'Здравствуйте!', weight: 1 }], kind: 'marketing', sender: 'SHOP', at: AT, ...overrides };
}

async function plan(store: Store, req: PlanRequest): Promise<Decision[]> {
  const out: Decision[] = [];
  for await (const page of planPages(req, { store, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: { default: { RU: 3.5 } } })) out.push(...page);
  return out;
}

/** The same store read the way every other store is: scan(), consent.currentMany, outbox.marketingSendTimes. */
function withoutPlanningPages(store: PostgresStore): Store {
  return new Proxy(store, { get: (target, key) => (key === 'planningPages' ? undefined : Reflect.get(target, key)) }) as Store;
}

describe.skipIf(!server.ok)('planning on PostgreSQL: contacts, consent and send history in one read', () => {
  it('decides exactly as the per-page look-ups do', async () => {
    const store = await seeded();
    let reads = 0;
    const counting = new Proxy(store, {
      get: (target, key) => (key === 'planningPages' ? (...args: Parameters<PostgresStore['planningPages']>) => { reads += 1; return target.planningPages(...args); } : Reflect.get(target, key)),
    }) as Store;
    for (const req of [
      request(),
      request({ audience: { filter: { field: 'city', op: 'is_known' } } }),
      request({ kind: 'transactional' }),
    ]) {
      const fast = await plan(counting, req);
      const looked = await plan(withoutPlanningPages(store), req);
      expect(fast).toEqual(looked);
    }
    expect(reads).toBe(3);
    // The seed makes every verdict happen, so the comparison covers each of them.
    const reasons = new Set((await plan(store, request())).map((d) => (d.action === 'excluded' ? d.reason : d.action)));
    expect([...reasons].sort()).toEqual(['frequency_cap', 'minor', 'missing_variable', 'no_consent', 'opted_out', 'send']);
    expect((await plan(store, request())).length).toBe(CONTACTS);
  });

  it('reads pages in contact order with the consent and send history of each contact', async () => {
    const store = await seeded();
    const since = new Date('2026-11-20T07:00:00Z');
    const seen: string[] = [];
    for await (const page of store.planningPages({ batchSize: 700, marketingSince: since })) {
      const ids = page.contacts.map((c) => c.id);
      expect(page.contacts.length).toBeLessThanOrEqual(700);
      const consent = await store.consent.currentMany(ids);
      const history = await store.outbox.marketingSendTimes(ids, since);
      expect(new Map([...page.consent].map(([id, c]) => [id, { marketing: c.marketing, transactionalAllowed: c.transactionalAllowed }])))
        .toEqual(new Map([...consent].map(([id, c]) => [id, { marketing: c.marketing, transactionalAllowed: c.transactionalAllowed }])));
      const sorted = (m: Map<string, Date[]>) => new Map([...m].map(([id, times]) => [id, times.map((t) => t.getTime()).sort()]));
      expect(sorted(page.history)).toEqual(sorted(history));
      seen.push(...ids);
    }
    const scanned: string[] = [];
    for await (const page of store.contacts.scan({ batchSize: 1000 })) scanned.push(...page.map((c) => c.id));
    expect(seen).toEqual(scanned);
    expect(seen.length).toBe(CONTACTS);
  });
});
