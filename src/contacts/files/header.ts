import { AppError } from '../../common/errors.js';

/** Digits with the usual phone punctuation, at least 7 digits: a phone number, not a column name. */
const PHONE_LIKE = /^\+?[\d\s().-]+$/;
const EMAIL_LIKE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE_LIKE = /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/;

function looksLikeData(cell: string): boolean {
  if (PHONE_LIKE.test(cell) && cell.replace(/\D/g, '').length >= 7) return true;
  return EMAIL_LIKE.test(cell) || DATE_LIKE.test(cell);
}

/**
 * Validates the first non-empty row as column names. Trailing empty header cells are dropped: Excel
 * exports often end every line with spare delimiters. A first row holding phone numbers, e-mails or
 * dates means the file has no header row, and guessing the columns would import garbage.
 */
export function checkHeader(cells: string[], row: number, path: string): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === '') end -= 1;
  const headers = cells.slice(0, end);
  const dataLike = headers.find(looksLikeData);
  if (dataLike !== undefined) {
    throw new AppError('FILE_UNREADABLE', `${path} has no header row: row ${row} holds data ("${dataLike}"), not column names`, {
      hint: 'Insert a first row with column names such as Phone, First name, City (Телефон, Имя, Город) and import again.',
    });
  }
  return headers;
}

export function noHeaderError(path: string): AppError {
  return new AppError('FILE_UNREADABLE', `${path} has no header row: it contains only empty lines`, {
    hint: 'The first row must hold column names (e.g. Phone, Name), the rows below the contacts.',
  });
}

/** Pads a row to the header width; extra cells are kept so nothing the user typed is lost. */
export function padCells(cells: string[], width: number): string[] {
  while (cells.length < width) cells.push('');
  return cells;
}

export function isEmptyRow(cells: string[]): boolean {
  return cells.every((cell) => cell === '');
}

/** Wraps a one-shot generator so a second `for await` fails loudly instead of silently yielding nothing. */
export function iterableOnce<T>(source: AsyncGenerator<T>): AsyncIterable<T> {
  let used = false;
  return {
    [Symbol.asyncIterator]() {
      if (used) throw new AppError('INTERNAL', 'Sheet rows can be read only once; open the file again to re-read it.');
      used = true;
      return source;
    },
  };
}
