import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import type { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import type { CsvError, Parser } from 'csv-parse';
import iconv from 'iconv-lite';
import { AppError, isAppError } from '../../common/errors.js';
import { checkHeader, isEmptyRow, iterableOnce, noHeaderError, padCells } from './header.js';
import { PlainCsv } from './plain-csv.js';
import type { Sheet, SheetEncoding, SheetRow } from './sheet.js';

/** Enough to hold the header line and to judge the encoding of a typical export. */
const SNIFF_BYTES = 64 * 1024;
/** Candidates in tie-break order: a tie goes to the comma. */
const DELIMITERS = [',', ';', '\t'] as const;
/**
 * csv-parse buffers a record without limit by default, so one unclosed quote would pull the whole rest
 * of the file into memory. Excel caps a cell at 32,767 characters; a million per record leaves room for
 * wide rows while keeping memory bounded.
 */
const MAX_RECORD_CHARS = 1_000_000;
const ICONV_NAMES = { 'utf-8': 'utf8', 'windows-1251': 'win1251' } as const;

/** Streams a CSV file: sniffs encoding and delimiter, reads the header, then yields rows on demand. */
export async function readCsv(path: string, size: number, encodingOption: 'auto' | SheetEncoding): Promise<Sheet> {
  const sample = await readSample(path);
  rejectUtf16(sample, path);
  const encoding = encodingOption === 'auto' ? detectEncoding(sample) : encodingOption;
  const delimiter = detectDelimiter(headerLine(iconv.decode(sample, ICONV_NAMES[encoding])));

  const file = createReadStream(path);
  // iconv-lite's decoder is a Transform that pushes strings.
  const decoded = iconv.decodeStream(ICONV_NAMES[encoding]) as unknown as Transform;
  // Errors from any stage destroy the decoder, so they surface in the `for await` of the rows.
  pipeline(file, decoded, () => undefined);
  const source = csvRecords(decoded, delimiter, (records) => failureLog(path, records));
  const records = numberRows(source.records, source.failures);
  const close = async (): Promise<void> => {
    await records.return(undefined);
    source.destroy();
    decoded.destroy();
    file.destroy();
  };
  const first = await nextHeader(records, path, close);
  const headers = checkHeaderOrClose(first, path, close);
  const rows = streamRows(records, headers.length, path, first.row);
  return {
    format: 'csv',
    headers,
    encoding,
    delimiter,
    rows: iterableOnce(rows),
    progress: () => ({ done: Math.min(file.bytesRead, size), total: size }),
    close,
  };
}

/** csv-parse's options: every record outside PlainCsv's subset is read by it. */
function csvParser(delimiter: string, onSkip: (error: CsvError | undefined) => undefined, recordDelimiter: string): Parser {
  return parse({
    delimiter,
    // PlainCsv took the BOM (the decoder strips one, and csv-parse's `bom` a second, as PlainCsv does).
    bom: false,
    ...(recordDelimiter === '' ? {} : { record_delimiter: recordDelimiter }),
    relax_column_count: true,
    relax_quotes: true,
    // Only ltrim: `trim`/`rtrim` make csv-parse reject `"a"b` and, with skip_records_with_error, silently drop
    // the rest of the file. Cells are trimmed after parsing instead.
    ltrim: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
    on_skip: onSkip,
  });
}

/**
 * The file's records: PlainCsv reads them while they are plain (most exports, all the way), and
 * csv-parse from the first record that is not, to the end, told the line break PlainCsv learnt.
 */
export function csvRecords<F extends { onSkip(error: CsvError | undefined): undefined }>(decoded: AsyncIterable<string>, delimiter: string, makeFailures: (recordsSoFar: () => number) => F) {
  let plainRecords = 0;
  let parser: Parser | undefined;
  const failures = makeFailures(() => plainRecords + (parser?.info.records ?? 0));
  async function* read(): AsyncGenerator<string[]> {
    // MAX_RECORD_CHARS counts bytes: a UTF-16 unit is at most 3 bytes of UTF-8.
    const plain = new PlainCsv(delimiter, Math.floor(MAX_RECORD_CHARS / 3));
    const chunks = decoded[Symbol.asyncIterator]();
    let text = '';
    let started = false;
    for (;;) {
      const next = await chunks.next();
      const eof = next.done === true;
      if (!eof) text += next.value as string;
      if (!started && (text.length > 0 || eof)) {
        started = true;
        // What csv-parse's `bom` option strips.
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      const chunk = plain.read(text, eof);
      text = text.slice(chunk.consumed);
      for (const record of chunk.records) {
        plainRecords += 1;
        yield record;
      }
      if (chunk.stop) break;
      if (eof) return;
    }
    const rest = text;
    parser = csvParser(delimiter, failures.onSkip, plain.recordDelimiter);
    const feed = Readable.from(
      (async function* () {
        if (rest !== '') yield rest;
        for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) yield next.value as string;
      })(),
    );
    pipeline(feed, parser, () => undefined);
    yield* parser as AsyncIterable<string[]>;
  }
  return { records: read(), failures, destroy: () => parser?.destroy() };
}

interface Failure {
  /** How many records csv-parse had emitted before this one failed. */
  after: number;
  error: string;
}

/** Collects records csv-parse skipped (at parse time, ahead of the consumer) so they can be reported in order. */
function failureLog(path: string, recordsSoFar: () => number) {
  const pending: Failure[] = [];
  let count = 0;
  return {
    pending,
    onSkip(error: CsvError | undefined): undefined {
      const row = recordsSoFar() + count + 1;
      if (error?.code === 'CSV_MAX_RECORD_SIZE') {
        // An unclosed quote swallows everything after it; csv-parse cannot resynchronise, so stop loudly.
        throw new AppError('FILE_UNREADABLE', `${path}: a quoted cell starting in row ${row} is never closed, so the rest of the file cannot be read`, {
          hint: `Fix the stray double quote (") in row ${row}, or re-export the file from Excel.`,
          details: { row },
        });
      }
      count += 1;
      pending.push({ after: recordsSoFar(), error: describeCsvError(error) });
      return undefined;
    },
  };
}

/**
 * Numbers rows one per CSV record, so they match Excel's row numbers: a quoted multi-line record is one
 * row, and empty lines count even though they are not yielded. csv-parse's `skip_empty_lines` is not used
 * because its record counter would then leave them out. Numbering happens here rather than in csv-parse's
 * `on_record` hook, which builds an info object per record and halves throughput.
 */
async function* numberRows(records: AsyncIterable<string[]>, failures: { pending: Failure[] }): AsyncGenerator<SheetRow> {
  const { pending } = failures;
  let row = 0;
  let seen = 0;
  for await (const record of records) {
    while (pending[0] !== undefined && pending[0].after <= seen) {
      row += 1;
      yield { row, cells: [], error: (pending.shift() as Failure).error };
    }
    seen += 1;
    row += 1;
    const cells = record.map((cell) => cell.trim());
    if (!isEmptyRow(cells)) yield { row, cells };
  }
  for (const failure of pending.splice(0)) {
    row += 1;
    yield { row, cells: [], error: failure.error };
  }
}

function describeCsvError(error: CsvError | undefined): string {
  if (error?.code === 'CSV_QUOTE_NOT_CLOSED') {
    return 'a quoted cell in this row is never closed; the rest of the file was read into it';
  }
  return `the row could not be parsed${error ? `: ${error.message}` : ''}`;
}

async function nextHeader(records: AsyncGenerator<SheetRow>, path: string, close: () => Promise<void>): Promise<SheetRow> {
  let first: IteratorResult<SheetRow>;
  try {
    first = await records.next();
  } catch (error) {
    await close();
    throw wrapReadError(error, path, 0);
  }
  if (first.done) {
    await close();
    throw noHeaderError(path);
  }
  return first.value;
}

function checkHeaderOrClose(first: SheetRow, path: string, close: () => Promise<void>): string[] {
  try {
    if (first.error !== undefined) {
      throw new AppError('FILE_UNREADABLE', `${path}: the header row (row ${first.row}) cannot be read: ${first.error}`, {
        hint: 'Check the quotes in the first row, or re-export the file from Excel.',
      });
    }
    return checkHeader(first.cells, first.row, path);
  } catch (error) {
    void close();
    throw error;
  }
}

async function* streamRows(records: AsyncGenerator<SheetRow>, width: number, path: string, headerRow: number): AsyncGenerator<SheetRow> {
  let last = headerRow;
  try {
    for await (const item of records) {
      last = item.row;
      yield item.error === undefined ? { row: item.row, cells: padCells(item.cells, width) } : item;
    }
  } catch (error) {
    throw wrapReadError(error, path, last);
  }
}

function wrapReadError(error: unknown, path: string, lastRow: number): AppError {
  if (isAppError(error)) return error;
  const where = lastRow > 0 ? ` after row ${lastRow}` : '';
  return new AppError('FILE_UNREADABLE', `Reading ${path} failed${where}: ${(error as Error).message}`, {
    hint: 'Check that the file is a complete CSV export and try again.',
    cause: error,
  });
}

async function readSample(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Excel's "Unicode Text" export is UTF-16; decoding it as UTF-8 would turn every cell into noise. */
function rejectUtf16(sample: Buffer, path: string): void {
  const bom = sample.subarray(0, 2).toString('hex');
  if (bom === 'fffe' || bom === 'feff') {
    throw new AppError('FILE_UNREADABLE', `${path} is a UTF-16 text file, which is not supported`, {
      hint: 'In Excel use "Save As" → "CSV UTF-8 (Comma delimited)" or "Excel Workbook (*.xlsx)".',
    });
  }
}

/**
 * Valid UTF-8 (BOM or not; plain ASCII included) → UTF-8, anything else → Windows-1251, the encoding of
 * Russian Excel's "CSV (разделители — запятые)". Only the first 64 KB are judged, so a cp1251 file whose
 * first 64 KB are pure ASCII is read as UTF-8; pass the encoding explicitly for such files.
 */
export function detectEncoding(sample: Buffer): SheetEncoding {
  try {
    // `stream: true` when the sample is cut: a multi-byte character split at the cut is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: sample.length === SNIFF_BYTES });
    return 'utf-8';
  } catch {
    return 'windows-1251';
  }
}

/** The first non-blank line, up to a newline outside quotes (a quoted header cell may hold a newline). */
export function headerLine(text: string): string {
  const firstVisible = text.search(/[^\s\uFEFF]/);
  if (firstVisible < 0) return '';
  // Start at the beginning of that line, so a leading delimiter (empty first header cell) still counts.
  const start = Math.max(text.lastIndexOf('\n', firstVisible), text.lastIndexOf('\r', firstVisible), text.startsWith('\uFEFF') ? 0 : -1) + 1;
  let inQuotes = false;
  for (let i = start; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) return text.slice(start, i);
  }
  return text.slice(start);
}

/** The candidate that splits the header into most fields, counted outside quotes; ties → ','. */
export function detectDelimiter(line: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  for (const ch of line) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: string = DELIMITERS[0];
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}
