import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/common/errors.js';
import { openSheet } from '../../../src/contacts/files/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function openError(file: string, options?: Parameters<typeof openSheet>[1]): Promise<AppError> {
  const error: unknown = await openSheet(file, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('openSheet errors', () => {
  it('names a missing file', async () => {
    const error = await openError(path.join(dir, 'nope.csv'));
    expect(error.code).toBe('FILE_UNREADABLE');
    expect(error.message).toContain('File not found');
    expect(error.hint).toMatch(/path/);
  });

  it('rejects an empty file', async () => {
    const error = await openError(write('empty.csv', ''));
    expect(error.code).toBe('FILE_UNREADABLE');
    expect(error.message).toMatch(/is empty/);
    expect(error.hint).toMatch(/column names/);
  });

  it('rejects a file of blank lines as having no header', async () => {
    const error = await openError(write('blank.csv', '\n \r\n;;\n'));
    expect(error.message).toMatch(/no header row/);
  });

  it('rejects a CSV whose first row is data', async () => {
    const error = await openError(write('data-first.csv', '+79123456789;Иван;Москва\n+79031234567;Анна;Омск\n'));
    expect(error.code).toBe('FILE_UNREADABLE');
    expect(error.message).toMatch(/no header row: row 1 holds data/);
    expect(error.hint).toMatch(/Телефон/);
  });

  it('accepts a header-only file with zero rows', async () => {
    const sheet = await openSheet(write('header-only.csv', 'phone,name\n'));
    expect(sheet.headers).toEqual(['phone', 'name']);
    const rows = [];
    for await (const row of sheet.rows) rows.push(row);
    expect(rows).toEqual([]);
  });

  it('refuses unknown and legacy extensions with advice', async () => {
    const xls = await openError(write('old.xls', 'whatever'));
    expect(xls.code).toBe('FILE_UNREADABLE');
    expect(xls.hint).toMatch(/xlsx/);
    const pdf = await openError(write('list.pdf', 'whatever'));
    expect(pdf.message).toContain('".pdf"');
    expect(pdf.hint).toMatch(/--format/);
  });

  it('uses an explicit format over the extension', async () => {
    const sheet = await openSheet(write('export.dat', 'phone;name\n+79000000001;Ann\n'), { format: 'csv' });
    expect(sheet.format).toBe('csv');
    expect(sheet.delimiter).toBe(';');
    await sheet.close?.();
  });

  it('spots an .xlsx saved with a .csv name, and a non-zip .xlsx', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('S').addRow(['phone']);
    const renamed = path.join(dir, 'really-xlsx.csv');
    await workbook.xlsx.writeFile(renamed);
    expect((await openError(renamed)).hint).toMatch(/--format xlsx/);
    const fake = await openError(write('fake.xlsx', 'phone,name\n1,2\n'));
    expect(fake.message).toMatch(/not an \.xlsx workbook/);
  });

  it('refuses UTF-16 text exports', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('phone\tname\n', 'utf16le')]);
    const error = await openError(write('unicode.txt', utf16));
    expect(error.message).toMatch(/UTF-16/);
    expect(error.hint).toMatch(/CSV UTF-8/);
  });

  it('refuses a directory', async () => {
    const folder = path.join(dir, 'folder.csv');
    fs.mkdirSync(folder);
    expect((await openError(folder)).message).toMatch(/not a file/);
  });
});
