import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { mapColumns } from '../../src/contacts/columns.js';
import { openSheet } from '../../src/contacts/files/index.js';
import type { ImportOptions } from '../../src/contacts/import-contacts.js';
import { importContacts } from '../../src/contacts/import-contacts.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/port.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-reimport-'));
  dirs.push(dir);
  return dir;
}

const HEADER = 'Телефон;Имя;Город;Пол;Согласие\n';
/** Row 3 repeats row 2's number with another name: the later row wins. Row 5 has a bad gender cell. */
const ROWS = [
  '+7 912 000 00 01;Анна;Москва;ж;да',
  '8 (912) 000-00-02;Олег;Казань;м;да',
  '79120000002;Олежек;;;',
  '9120000003;Ира;Тверь;ж;нет',
  '+79120000004;Пётр;Омск;робот;да',
  'not a phone;Нет;;;да',
];

function csv(dir: string, rows: string[], name = 'file.csv'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, HEADER + rows.map((row) => `${row}\n`).join(''));
  return file;
}

let ids = 0;
async function run(store: Store, file: string, options: Partial<ImportOptions> = {}) {
  const sheet = await openSheet(file);
  return importContacts(sheet.rows, mapColumns(sheet.headers), { defaultCountry: 'RU', sourceName: 'file.csv', ...options }, {
    store, clock: fixedClock('2026-11-27T10:00:00Z'), newId: () => `id-${(ids += 1)}`,
  });
}

const journalBytes = (dir: string): number =>
  fs.readdirSync(dir).filter((name) => /^(contacts|consent)\.\d+\.jsonl$/.test(name)).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);

describe('re-importing a file', () => {
  it('reports the same rows as unchanged, with the same problems, and writes nothing', async () => {
    const dir = tempDir();
    const file = csv(dir, ROWS);
    const store = await LowdbStore.open({ dataDir: path.join(dir, 'data'), maxBytes: 50 * 1024 * 1024 });
    // Batches of two: the repeated number spans two batches.
    const first = await run(store, file, { batchSize: 2 });
    expect(first).toMatchObject({ rows: 6, created: 4, updated: 0, unchanged: 0, duplicates: 1 });
    const bytes = journalBytes(path.join(dir, 'data'));
    const again = await run(store, file, { batchSize: 2 });
    expect(again).toMatchObject({ rows: 6, created: 0, updated: 0, unchanged: 4, duplicates: 1, consent: { optedIn: 0, optedOut: 0, keptOptedOut: 0 } });
    expect(again.invalid).toEqual(first.invalid);
    expect(again.warnings).toEqual(first.warnings);
    expect(again.warnings).toEqual([expect.objectContaining({ row: 6, column: 'Пол', reason: 'invalid_gender' })]);
    expect(journalBytes(path.join(dir, 'data'))).toBe(bytes);
    expect((await store.contacts.getByPhones(['+79120000002'])).get('+79120000002')?.firstName).toBe('Олежек');
    await store.close();

    // Across a restart the keys are still there: the third import writes nothing either.
    const reopened = await LowdbStore.open({ dataDir: path.join(dir, 'data'), maxBytes: 50 * 1024 * 1024 });
    expect(await run(reopened, file)).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
    expect(journalBytes(path.join(dir, 'data'))).toBe(bytes);
    await reopened.close();
  });

  it('applies a row again once its contact changed in another way since', async () => {
    const store = createMemoryStore();
    const file = csv(tempDir(), ROWS);
    await run(store, file);
    const anna = (await store.contacts.getByPhones(['+79120000001'])).get('+79120000001');
    if (!anna) throw new Error('missing contact');
    await store.contacts.upsertMany([{ ...anna, city: 'Тула', timezone: 'Europe/Moscow' }]);
    const again = await run(store, file);
    expect(again).toMatchObject({ updated: 1, unchanged: 3 });
    expect((await store.contacts.getByPhones(['+79120000001'])).get('+79120000001')?.city).toBe('Москва');
  });

  it('still applies consent on a skipped row: an opt-out since is kept and counted', async () => {
    const store = createMemoryStore();
    const file = csv(tempDir(), ROWS);
    await run(store, file);
    const anna = (await store.contacts.getByPhones(['+79120000001'])).get('+79120000001');
    if (!anna) throw new Error('missing contact');
    await store.consent.append([{ id: 'stop', contactId: anna.id, status: 'opted_out', scope: 'all', origin: 'recipient', source: 'STOP', at: '2026-11-27T11:00:00.000Z' }]);
    const again = await run(store, file);
    expect(again).toMatchObject({ unchanged: 4, consent: { optedIn: 0, optedOut: 0, keptOptedOut: 1 } });
    expect((await store.consent.currentMany([anna.id])).get(anna.id)?.marketing).toBe('opted_out');
  });

  it('a changed cell or another default country is merged again, not skipped', async () => {
    const store = createMemoryStore();
    const dir = tempDir();
    await run(store, csv(dir, ROWS));
    const changed = ROWS.map((row) => row.replace('Ира;Тверь', 'Ирина;Тверь'));
    const report = await run(store, csv(dir, changed, 'changed.csv'));
    expect(report).toMatchObject({ updated: 1, unchanged: 3 });
    expect((await store.contacts.getByPhones(['+79120000003'])).get('+79120000003')?.firstName).toBe('Ирина');
  });

  it('works the same with a store that keeps no import keys (every row merged again)', async () => {
    const inner = createMemoryStore();
    const { importKeys: _keys, ...contacts } = Object.assign(Object.create(null) as object, {
      upsertMany: inner.contacts.upsertMany.bind(inner.contacts), getMany: inner.contacts.getMany.bind(inner.contacts),
      getByPhones: inner.contacts.getByPhones.bind(inner.contacts), count: inner.contacts.count.bind(inner.contacts),
      scan: inner.contacts.scan.bind(inner.contacts), list: inner.contacts.list.bind(inner.contacts), deleteMany: inner.contacts.deleteMany.bind(inner.contacts),
      importKeys: undefined,
    });
    const store = new Proxy(inner, { get: (target, name) => (name === 'contacts' ? contacts : Reflect.get(target, name)) }) as Store;
    expect(store.contacts.importKeys).toBeUndefined();
    const file = csv(tempDir(), ROWS);
    expect(await run(store, file, { batchSize: 2 })).toMatchObject({ created: 4, duplicates: 1 });
    expect(await run(store, file, { batchSize: 2 })).toMatchObject({ created: 0, updated: 0, unchanged: 4, duplicates: 1 });
    expect((await store.contacts.getByPhones(['+79120000002'])).get('+79120000002')?.firstName).toBe('Олежек');
  });

  it('a dry run after a real import reports unchanged and writes nothing', async () => {
    const store = createMemoryStore();
    const file = csv(tempDir(), ROWS);
    await run(store, file);
    expect(await run(store, file, { dryRun: true })).toMatchObject({ dryRun: true, created: 0, updated: 0, unchanged: 4 });
  });
});
