import { createReadStream } from 'node:fs';
import ExcelJS from 'exceljs';
import type { CellValue, Row } from 'exceljs';
import { AppError, isAppError } from '../../common/errors.js';
import { checkHeader, isEmptyRow, iterableOnce, noHeaderError, padCells } from './header.js';
import type { Sheet, SheetRow } from './sheet.js';

type RowIterator = AsyncIterator<Row>;

/**
 * Streams the first worksheet of an .xlsx file. `styles: 'cache'` is needed: without the number formats
 * ExcelJS cannot tell a date cell from a number. Worksheets are taken in the order the zip stores them,
 * which is sheet order for files written by Excel and ExcelJS.
 */
export async function readXlsx(path: string, size: number): Promise<Sheet> {
  const file = createReadStream(path);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const sheets = reader[Symbol.asyncIterator]();
  const close = async (): Promise<void> => {
    file.destroy();
    // The zip parser may be mid-entry; its cleanup error is irrelevant once the caller is done.
    await sheets.return(undefined).catch(() => undefined);
  };
  try {
    const rowIterator = await firstWorksheet(sheets, path);
    const header = await nextNonEmptyRow(rowIterator);
    if (header === undefined) throw noHeaderError(path);
    const headers = checkHeader(header.cells, header.row, path);
    return {
      format: 'xlsx',
      headers,
      rows: iterableOnce(streamRows(rowIterator, headers.length, path, close)),
      progress: () => ({ done: Math.min(file.bytesRead, size), total: size }),
      close,
    };
  } catch (error) {
    await close();
    throw wrapXlsxError(error, path);
  }
}

async function firstWorksheet(sheets: AsyncIterator<ExcelJS.stream.xlsx.WorksheetReader>, path: string): Promise<RowIterator> {
  const first = await sheets.next();
  if (first.done) {
    throw new AppError('FILE_UNREADABLE', `${path} contains no worksheet`, { hint: 'Open it in Excel, check that the list is on the first sheet and save it again.' });
  }
  return first.value[Symbol.asyncIterator]();
}

async function nextNonEmptyRow(rows: RowIterator): Promise<SheetRow | undefined> {
  for (;;) {
    const next = await rows.next();
    if (next.done) return undefined;
    const cells = rowCells(next.value);
    if (!isEmptyRow(cells)) return { row: next.value.number, cells };
  }
}

async function* streamRows(rows: RowIterator, width: number, path: string, close: () => Promise<void>): AsyncGenerator<SheetRow> {
  try {
    for (let row = await nextNonEmptyRow(rows); row !== undefined; row = await nextNonEmptyRow(rows)) {
      yield { row: row.row, cells: padCells(row.cells, width) };
    }
  } catch (error) {
    throw wrapXlsxError(error, path);
  } finally {
    // Only the first worksheet is read: stop the zip stream instead of inflating the other sheets.
    await close();
  }
}

/** `row.values` is 1-based and sparse (index 0 and skipped cells are holes). */
function rowCells(row: Row): string[] {
  const values = row.values as CellValue[];
  const cells: string[] = [];
  for (let i = 1; i < values.length; i += 1) cells.push(cellText(values[i]).trim());
  return cells;
}

/** What the user sees in the cell, as import input: dates as YYYY-MM-DD, formulas as their result. */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('hyperlink' in value) return cellText(value.text as CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result as CellValue);
  if ('error' in value) return value.error;
  return '';
}

/** Plain digits, never exponent notation: phone numbers are often stored as numbers. */
function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value)) return BigInt(value).toString();
  // Excel shows 15 significant digits; this drops binary noise such as 0.30000000000000004.
  return String(Number(value.toPrecision(15)));
}

/** Excel dates carry no zone; ExcelJS builds them at UTC midnight, so the UTC parts are the written date. */
function dateText(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

function wrapXlsxError(error: unknown, path: string): AppError {
  if (isAppError(error)) return error;
  return new AppError('FILE_UNREADABLE', `Cannot read ${path} as an Excel workbook: ${(error as Error).message}`, {
    hint: 'Open the file in Excel and save it again as "Excel Workbook (*.xlsx)", or export it as "CSV UTF-8".',
    cause: error,
  });
}
