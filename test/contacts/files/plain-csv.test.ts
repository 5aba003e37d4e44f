import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvRecords } from '../../../src/contacts/files/read-csv.js';

/** What csv-parse alone made of a text, with the options the reader gives it: the reference. */
function reference(text: string, delimiter: string): { records: string[][]; skipped: number } {
  let skipped = 0;
  const records = parse(text, {
    delimiter, bom: true, relax_column_count: true, relax_quotes: true, ltrim: true, skip_records_with_error: true, max_record_size: 1_000_000,
    on_skip: () => {
      skipped += 1;
      return undefined;
    },
  }) as string[][];
  return { records, skipped };
}

/** The reader's records for the same text, fed in the given pieces (as a decoder hands them over). */
async function read(pieces: string[], delimiter: string): Promise<{ records: string[][]; skipped: number }> {
  let skipped = 0;
  const source = csvRecords(Readable.from(pieces), delimiter, () => ({
    onSkip: () => {
      skipped += 1;
      return undefined;
    },
  }));
  const records: string[][] = [];
  for await (const record of source.records) records.push(record);
  return { records, skipped };
}

/** Cells as the reader hands them on (trimmed): csv-parse's ltrim and the reader's trim agree on that. */
const trimmed = (records: string[][]): string[][] => records.map((record) => record.map((cell) => cell.trim()));

const SEEDS = Number(process.env.CSV_FUZZ_SEEDS ?? 300);

/** A small deterministic generator, so a failure names a case that can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

describe('CSV records: the plain reader and csv-parse agree', () => {
  it('on random texts of cells, quotes, delimiters and every kind of line break, cut anywhere', async () => {
    const tokens = ['a', 'bc', 'ж', ' ', '\t', '"', '""', '"x"', ',', ';', '\n', '\r\n', '\r', '\u00a0'];
    for (let seed = 1; seed <= SEEDS; seed += 1) {
      const next = random(seed);
      // Mostly well-formed lines, so both the plain path and the hand-over get exercised.
      const plainLines = Math.floor(next() * 4);
      let text = '';
      for (let i = 0; i < plainLines; i += 1) text += `p${i},"q ${i}",r\n`;
      const length = Math.floor(next() * 30);
      for (let i = 0; i < length; i += 1) text += tokens[Math.floor(next() * tokens.length)];
      const delimiter = next() < 0.5 ? ',' : ';';
      const pieces: string[] = [];
      for (let at = 0; at < text.length; ) {
        const size = 1 + Math.floor(next() * 6);
        pieces.push(text.slice(at, at + size));
        at += size;
      }
      const expected = reference(text, delimiter);
      const actual = await read(pieces, delimiter);
      expect({ records: trimmed(actual.records), skipped: actual.skipped }, `seed ${seed}: ${JSON.stringify(text)}`).toEqual({ records: trimmed(expected.records), skipped: expected.skipped });
    }
  });

  it('on typical exports: CR LF lines, quoted cells with delimiters, quotes and line breaks, a BOM, tabs', async () => {
    const texts: Array<[string, string]> = [
      ['\ufeffТелефон;Имя\r\n+79123456789;"Иванов; Иван"\r\n89031234567;"Анна ""Аня"""\r\n', ';'],
      ['phone,note\n+79123456789,"line one\nline two"\n\n+79031234567,\n', ','],
      ['phone\tname\n+79123456789\tIvan\n \t \n', '\t'],
      ['"phone","name"\n"+79123456789","Ivan"\n"+79031234567","Anna"', ','],
      ['phone,name\r+79123456789,Ivan\r', ','],
      ['phone,name\n+79123456789,5" screen\n+79031234567,"a"b\n+79031234568,ok\n', ','],
      ['phone,name\n+79123456789, "spaced"\n+79031234567,"open\n', ','],
    ];
    for (const [text, delimiter] of texts) {
      const expected = reference(text, delimiter);
      for (const size of [1, 3, 1 << 16]) {
        const pieces = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
        const actual = await read(pieces, delimiter);
        expect({ records: trimmed(actual.records), skipped: actual.skipped }, `${JSON.stringify(text)} in pieces of ${size}`).toEqual({ records: trimmed(expected.records), skipped: expected.skipped });
      }
    }
  });
});
