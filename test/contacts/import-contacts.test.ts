import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { mapColumns } from '../../src/contacts/columns.js';
import { openSheet } from '../../src/contacts/files/index.js';
import type { ImportOptions } from '../../src/contacts/import-contacts.js';
import { importContacts } from '../../src/contacts/import-contacts.js';
import { recordConsent } from '../../src/consent/record-consent.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/port.js';

const fixture = (name: string): string => path.join(import.meta.dirname, '..', 'fixtures', name);

function deps(store: Store) {
  let n = 0;
  return { store, clock: fixedClock('2026-11-27T10:00:00Z'), newId: () => `id-${(n += 1)}` };
}

async function importFile(store: Store, file: string, options: Partial<ImportOptions> = {}) {
  const sheet = await openSheet(fixture(file));
  return importContacts(sheet.rows, mapColumns(sheet.headers), { defaultCountry: 'RU', sourceName: file, ...options }, deps(store));
}

describe.each(['customers-utf8-bom.csv', 'customers-cp1251.csv'])('importing %s', (file) => {
  it('imports the good rows and names every bad row with its reason', async () => {
    const store = createMemoryStore();
    const report = await importFile(store, file);
    expect(report).toMatchObject({ rows: 13, created: 7, updated: 0, unchanged: 0, duplicates: 1 });
    expect(report.invalid.map(({ row, reason }) => ({ row, reason }))).toEqual([
      { row: 6, reason: 'invalid_format' },
      { row: 7, reason: 'not_mobile' },
      { row: 8, reason: 'missing' },
      { row: 11, reason: 'invalid_format' },
      { row: 13, reason: 'not_mobile' },
    ]);
    expect(report.invalid.find((p) => p.row === 7)?.value).toBe('+7495***4567');
    expect(report.warnings).toEqual([expect.objectContaining({ row: 5, column: 'Дата рождения', reason: 'invalid_date', value: '31.02.1980' })]);
    expect(report.consent).toEqual({ optedIn: 6, optedOut: 1, keptOptedOut: 0 });
    expect(await store.contacts.count()).toBe(7);
  });

  it('normalises numbers, reads dates and keeps multi-line cells and quotes', async () => {
    const store = createMemoryStore();
    await importFile(store, file);
    const byPhone = await store.contacts.getByPhones(['+79123456789', '+79123456790', '+79123456791', '+79123456792', '+79123456793', '+4915123456789']);
    const anna = byPhone.get('+79123456789');
    expect(anna).toMatchObject({ firstName: 'Анна', lastName: 'Иванова-Петрова', gender: 'female', birthDate: '1990-03-15', city: 'Москва', timezone: 'Europe/Moscow', timezoneSource: 'city', interests: ['спорт', 'книги'] });
    expect(anna?.properties['Комментарий']).toBe('дубль');
    expect(byPhone.get('+79123456790')).toMatchObject({ birthDate: '1985-07-01', timezone: 'Asia/Vladivostok', properties: { Комментарий: 'Просил звонить\nпосле 18:00' } });
    expect(byPhone.get('+79123456791')).toMatchObject({ birthDate: '1990-01-01', timezone: 'Europe/Kaliningrad' });
    expect(byPhone.get('+79123456792')?.birthDate).toBeUndefined();
    expect(byPhone.get('+79123456793')).toMatchObject({ lastName: 'Кузнецова "Маша"', birthDate: '2000-02-29' });
    expect(byPhone.get('+4915123456789')).toMatchObject({ country: 'DE', timezone: 'Europe/Berlin', gender: 'male' });
  });

  it('creates nothing when the same file is imported again', async () => {
    const store = createMemoryStore();
    await importFile(store, file);
    const again = await importFile(store, file);
    expect(again).toMatchObject({ rows: 13, created: 0, updated: 0, unchanged: 7, duplicates: 1 });
    expect(again.consent).toEqual({ optedIn: 0, optedOut: 0, keptOptedOut: 0 });
    expect(await store.contacts.count()).toBe(7);
  });
});

describe('import and consent', () => {
  it('cannot re-opt-in a contact who opted out by reply', async () => {
    const store = createMemoryStore();
    await importFile(store, 'customers-utf8-bom.csv');
    const anna = (await store.contacts.getByPhones(['+79123456789'])).get('+79123456789');
    if (!anna) throw new Error('missing contact');
    await recordConsent({ contactId: anna.id, status: 'opted_out', scope: 'all', origin: 'recipient', source: 'sms reply СТОП' }, deps(store));

    const again = await importFile(store, 'customers-utf8-bom.csv', { consent: { status: 'opted_in', source: 'shop form' } });
    expect(again.consent.keptOptedOut).toBe(1);
    const state = (await store.consent.currentMany([anna.id])).get(anna.id);
    expect(state).toMatchObject({ marketing: 'opted_out', transactionalAllowed: false, lockedByRecipient: true });
    expect((await store.consent.history(anna.id)).filter((e) => e.at === '2026-11-27T10:00:00.000Z' && e.origin === 'import' && e.status === 'opted_in')).toHaveLength(1);
  });

  it('refuses an operator opt-in without evidence after a STOP, and accepts one with evidence', async () => {
    const store = createMemoryStore();
    await importFile(store, 'customers-utf8-bom.csv');
    const anna = (await store.contacts.getByPhones(['+79123456789'])).get('+79123456789');
    if (!anna) throw new Error('missing contact');
    const d = deps(store);
    await recordConsent({ contactId: anna.id, status: 'opted_out', scope: 'all', origin: 'recipient', source: 'STOP' }, d);
    await expect(recordConsent({ contactId: anna.id, status: 'opted_in', scope: 'marketing', origin: 'operator', source: 'call' }, d)).rejects.toMatchObject({
      code: 'CONFLICT',
      hint: expect.stringContaining('--evidence'),
    });
    const result = await recordConsent({ contactId: anna.id, status: 'opted_in', scope: 'marketing', origin: 'operator', source: 'call', evidence: 'signed form 77' }, d);
    expect(result).toMatchObject({ changed: true, state: { marketing: 'opted_in', transactionalAllowed: true } });
  });

  it('applies --consent to rows without a consent cell, and the cell wins where present', async () => {
    const store = createMemoryStore();
    const report = await importFile(store, 'customers-utf8-bom.csv', { consent: { status: 'opted_in', source: 'shop form' } });
    expect(report.consent).toEqual({ optedIn: 6, optedOut: 1, keptOptedOut: 0 });
    const petr = (await store.contacts.getByPhones(['+79123456792'])).get('+79123456792');
    expect((await store.consent.currentMany([petr?.id ?? ''])).get(petr?.id ?? '')?.marketing).toBe('opted_out');
  });

  it('changes nothing on a dry run', async () => {
    const store = createMemoryStore();
    const report = await importFile(store, 'customers-utf8-bom.csv', { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, created: 7 });
    expect(await store.contacts.count()).toBe(0);
  });

  it('merges duplicates that span batches and counts rows = created + updated + unchanged + duplicates + invalid', async () => {
    const store = createMemoryStore();
    const report = await importFile(store, 'customers-utf8-bom.csv', { batchSize: 2 });
    expect(report).toMatchObject({ rows: 13, created: 7, duplicates: 1 });
    expect(report.created + report.updated + report.unchanged + report.duplicates + report.invalid.length).toBe(report.rows);
    expect((await store.contacts.getByPhones(['+79123456789'])).get('+79123456789')?.lastName).toBe('Иванова-Петрова');
    expect(await store.contacts.count()).toBe(7);
  });
});
