import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { mapColumns } from '../../src/contacts/columns.js';
import { openSheet } from '../../src/contacts/files/index.js';
import { importContacts } from '../../src/contacts/import-contacts.js';
import { sampleCsvLines } from '../../src/demo/sample-data.js';
import type { ConsentEntry } from '../../src/consent/consent.js';
import { deriveConsent } from '../../src/consent/ledger.js';
import { COPY_THRESHOLD } from '../../src/store/postgres/copy-in.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { makeContact, makeEntry } from '../helpers/factories.js';
import { TEST_DATABASE_URL, checkPostgres, noteSkipped, testSchemas } from '../helpers/postgres.js';

const server = await checkPostgres();
if (!server.ok) noteSkipped('the PostgreSQL bulk-write tests', server.reason);
const schemas = testSchemas('bulk');
const opened: PostgresStore[] = [];
afterAll(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  await schemas.dropAll();
});

async function open(poolSize = 3): Promise<PostgresStore> {
  const store = await PostgresStore.open({ url: TEST_DATABASE_URL, schema: schemas.next(), poolSize });
  opened.push(store);
  return store;
}

/** Enough rows to take the COPY path. */
const BULK = COPY_THRESHOLD + 100;
/** Every contact's ledger, oldest first, in one query (history() per contact would be one query each). */
async function ledgers(store: PostgresStore): Promise<Map<string, ConsentEntry[]>> {
  const result = await store.db.query<{ contact_id: string; data: ConsentEntry }>('SELECT contact_id, data FROM consent_entries ORDER BY seq');
  const byContact = new Map<string, ConsentEntry[]>();
  for (const row of result.rows) byContact.set(row.contact_id, [...(byContact.get(row.contact_id) ?? []), row.data]);
  return byContact;
}

const AT = (day: number): string => new Date(Date.UTC(2026, 0, day)).toISOString();

