import { AppError } from '../common/errors.js';
import { localParts } from '../contacts/timezone.js';
import type { ConversionInput } from './conversion.js';
import { conversionInputSchema } from './conversion.js';

/** A row of an orders file that could not be used, as the contact import reports it. */
export interface RowProblem {
  row: number;
  column?: string;
  reason: string;
  value: string;
}

type Field = 'orderId' | 'phone' | 'contactId' | 'amount' | 'currency' | 'at';

/** Column names (lower case, spaces and punctuation dropped) and the field each one fills. */
const ALIASES: Record<string, Field> = {
  orderid: 'orderId', order: 'orderId', ordernumber: 'orderId', id: 'orderId', заказ: 'orderId', номерзаказа: 'orderId', dealid: 'orderId',
  phone: 'phone', mobile: 'phone', телефон: 'phone', мобильный: 'phone',
  contactid: 'contactId', contact: 'contactId',
  amount: 'amount', total: 'amount', sum: 'amount', revenue: 'amount', сумма: 'amount', итого: 'amount',
  currency: 'currency', валюта: 'currency',
  at: 'at', date: 'at', time: 'at', orderdate: 'at', createdat: 'at', дата: 'at', датазаказа: 'at', closedate: 'at',
};

const key = (header: string): string => header.toLowerCase().replace(/[\s_\-.:#№]/g, '');

/** Which column fills which field; throws when the file cannot hold conversions. */
export function mapOrderColumns(headers: readonly string[]): Map<Field, number> {
  const columns = new Map<Field, number>();
  headers.forEach((header, index) => {
    const field = ALIASES[key(header)];
    if (field && !columns.has(field)) columns.set(field, index);
  });
  const missing = [!columns.has('orderId') && 'an order id (order_id, заказ)', !columns.has('amount') && 'an amount (amount, сумма)', !columns.has('phone') && !columns.has('contactId') && 'a phone or contact_id'].filter(Boolean);
  if (missing.length > 0) {
    throw new AppError('VALIDATION_FAILED', `The file has no column for ${missing.join(', ')} (columns: ${headers.join(', ')}).`, {
      hint: 'Name the columns order_id, phone (or contact_id), amount, and optionally currency and date.',
    });
  }
  return columns;
}

/** "1 990,50", "1,990.50", "1990" → a number; NaN when it is not one. */
export function parseAmount(text: string): number {
  const compact = text.replace(/[\s\u00a0\u202f']/g, '').replace(/[^\d.,-]/g, '');
  if (!/\d/.test(compact)) return Number.NaN;
  const lastComma = compact.lastIndexOf(',');
  const lastDot = compact.lastIndexOf('.');
  const decimal = lastComma > lastDot ? ',' : '.';
  const thousands = decimal === ',' ? '.' : ',';
  const normal = compact.split(thousands).join('').replace(decimal, '.');
  return /^-?\d+(\.\d+)?$/.test(normal) ? Number(normal) : Number.NaN;
}

const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * An order time: ISO 8601 with a zone as is; a date or date-time without one ("27.11.2026 14:30",
 * "2026-11-27") is wall time in `zone`. Undefined when it is neither.
 */
export function parseOrderTime(text: string, zone: string): string | undefined {
  const trimmed = text.trim();
  const dottedMatch = DOTTED.exec(trimmed);
  const local = dottedMatch ?? LOCAL_ISO.exec(trimmed);
  if (!local) {
    const ms = /[zZ]|[+-]\d{2}:?\d{2}$/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
    return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
  }
  const [year, month, day] = dottedMatch ? [Number(local[3]), Number(local[2]), Number(local[1])] : [Number(local[1]), Number(local[2]), Number(local[3])];
  const [hour, minute, second] = [Number(local[4] ?? 0), Number(local[5] ?? 0), Number(local[6] ?? 0)];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23) return undefined;
  // The zone's offset at that moment, found by looking at the wall clock there (twice, across a DST change).
  let instant = wall;
  for (let i = 0; i < 2; i += 1) {
    const p = localParts(new Date(instant), zone);
    instant -= Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - (wall - second * 1000);
  }
  return new Date(instant).toISOString();
}

/**
 * Turns one data row into a conversion, or the problems that stop it (row, column, reason, value).
 * Good rows are kept whatever the bad ones say.
 */
export function rowToConversion(cells: readonly string[], row: number, columns: ReadonlyMap<Field, number>, headers: readonly string[], zone: string): { input?: ConversionInput; problems: RowProblem[] } {
  const cell = (field: Field): string => {
    const index = columns.get(field);
    return index === undefined ? '' : (cells[index] ?? '').trim();
  };
  const column = (field: Field): string => headers[columns.get(field) ?? -1] ?? field;
  const problems: RowProblem[] = [];
  const amount = parseAmount(cell('amount'));
  if (!Number.isFinite(amount) || amount < 0) problems.push({ row, column: column('amount'), reason: 'not an amount of money (0 or more)', value: cell('amount') });
  const at = cell('at') === '' ? undefined : parseOrderTime(cell('at'), zone);
  if (cell('at') !== '' && at === undefined) problems.push({ row, column: column('at'), reason: 'not a date (2026-11-27T14:30:00+03:00, 27.11.2026 14:30 or 2026-11-27)', value: cell('at') });
  if (problems.length > 0) return { problems };
  const parsed = conversionInputSchema.safeParse({
    orderId: cell('orderId'), amount,
    ...(cell('contactId') ? { contactId: cell('contactId') } : {}), ...(cell('phone') ? { phone: cell('phone') } : {}),
    ...(cell('currency') ? { currency: cell('currency') } : {}), ...(at ? { at } : {}),
  });
  if (parsed.success) return { input: parsed.data, problems };
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'orderId') as Field;
    problems.push({ row, column: column(field), reason: issue.message, value: cell(field) });
  }
  return { problems };
}
