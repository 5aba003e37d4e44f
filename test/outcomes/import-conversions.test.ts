import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { openSheet } from '../../src/contacts/files/index.js';
import { parseAmount, parseOrderTime } from '../../src/outcomes/conversion-rows.js';
import { importConversions } from '../../src/outcomes/import-conversions.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { makeContact } from '../helpers/factories.js';

describe('orders files', () => {
  it('keeps the good rows and reports each bad one with its row, column and reason; a second import adds nothing', async () => {
    const store = new MemoryStore();
    const anna = makeContact();
    await store.contacts.upsertMany([anna]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-orders-'));
    const file = path.join(dir, 'orders.csv');
    fs.writeFileSync(file, [
      'Заказ;Телефон;Сумма;Валюта;Дата',
      `A-1;${anna.phone};1 990,50;RUB;27.11.2026 14:30`,
      `A-2;${anna.phone};много;RUB;27.11.2026`,
      `A-3;${anna.phone};500;RUB;вчера`,
      'A-4;+79990009999;100;RUB;',
      `A-1;${anna.phone};2000;RUB;27.11.2026 14:30`,
      '',
    ].join('\n'));
    const deps = { store, clock: fixedClock('2026-11-30T00:00:00.000Z'), windowDays: 7, defaultCountry: 'RU', currency: 'RUB' };
    const report = await importConversions(await openSheet(file), { zone: 'Europe/Moscow' }, deps);
    expect(report).toMatchObject({ rows: 5, recorded: 1, duplicates: 0 });
    expect(report.invalid.map((p) => [p.row, p.column, p.reason.slice(0, 20)])).toEqual([
      [3, 'Сумма', 'not an amount of mon'], [4, 'Дата', 'not a date (2026-11-'], [5, 'phone', 'No contact with phon'], [6, 'order', 'Order A-1 was record'],
    ]);
    expect((await store.conversions.getMany(['A-1'])).get('A-1')).toMatchObject({ amount: 1990.5, at: '2026-11-27T11:30:00.000Z', source: 'file' });
    const again = await importConversions(await openSheet(file), { zone: 'Europe/Moscow' }, deps);
    expect(again).toMatchObject({ recorded: 0, duplicates: 1 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads amounts and times the way spreadsheets write them', () => {
    expect(['1 990,50', '1,990.50', '1990', '1.990,5', '12 500 ₽'].map(parseAmount)).toEqual([1990.5, 1990.5, 1990, 1990.5, 12500]);
    expect(parseAmount('abc')).toBeNaN();
    expect(parseOrderTime('2026-11-27', 'Europe/Moscow')).toBe('2026-11-26T21:00:00.000Z');
    expect(parseOrderTime('2026-11-27T14:30:00+03:00', 'UTC')).toBe('2026-11-27T11:30:00.000Z');
    expect(parseOrderTime('31.02.2026', 'UTC')).toBeUndefined();
  });
});
