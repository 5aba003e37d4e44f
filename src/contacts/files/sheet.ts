import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { AppError } from '../../common/errors.js';
import { readCsv } from './read-csv.js';
// read-xlsx.js is imported when an .xlsx file is opened: ExcelJS is large, and most imports are CSV.

/**
 * One spreadsheet row. `row` is the 1-based number the user sees in Excel: the header is normally row 1
 * and the first data row 2. A CSV record with quoted newlines is still one row.
 */
export interface SheetRow {
  row: number;
  cells: string[];
  /**
   * Set when the row could not be parsed (CSV only: e.g. a quote that is never closed); `cells` is then
   * empty. The row is reported instead of dropped so the import can name it and carry on.
   */
  error?: string;
}

export type SheetFormat = 'csv' | 'xlsx';
export type SheetEncoding = 'utf-8' | 'windows-1251';

export interface Sheet {
  format: SheetFormat;
  headers: string[];
  encoding?: SheetEncoding;
  delimiter?: string;
  /** Data rows after the header, streamed; fully empty rows are skipped. Iterable once. */
  rows: AsyncIterable<SheetRow>;
  /** Bytes read vs file size, for a progress bar. */
  progress(): { done: number; total: number };
  /**
   * Releases the file when the rows are not read to the end (iterating to the end, or breaking out of
   * the loop, releases it too). Optional so plain fakes of `Sheet` stay valid.
   */
  close?(): Promise<void>;
}

export interface OpenSheetOptions {
  format?: SheetFormat;
  encoding?: 'auto' | SheetEncoding;
}

const EXTENSIONS: Record<string, SheetFormat> = { '.csv': 'csv', '.txt': 'csv', '.tsv': 'csv', '.xlsx': 'xlsx' };

/** Opens a CSV or XLSX contact list, reads its header row and returns a streaming view of the rest. */
export async function openSheet(path: string, options: OpenSheetOptions = {}): Promise<Sheet> {
  const format = options.format ?? formatFromExtension(path);
  const size = await fileSize(path);
  const magic = await readMagic(path);
  if (format === 'csv') {
    if (magic.startsWith('504b0304')) {
      throw new AppError('FILE_UNREADABLE', `${path} is an Excel workbook (.xlsx), not a CSV file`, {
        hint: 'Rename it to .xlsx or pass --format xlsx.',
      });
    }
    return readCsv(path, size, options.encoding ?? 'auto');
  }
  if (!magic.startsWith('504b0304')) {
    throw new AppError('FILE_UNREADABLE', `${path} is not an .xlsx workbook`, {
      hint: 'Old .xls files and password-protected workbooks cannot be read: in Excel use "Save As" → "Excel Workbook (*.xlsx)" without a password, or "CSV UTF-8".',
    });
  }
  return (await import('./read-xlsx.js')).readXlsx(path, size);
}

function formatFromExtension(path: string): SheetFormat {
  const ext = extname(path).toLowerCase();
  const format = EXTENSIONS[ext];
  if (format) return format;
  const hint =
    ext === '.xls'
      ? 'The old .xls format is not supported: in Excel use "Save As" → "Excel Workbook (*.xlsx)" or "CSV UTF-8".'
      : 'Save the list as .xlsx or .csv, or pass --format csv|xlsx if the extension is wrong.';
  throw new AppError('FILE_UNREADABLE', `Cannot import ${ext === '' ? 'a file without an extension' : `"${ext}" files`}: ${path}`, { hint });
}

async function fileSize(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new AppError('FILE_UNREADABLE', `File not found: ${path}`, { hint: 'Check the path and the file name (relative paths start at the current directory).', cause: error });
    }
    throw new AppError('FILE_UNREADABLE', `Cannot open ${path}: ${(error as Error).message}`, { hint: 'Check that the file exists and that you may read it.', cause: error });
  }
  if (!info.isFile()) {
    throw new AppError('FILE_UNREADABLE', `${path} is not a file`, { hint: 'Pass the path of a .csv or .xlsx file, not a folder.' });
  }
  if (info.size === 0) {
    throw new AppError('FILE_UNREADABLE', `${path} is empty`, { hint: 'Export the list again: the first row must hold column names (e.g. Phone, Name), the rows below the contacts.' });
  }
  return info.size;
}

/** The first 4 bytes as hex: a zip (xlsx) starts with PK\x03\x04, whatever the extension says. */
async function readMagic(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return buffer.subarray(0, bytesRead).toString('hex');
  } finally {
    await handle.close();
  }
}
