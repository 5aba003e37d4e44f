import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSheet } from '../../../src/contacts/files/index.js';
import type { Sheet, SheetRow } from '../../../src/contacts/files/index.js';
import { cellText } from '../../../src/contacts/files/read-xlsx.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function collect(sheet: Sheet): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  for await (const row of sheet.rows) rows.push(row);
  return rows;
}

const contactsFile = path.join(dir, 'contacts.xlsx');

beforeAll(async () => {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Клиенты');
  sheet.addRow(['Телефон', 'Имя', 'Дата рождения', 'Баланс', 'VIP', 'Сайт', 'Итого']);
  sheet.addRow([79123456789, 'Иван', new Date(Date.UTC(1990, 4, 17)), 1500.5, true, { text: 'example.ru', hyperlink: 'https://example.ru' }, { formula: 'D2*2', result: 3001 }]);
  sheet.getCell('C2').numFmt = 'dd.mm.yyyy';
  // Row 3 left empty on purpose: Excel row numbers must survive the gap.
  sheet.getRow(4).values = ['+7 (903) 123-45-67', { richText: [{ text: 'Ан' }, { text: 'на', font: { bold: true } }] }, 45000, 0.1 + 0.2, false];
  sheet.getRow(5).values = ['  +79990000000  ', 'Short'];
  workbook.addWorksheet('Second').addRow(['not', 'read']);
  await workbook.xlsx.writeFile(contactsFile);
});

describe('openSheet (XLSX)', () => {
  it('streams the first worksheet with Excel row numbers and readable cell text', async () => {
    const sheet = await openSheet(contactsFile);
    expect(sheet.format).toBe('xlsx');
    expect(sheet.encoding).toBeUndefined();
    expect(sheet.headers).toEqual(['Телефон', 'Имя', 'Дата рождения', 'Баланс', 'VIP', 'Сайт', 'Итого']);
    const rows = await collect(sheet);
    expect(rows).toEqual([
      { row: 2, cells: ['79123456789', 'Иван', '1990-05-17', '1500.5', 'true', 'example.ru', '3001'] },
      // A raw number in the date column stays a number: parseDateCell turns serials into dates.
      { row: 4, cells: ['+7 (903) 123-45-67', 'Анна', '45000', '0.3', 'false', '', ''] },
      { row: 5, cells: ['+79990000000', 'Short', '', '', '', '', ''] },
    ]);
    expect(sheet.progress().done).toBe(sheet.progress().total);
    expect(sheet.progress().total).toBe(fs.statSync(contactsFile).size);
  });

  it('can stop early and close', async () => {
    const sheet = await openSheet(contactsFile);
    for await (const row of sheet.rows) {
      expect(row.row).toBe(2);
      break;
    }
    await sheet.close?.();
  });

  it('rejects a workbook whose first sheet is empty', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Empty');
    const file = path.join(dir, 'empty-sheet.xlsx');
    await workbook.xlsx.writeFile(file);
    await expect(openSheet(file)).rejects.toMatchObject({ code: 'FILE_UNREADABLE', message: expect.stringMatching(/no header row/) });
  });

  it('rejects a first row of phone numbers as a missing header', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Data').addRow([79123456789, 'Иван']);
    const file = path.join(dir, 'no-header.xlsx');
    await workbook.xlsx.writeFile(file);
    await expect(openSheet(file)).rejects.toMatchObject({ code: 'FILE_UNREADABLE', hint: expect.stringMatching(/column names/) });
  });

  it('rejects a corrupt workbook with a hint', async () => {
    const file = path.join(dir, 'broken.xlsx');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]));
    await expect(openSheet(file)).rejects.toMatchObject({ code: 'FILE_UNREADABLE', hint: expect.stringMatching(/Save|save/) });
  });
});

describe('cellText', () => {
  it('turns every ExcelJS value kind into the text the user sees', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(79123456789012)).toBe('79123456789012');
    expect(cellText(1e21)).toBe('1000000000000000000000');
    expect(cellText(new Date(Date.UTC(2000, 1, 29, 23, 59)))).toBe('2000-02-29');
    expect(cellText({ formula: 'A1', result: new Date(Date.UTC(2024, 0, 2)) })).toBe('2024-01-02');
    expect(cellText({ sharedFormula: 'A1', result: 'x' })).toBe('x');
    expect(cellText({ formula: 'A1' })).toBe('');
    expect(cellText({ error: '#N/A' })).toBe('#N/A');
    expect(cellText({ text: 'site', hyperlink: 'https://x' })).toBe('site');
  });
});