describe.skipIf(!server.ok)('postgres store: bulk writes (COPY)', () => {
  it('a bulk consent append derives every state from the whole ledger, for new and known contacts alike', async () => {
    const store = await open();
    const contacts = Array.from({ length: BULK }, () => makeContact());
    await store.contacts.upsertMany(contacts);
    // Half the contacts already have a ledger: some opted out by their own STOP, which an import never lifts.
    const known = contacts.slice(0, BULK / 2);
    await store.consent.append(known.map((c, i) => makeEntry({ contactId: c.id, status: i % 3 === 0 ? 'opted_out' : 'opted_in', scope: 'all', origin: 'recipient', at: AT(1) })));
    // One bulk append: every contact gets an import opt-in; the fresh ones also an earlier opt-out given later in the batch.
    const batch = contacts.flatMap((c, i) => [
      makeEntry({ contactId: c.id, status: 'opted_in', at: AT(3) }),
      ...(i >= BULK / 2 && i % 2 === 0 ? [makeEntry({ contactId: c.id, status: 'opted_out', origin: 'operator', at: AT(2) })] : []),
    ]);
    await store.consent.append(batch);
    // The same entries again (a copy run twice): each is kept once, and nothing changes.
    await store.consent.append(batch);

    const states = await store.consent.currentMany(contacts.map((c) => c.id));
    expect(states.size).toBe(BULK);
    const ledger = await ledgers(store);
    for (const [i, c] of contacts.entries()) {
      const history = ledger.get(c.id) ?? [];
      expect(history.length).toBe(i < BULK / 2 ? 2 : i % 2 === 0 ? 2 : 1);
      expect(states.get(c.id)).toEqual(deriveConsent(history));
    }
    // Spot checks of what deriving means: entries apply in time order, and no import lifts an opt-out.
    expect(states.get(contacts[0]?.id ?? '')).toMatchObject({ marketing: 'opted_out', transactionalAllowed: false });
    expect(states.get(contacts[1]?.id ?? '')).toMatchObject({ marketing: 'opted_in' });
    expect(states.get(contacts[BULK / 2]?.id ?? '')).toMatchObject({ marketing: 'opted_out', transactionalAllowed: true });
    expect(states.get(contacts[BULK / 2 + 1]?.id ?? '')).toMatchObject({ marketing: 'opted_in' });
  });

  it('two bulk appends at once for the same new contacts both land, and the states follow from both', async () => {
    const store = await open();
    const contacts = Array.from({ length: BULK }, () => makeContact());
    await store.contacts.upsertMany(contacts);
    const ins = contacts.map((c) => makeEntry({ contactId: c.id, status: 'opted_in', at: AT(1) }));
    const outs = contacts.map((c) => makeEntry({ contactId: c.id, status: 'opted_out', scope: 'all', origin: 'recipient', at: AT(2) }));
    await Promise.all([store.consent.append(ins), store.consent.append(outs)]);
    const states = await store.consent.currentMany(contacts.map((c) => c.id));
    const ledger = await ledgers(store);
    for (const c of contacts) {
      expect(ledger.get(c.id)?.length).toBe(2);
      expect(states.get(c.id)).toMatchObject({ marketing: 'opted_out', transactionalAllowed: false, lockedByRecipient: true });
    }
  });

  it('a bulk upsert replaces changed contacts and leaves equal ones untouched (no new row version)', async () => {
    const store = await open();
    const contacts = Array.from({ length: BULK }, () => makeContact());
    await store.contacts.upsertMany(contacts);
    const versions = async (): Promise<Map<string, string>> => {
      const result = await store.db.query<{ id: string; xmin: string }>('SELECT id, xmin::text AS xmin FROM contacts');
      return new Map(result.rows.map((row) => [row.id, row.xmin]));
    };
    const before = await versions();
    const changed = contacts.map((c, i) => (i % 10 === 0 ? { ...c, firstName: 'Олег', phone: c.phone.replace('+7912', '+7913') } : c));
    await store.contacts.upsertMany(changed);
    const after = await versions();
    for (const [i, c] of contacts.entries()) expect(after.get(c.id) === before.get(c.id)).toBe(i % 10 !== 0);
    const found = await store.contacts.getMany([contacts[0]?.id ?? '', contacts[1]?.id ?? '']);
    expect(found.get(contacts[0]?.id ?? '')).toMatchObject({ firstName: 'Олег', phone: changed[0]?.phone });
    expect(found.get(contacts[1]?.id ?? '')).toEqual(contacts[1]);
    expect((await store.contacts.getByPhones([changed[0]?.phone ?? ''])).size).toBe(1);
  });

  it('a scan read ahead hands out every page in order, and a caller may stop early', async () => {
    const store = await open();
    const contacts = Array.from({ length: 25 }, () => makeContact());
    await store.contacts.upsertMany(contacts);
    const pages: string[][] = [];
    for await (const page of store.contacts.scan({ batchSize: 10 })) pages.push(page.map((c) => c.id));
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(contacts.map((c) => c.id).sort());
    for await (const page of store.contacts.scan({ batchSize: 10 })) {
      expect(page.length).toBe(10);
      break;
    }
    // The query read ahead for the abandoned scan finished; the store still answers and closes cleanly.
    expect(await store.contacts.count()).toBe(25);
  });

  it('import keys: given with a write or to stored contacts, found by lookup, cleared by any other write', async () => {
    const store = await open();
    const keys = store.contacts.importKeys;
    const [a, b, c] = [makeContact(), makeContact(), makeContact()] as const;
    await store.contacts.upsertMany([c]);
    await keys.upsertWithKeys([a, b], new Map([[a.id, 'ka'], [c.id, 'kc'], ['nobody', 'kn']]));
    let found = await keys.lookup(['ka', 'kb', 'kc', 'kn']);
    expect([...found.keys()].sort()).toEqual(['ka', 'kc']);
    expect(found.get('ka')).toEqual(a);
    expect(await store.contacts.count()).toBe(3);
    // Any other write drops the key, even one that changes nothing else; a bulk write too.
    await store.contacts.upsertMany([a]);
    const many = Array.from({ length: BULK }, () => makeContact());
    await keys.upsertWithKeys(many, new Map(many.map((m, i) => [m.id, `k${i}`])));
    await store.contacts.upsertMany(many.slice(0, 10));
    found = await keys.lookup(['ka', 'kc', 'k0', 'k9', 'k10', `k${BULK - 1}`]);
    expect([...found.keys()].sort()).toEqual(['k10', `k${BULK - 1}`, 'kc'].sort());
    await store.contacts.deleteMany([c.id]);
    expect((await keys.lookup(['kc'])).size).toBe(0);
  });

  it('re-importing a file on PostgreSQL finds its rows by key: all unchanged, no contact rewritten', async () => {
    const store = await open();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-pg-reimport-'));
    try {
      const file = path.join(dir, 'contacts.csv');
      fs.writeFileSync(file, [...sampleCsvLines({ rows: BULK, today: '2026-11-27', seed: 7 })].join(''));
      let ids = 0;
      const run = async () => {
        const sheet = await openSheet(file);
        return importContacts(sheet.rows, mapColumns(sheet.headers), { defaultCountry: 'RU', sourceName: 'contacts.csv', consent: { status: 'opted_in', source: 'form' } }, {
          store, clock: fixedClock('2026-11-27T10:00:00Z'), newId: () => `id-${(ids += 1)}`,
        });
      };
      const first = await run();
      expect(first.created).toBeGreaterThan(BULK / 2);
      const versions = await store.db.query<{ n: string; v: string }>('SELECT count(*) AS n, max(xmin::text::bigint)::text AS v FROM contacts WHERE import_key IS NOT NULL');
      expect(Number(versions.rows[0]?.n)).toBe(first.created);
      const again = await run();
      expect(again).toMatchObject({ rows: first.rows, created: 0, updated: 0, unchanged: first.created, duplicates: first.duplicates, consent: { optedIn: 0, optedOut: 0 } });
      expect(again.invalid).toEqual(first.invalid);
      const after = await store.db.query<{ n: string; v: string }>('SELECT count(*) AS n, max(xmin::text::bigint)::text AS v FROM contacts WHERE import_key IS NOT NULL');
      expect(after.rows[0]).toEqual(versions.rows[0]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('staging tables are kept per connection and empty between writes, and a failed write leaves none of its rows', async () => {
    // One connection: every write stages in the same session.
    const store = await open(1);
    const staged = async (): Promise<number | null> => {
      const exists = await store.db.query<{ found: boolean }>(`SELECT to_regclass('pg_temp.contacts_in') IS NOT NULL AS found`);
      if (!exists.rows[0]?.found) return null;
      const result = await store.db.query<{ n: string }>('SELECT count(*) AS n FROM pg_temp.contacts_in');
      return Number(result.rows[0]?.n);
    };
    const first = Array.from({ length: BULK }, () => makeContact());
    // Two contacts with one number: the deferred unique check fails at commit, so the first staging table is rolled back with it.
    const clash = [...first.slice(1), { ...makeContact(), phone: first[1]?.phone ?? '' }];
    await expect(store.contacts.upsertMany(clash)).rejects.toThrow();
    expect(await staged()).toBeNull();
    await store.contacts.upsertMany(first);
    await store.contacts.upsertMany(first.map((c) => ({ ...c, firstName: 'Анна' })));
    const second = Array.from({ length: BULK }, () => makeContact());
    await store.contacts.upsertMany(second);
    // The table stays for the next write, empty; the stored contacts are exactly the ones written.
    expect(await staged()).toBe(0);
    expect(await store.contacts.count()).toBe(2 * BULK);
    expect((await store.contacts.getMany([first[0]?.id ?? ''])).get(first[0]?.id ?? '')?.firstName).toBe('Анна');
    await expect(store.contacts.upsertMany([...second.slice(1), { ...makeContact(), phone: second[0]?.phone ?? '' }])).rejects.toThrow();
    await store.contacts.upsertMany(Array.from({ length: BULK }, () => makeContact()));
    expect(await store.contacts.count()).toBe(3 * BULK);
    expect(await staged()).toBe(0);
  });

  it('bulk writes commit lazily and flush() makes them durable with one commit that waits, shared by concurrent callers', async () => {
    const store = await open();
    const statements: string[] = [];
    const query = store.db.pool.query.bind(store.db.pool) as (...args: unknown[]) => unknown;
    store.db.pool.query = ((...args: unknown[]) => {
      if (typeof args[0] === 'string') statements.push(args[0]);
      return query(...args);
    }) as typeof store.db.pool.query;
    const flushes = (): number => statements.filter((text) => text.includes('txid_current')).length;
    // A small write commits durably: nothing to flush.
    await store.contacts.upsertMany([makeContact()]);
    await store.flush();
    expect(flushes()).toBe(0);
    // A bulk write (an import's batch) and a bulk consent append commit lazily: one flush covers both, however many ask.
    const contacts = Array.from({ length: BULK }, () => makeContact());
    await store.contacts.upsertMany(contacts);
    await store.consent.append(contacts.map((c) => makeEntry({ contactId: c.id, status: 'opted_in', at: AT(1) })));
    await Promise.all([store.flush(), store.flush(), store.flush()]);
    expect(flushes()).toBe(1);
    await store.flush();
    expect(flushes()).toBe(1);
    // What was written lazily is there, and a write after a flush asks for the next one.
    expect(await store.contacts.count()).toBe(BULK + 1);
    await store.contacts.upsertMany(contacts.map((c) => ({ ...c, lastName: 'Петрова' })));
    await store.flush();
    expect(flushes()).toBe(2);
  });

  it('COPY carries any text: tabs, line breaks, backslashes, Cyrillic, emoji, and values longer than a chunk', async () => {
    const store = await open();
    const odd = ['a\tb', 'line\nbreak\r\n', 'back\\slash \\N', 'Ёлка 🎄 ünï', '\\'];
    const contacts = Array.from({ length: BULK }, (_, i) => makeContact({ firstName: i === 7 ? 'Я'.repeat(70_000) : (odd[i % odd.length] as string) }));
    await store.contacts.upsertMany(contacts);
    const found = await store.contacts.getMany(contacts.map((c) => c.id));
    expect(found.size).toBe(BULK);
    for (const c of contacts) expect(found.get(c.id)).toEqual(c);
  });
});
