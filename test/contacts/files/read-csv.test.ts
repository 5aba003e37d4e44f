import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { openSheet } from '../../../src/contacts/files/index.js';
import type { Sheet, SheetRow } from '../../../src/contacts/files/index.js';
import { detectDelimiter, detectEncoding, headerLine } from '../../../src/contacts/files/read-csv.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function collect(sheet: Sheet): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  for await (const row of sheet.rows) rows.push(row);
  return rows;
}

describe('openSheet (CSV)', () => {
  it('reads a Windows-1251 export with Russian headers and ";" delimiters', async () => {
    const text = 'Телефон;Имя;Город;Интересы\r\n+79123456789;Пётр;Москва;рыбалка, футбол\r\n89031234567;Анна;Санкт-Петербург;\r\n';
    const file = write('win1251.csv', iconv.encode(text, 'win1251'));
    const sheet = await openSheet(file);
    expect(sheet.format).toBe('csv');
    expect(sheet.encoding).toBe('windows-1251');
    expect(sheet.delimiter).toBe(';');
    expect(sheet.headers).toEqual(['Телефон', 'Имя', 'Город', 'Интересы']);
    expect(await collect(sheet)).toEqual([
      { row: 2, cells: ['+79123456789', 'Пётр', 'Москва', 'рыбалка, футбол'] },
      { row: 3, cells: ['89031234567', 'Анна', 'Санкт-Петербург', ''] },
    ]);
  });

  it('honours an explicit encoding over the sniffed one', async () => {
    const file = write('forced.csv', iconv.encode('Имя,Телефон\nЮля,+79990000000\n', 'win1251'));
    const sheet = await openSheet(file, { encoding: 'utf-8' });
    expect(sheet.encoding).toBe('utf-8');
    expect(sheet.headers[0]).not.toBe('Имя');
    await sheet.close?.();
  });

  it('strips a UTF-8 BOM so the first header is clean', async () => {
    const file = write('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('phone,name\n+79123456789,Иван\n')]));
    const sheet = await openSheet(file);
    expect(sheet.encoding).toBe('utf-8');
    expect(sheet.headers).toEqual(['phone', 'name']);
    expect(sheet.headers[0]?.charCodeAt(0)).toBe('p'.charCodeAt(0));
    expect(await collect(sheet)).toEqual([{ row: 2, cells: ['+79123456789', 'Иван'] }]);
  });

  it('keeps Cyrillic cells whole across read chunks, whatever byte a chunk ends on', async () => {
    // ~300 KB of two-byte characters at odd offsets: the 64 KB read chunks end inside characters.
    const rows = Array.from({ length: 4000 }, (_, i) => [`+7912${String(i).padStart(7, '0')}`, `Ё${'ж'.repeat(i % 37)}`, 'Санкт-Петербург, "центр"']);
    const file = write('long.csv', `phone,name,city\n${rows.map(([phone, name, city]) => `${phone},${name},"${(city as string).replace(/"/g, '""')}"`).join('\n')}\n`);
    const sheet = await openSheet(file);
    expect((await collect(sheet)).map((row) => row.cells)).toEqual(rows);
  });

  it('detects tab delimiters in a .tsv file', async () => {
    const file = write('list.tsv', 'phone\tname\tcity, region\n+79123456789\tIvan\tKazan, Tatarstan\n');
    const sheet = await openSheet(file);
    expect(sheet.delimiter).toBe('\t');
    expect(sheet.headers).toEqual(['phone', 'name', 'city, region']);
    expect(await collect(sheet)).toEqual([{ row: 2, cells: ['+79123456789', 'Ivan', 'Kazan, Tatarstan'] }]);
  });

  it('keeps quoted newlines and doubled quotes in one row and numbers later rows like Excel', async () => {
    const text = [
      'phone,company,note',
      '+79000000001,"ООО ""Ромашка""","line one',
      'line two',
      'line three"',
      '+79000000002,Plain,x',
      '',
      '+79000000003,  Spaced  ,y',
    ].join('\n');
    const sheet = await openSheet(write('quoted.csv', text));
    expect(sheet.delimiter).toBe(',');
    const rows = await collect(sheet);
    expect(rows).toEqual([
      { row: 2, cells: ['+79000000001', 'ООО "Ромашка"', 'line one\nline two\nline three'] },
      { row: 3, cells: ['+79000000002', 'Plain', 'x'] },
      // The empty line is row 4 in Excel: it is skipped but still counted.
      { row: 5, cells: ['+79000000003', 'Spaced', 'y'] },
    ]);
  });

  it('pads short rows, keeps extra cells and skips rows of empty cells', async () => {
    const text = 'phone;name;city\n+79000000001\n;;\n+79000000002;Ann;Omsk;extra\n   \n+79000000003;Bob;Tver\n';
    const rows = await collect(await openSheet(write('ragged.csv', text)));
    expect(rows).toEqual([
      { row: 2, cells: ['+79000000001', '', ''] },
      { row: 4, cells: ['+79000000002', 'Ann', 'Omsk', 'extra'] },
      { row: 6, cells: ['+79000000003', 'Bob', 'Tver'] },
    ]);
  });

  it('tolerates stray quotes inside cells', async () => {
    const text = 'phone,name\n+79000000001,"Ann"ie\n+79000000002,O"Brien\n+79000000003,Zed\n';
    const rows = await collect(await openSheet(write('stray.csv', text)));
    expect(rows.map((r) => r.row)).toEqual([2, 3, 4]);
    expect(rows[1]?.cells[1]).toBe('O"Brien');
    expect(rows[2]?.cells).toEqual(['+79000000003', 'Zed']);
  });

  it('reports a quote left open at the end as an error row instead of failing', async () => {
    const text = 'phone,name\n+79000000001,Ann\n+79000000002,"Bob\n+79000000003,Cid\n';
    const rows = await collect(await openSheet(write('open-quote.csv', text)));
    expect(rows[0]).toEqual({ row: 2, cells: ['+79000000001', 'Ann'] });
    expect(rows[1]?.row).toBe(3);
    expect(rows[1]?.cells).toEqual([]);
    expect(rows[1]?.error).toMatch(/never closed/);
    expect(rows).toHaveLength(2);
  });

  it('fails with the row number when an unclosed quote swallows the rest of a large file', async () => {
    const body = Array.from({ length: 60_000 }, (_, i) => `+7900${String(i).padStart(7, '0')},Name ${i}`).join('\n');
    const sheet = await openSheet(write('runaway.csv', `phone,name\n+79000000000,ok\n+79000000001,"oops\n${body}\n`));
    await expect(collect(sheet)).rejects.toMatchObject({ code: 'FILE_UNREADABLE', details: { row: 3 }, message: expect.stringContaining('never closed') });
  });

  it('skips blank lines before the header and reports progress up to the file size', async () => {
    const text = '\n\nphone,name\n+79000000001,Ann\n';
    const file = write('leading-blank.csv', text);
    const sheet = await openSheet(file);
    expect(sheet.headers).toEqual(['phone', 'name']);
    const rows = await collect(sheet);
    expect(rows).toEqual([{ row: 4, cells: ['+79000000001', 'Ann'] }]);
    expect(sheet.progress()).toEqual({ done: Buffer.byteLength(text), total: Buffer.byteLength(text) });
  });

  it('drops trailing empty header cells left by Excel', async () => {
    const sheet = await openSheet(write('trailing.csv', 'phone;name;;\n+79000000001;Ann;;\n'));
    expect(sheet.headers).toEqual(['phone', 'name']);
    expect(await collect(sheet)).toEqual([{ row: 2, cells: ['+79000000001', 'Ann', '', ''] }]);
  });

  it('lets rows be read only once', async () => {
    const sheet = await openSheet(write('once.csv', 'phone\n+79000000001\n'));
    expect(await collect(sheet)).toHaveLength(1);
    await expect(collect(sheet)).rejects.toThrow(/only once/);
  });

  it('streams: breaking out early releases the file without reading it all', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `+7900${String(i).padStart(7, '0')},Name ${i}`);
    const file = write('big.csv', `phone,name\n${lines.join('\n')}\n`);
    const sheet = await openSheet(file);
    let seen = 0;
    for await (const row of sheet.rows) {
      seen += 1;
      if (row.row === 11) break;
    }
    expect(seen).toBe(10);
    const { done, total } = sheet.progress();
    expect(done).toBeLessThan(total);
  });
});

describe('CSV sniffing helpers', () => {
  it('picks the delimiter that splits the header into most fields, outside quotes', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a\tb\tc,d')).toBe('\t');
    expect(detectDelimiter('"Фамилия, Имя";Телефон;Город')).toBe(';');
    expect(detectDelimiter('a,b;c')).toBe(',');
    expect(detectDelimiter('phone')).toBe(',');
  });

  it('finds the header line past blank lines and quoted newlines', () => {
    expect(headerLine('\r\n\r\n"a\nb",c\r\n1,2')).toBe('"a\nb",c');
    expect(headerLine('\tphone\tname\n1\t2')).toBe('\tphone\tname');
    expect(headerLine('   \n')).toBe('');
  });

  it('tells UTF-8 from Windows-1251', () => {
    expect(detectEncoding(Buffer.from('Телефон;Имя'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('phone,name'))).toBe('utf-8');
    expect(detectEncoding(iconv.encode('Телефон;Имя', 'win1251'))).toBe('windows-1251');
  });
});
