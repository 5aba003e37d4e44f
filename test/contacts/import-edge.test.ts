import { describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { mapColumns } from '../../src/contacts/columns.js';
import type { SheetRow } from '../../src/contacts/files/index.js';
import { importContacts } from '../../src/contacts/import-contacts.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';

async function* rowsOf(rows: SheetRow[]): AsyncIterable<SheetRow> {
  yield* rows;
}

const run = (headers: string[], rows: SheetRow[]) => {
  const store = createMemoryStore();
  let n = 0;
  return importContacts(rowsOf(rows), mapColumns(headers), { defaultCountry: 'RU', sourceName: 'test' }, {
    store, clock: fixedClock('2026-11-27T10:00:00Z'), newId: () => `id-${(n += 1)}`,
  }).then((report) => ({ report, store }));
};

describe('import edge cases', () => {
  it('reports an unreadable row and carries on with the next one', async () => {
    const { report, store } = await run(['phone', 'name'], [
      { row: 2, cells: [], error: 'quote not closed' },
      { row: 3, cells: ['+79123456789', 'Анна'] },
    ]);
    expect(report.invalid).toEqual([{ row: 2, reason: 'unreadable_row', value: 'quote not closed' }]);
    expect(await store.contacts.count()).toBe(1);
  });

  it('reads a bare year in a birthday column as a bad date, not an Excel serial', async () => {
    const { report, store } = await run(['phone', 'birthday'], [{ row: 2, cells: ['+79123456789', '1985'] }]);
    expect(report.warnings).toEqual([expect.objectContaining({ row: 2, reason: 'invalid_date', value: '1985' })]);
    expect((await store.contacts.getByPhones(['+79123456789'])).get('+79123456789')?.birthDate).toBeUndefined();
  });

  it('never erases a known value with an empty cell, and a newer non-empty value wins', async () => {
    const store = createMemoryStore();
    let n = 0;
    const deps = { store, clock: fixedClock('2026-11-27T10:00:00Z'), newId: () => `id-${(n += 1)}` };
    const headers = ['phone', 'first name', 'city', 'tags'];
    await importContacts(rowsOf([{ row: 2, cells: ['+79123456789', 'Анна', 'Москва', 'vip'] }]), mapColumns(headers), { defaultCountry: 'RU', sourceName: 'a' }, deps);
    const second = await importContacts(rowsOf([{ row: 2, cells: ['89123456789', '', 'Казань', 'new'] }]), mapColumns(headers), { defaultCountry: 'RU', sourceName: 'b' }, deps);
    expect(second).toMatchObject({ updated: 1, created: 0 });
    expect((await store.contacts.getByPhones(['+79123456789'])).get('+79123456789')).toMatchObject({
      firstName: 'Анна', city: 'Казань', timezone: 'Europe/Moscow', tags: ['vip', 'new'],
    });
  });

  it('keeps an explicit timezone when the city changes, and re-derives a derived one', async () => {
    const { store } = await run(['phone', 'city', 'timezone'], [
      { row: 2, cells: ['+79123456789', 'Москва', 'Asia/Vladivostok'] },
      { row: 3, cells: ['+79123456780', 'Москва', ''] },
      { row: 4, cells: ['+79123456780', 'Новосибирск', ''] },
      { row: 5, cells: ['+79123456781', '', 'not/a_zone'] },
    ]);
    const found = await store.contacts.getByPhones(['+79123456789', '+79123456780', '+79123456781']);
    expect(found.get('+79123456789')).toMatchObject({ timezone: 'Asia/Vladivostok', timezoneSource: 'explicit' });
    expect(found.get('+79123456780')).toMatchObject({ timezone: 'Asia/Novosibirsk', timezoneSource: 'city' });
    expect(found.get('+79123456781')?.timezone).toBeUndefined();
  });

  it('reads the next batch while the one before is written, and waits for that write before looking up its phones', async () => {
    const store = createMemoryStore();
    // Each contacts write lands only when the test lets it: a slow database.
    const landing: Array<() => void> = [];
    const keys = store.contacts.importKeys;
    if (!keys) throw new Error('the memory store keeps import keys');
    const upsertWithKeys = keys.upsertWithKeys.bind(keys);
    (keys as { upsertWithKeys: typeof upsertWithKeys }).upsertWithKeys = (contacts, given) => new Promise<void>((resolve, reject) => {
      landing.push(() => upsertWithKeys(contacts, given).then(resolve, reject));
    });
    const getByPhones = store.contacts.getByPhones.bind(store.contacts);
    const lookups: number[] = [];
    store.contacts.getByPhones = (phones) => {
      lookups.push(landing.length);
      return getByPhones(phones);
    };
    let n = 0;
    const rows: SheetRow[] = [
      { row: 2, cells: ['+79123456789', 'Анна'] },
      { row: 3, cells: ['+79123456780', 'Олег'] },
      // The first number again, in the next batch: merged into the contact the first batch wrote.
      { row: 4, cells: ['+79123456789', 'Анна Петровна'] },
      { row: 5, cells: ['+79123456781', 'Ида'] },
    ];
    let read = 0;
    async function* slowRows(): AsyncIterable<SheetRow> {
      for (const row of rows) {
        read += 1;
        yield row;
      }
    }
    const importing = importContacts(slowRows(), mapColumns(['phone', 'first name']), { defaultCountry: 'RU', sourceName: 'test', batchSize: 2 }, {
      store, clock: fixedClock('2026-11-27T10:00:00Z'), newId: () => `id-${(n += 1)}`,
    });
    // The first batch's write is under way; the second batch is read meanwhile, then waits for it.
    await vi.waitFor(() => expect(landing.length).toBe(1));
    await vi.waitFor(() => expect(read).toBe(4));
    expect(lookups).toEqual([0]);
    landing.shift()?.();
    await vi.waitFor(() => expect(landing.length).toBe(1));
    landing.shift()?.();
    const report = await importing;
    expect(report).toMatchObject({ rows: 4, created: 3, duplicates: 1 });
    expect(await store.contacts.count()).toBe(3);
    expect((await store.contacts.getByPhones(['+79123456789'])).get('+79123456789')?.firstName).toBe('Анна Петровна');
  });
});
