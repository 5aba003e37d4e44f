import { describe, expect, it } from 'vitest';
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
});
