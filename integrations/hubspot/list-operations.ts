import type { Condition, FilterNode } from '../../src/segments/filter-types.js';

/** A PROPERTY filter's `operation` (CONTRACTS Part A §1, table of operationType). */
export interface Operation {
  operationType?: unknown;
  operator?: unknown;
  includeObjectsWithNoValueSet?: unknown;
  value?: unknown;
  values?: unknown;
  lowerBound?: unknown;
  upperBound?: unknown;
  timestamp?: unknown;
  year?: unknown;
  month?: unknown;
  day?: unknown;
  numberOfDays?: unknown;
  propertyParser?: unknown;
  timePoint?: unknown;
  lowerBoundTimePoint?: unknown;
  upperBoundTimePoint?: unknown;
}

type Field = Condition['field'];
type Result = FilterNode | string;

const HISTORY = /^HAS_(EVER|NEVER)_/;
const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'];

const not = (node: FilterNode): FilterNode => ({ not: node });
const known = (field: Field): Condition => ({ field, op: 'is_known' });
const unknown = (field: Field): Condition => ({ field, op: 'is_unknown' });

/**
 * One PROPERTY operation as a local condition, or the reason it cannot be one. Negative operators
 * locally match contacts without a value ("not eq" is exactly not eq); HubSpot decides that with
 * `includeObjectsWithNoValueSet`, so the result says it explicitly either way.
 */
export function translateOperation(field: Field, operation: Operation): Result {
  const operator = String(operation.operator);
  if (HISTORY.test(operator)) return 'the history of a value is not kept locally';
  const core = translateCore(field, String(operation.operationType), operator, operation);
  if (typeof core === 'string') return core;
  if (operator === 'IS_KNOWN' || operator === 'IS_UNKNOWN' || operator === 'IS_NOT_KNOWN') return core.node;
  if (operation.includeObjectsWithNoValueSet === true) return { or: [core.node, unknown(field)] };
  return core.negative ? { and: [known(field), core.node] } : core.node;
}

interface Core {
  node: FilterNode;
  /** Matches contacts without a value when left alone. */
  negative: boolean;
}

function translateCore(field: Field, type: string, operator: string, operation: Operation): Core | string {
  switch (type) {
    case 'ALL_PROPERTY':
      if (operator === 'IS_KNOWN') return { node: known(field), negative: false };
      if (operator === 'IS_UNKNOWN' || operator === 'IS_NOT_KNOWN') return { node: unknown(field), negative: true };
      return unsupported(operator);
    case 'STRING':
      return typeof operation.value === 'string' ? text(field, operator, [operation.value]) : 'no string value';
    case 'MULTISTRING':
      return strings(operation.values) ? text(field, operator, operation.values) : 'no string values';
    case 'BOOL':
      if (typeof operation.value !== 'boolean') return 'no boolean value';
      if (operator === 'IS_EQUAL_TO') return { node: { field, op: 'eq', value: String(operation.value) }, negative: false };
      if (operator === 'IS_NOT_EQUAL_TO') return { node: { field, op: 'neq', value: String(operation.value) }, negative: true };
      return unsupported(operator);
    case 'NUMBER':
      return number(field, operator, operation.value);
    case 'NUMBER_RANGED':
      return ranged(field, operator, toNumber(operation.lowerBound), toNumber(operation.upperBound));
    case 'ENUMERATION':
      return enumeration(field, operator, operation.values);
    case 'DATETIME':
      return instant(field, operator, toIso(operation.timestamp));
    case 'DATE':
      return instant(field, operator === 'IS_EQUAL_TO' ? 'IS_ON' : operator, calendarDate(operation));
    case 'RANGED_DATE':
      return ranged(field, operator, toIso(operation.lowerBound), toIso(operation.upperBound));
    case 'ROLLING_DATE_RANGE':
      return rolling(field, operator, operation.numberOfDays);
    case 'TIME_POINT':
    case 'TIME_RANGED':
      return timePoints(field, type, operator, operation);
    default:
      return `the ${type} operation is not supported locally`;
  }
}

function unsupported(operator: string): string {
  return `the ${operator} operator has no exact local equivalent`;
}

function strings(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.trim() !== '');
}

/** STRING and MULTISTRING: a multistring matches when any of its values does (for negatives: none does). */
function text(field: Field, operator: string, values: string[]): Core | string {
  const each = (op: 'eq' | 'contains' | 'starts_with' | 'ends_with'): FilterNode =>
    values.length === 1 ? ({ field, op, value: values[0] as string } as Condition) : { or: values.map((value) => ({ field, op, value }) as Condition) };
  switch (operator) {
    case 'IS_EQUAL_TO':
      return { node: values.length === 1 ? each('eq') : { field, op: 'in', value: values }, negative: false };
    case 'IS_NOT_EQUAL_TO':
      return { node: values.length === 1 ? { field, op: 'neq', value: values[0] as string } : { field, op: 'not_in', value: values }, negative: true };
    case 'CONTAINS':
      return { node: each('contains'), negative: false };
    case 'DOES_NOT_CONTAIN':
      return { node: not(each('contains')), negative: true };
    case 'STARTS_WITH':
      return { node: each('starts_with'), negative: false };
    case 'ENDS_WITH':
      return { node: each('ends_with'), negative: false };
    default:
      return unsupported(operator);
  }
}

function toNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

function number(field: Field, operator: string, raw: unknown): Core | string {
  const value = toNumber(raw);
  if (value === undefined) return 'no numeric value';
  const ops: Record<string, 'gt' | 'gte' | 'lt' | 'lte'> = { IS_GREATER_THAN: 'gt', IS_GREATER_THAN_OR_EQUAL_TO: 'gte', IS_LESS_THAN: 'lt', IS_LESS_THAN_OR_EQUAL_TO: 'lte' };
  const op = ops[operator];
  if (op) return { node: { field, op, value }, negative: false };
  // Numerically equal ("12" = "12.0"), not as text.
  if (operator === 'IS_EQUAL_TO') return { node: { field, op: 'between', value: [value, value] }, negative: false };
  if (operator === 'IS_NOT_EQUAL_TO') return { node: not({ field, op: 'between', value: [value, value] }), negative: true };
  return unsupported(operator);
}

function ranged(field: Field, operator: string, low: number | string | undefined, high: number | string | undefined): Core | string {
  if (low === undefined || high === undefined || typeof low !== typeof high) return 'no usable bounds';
  const between = { field, op: 'between', value: [low, high] } as Condition;
  if (operator === 'IS_BETWEEN') return { node: between, negative: false };
  if (operator === 'IS_NOT_BETWEEN') return { node: not(between), negative: true };
  return unsupported(operator);
}

/** Enumeration values are stored `;`-separated (multiple checkboxes), so any/all are list tests. */
function enumeration(field: Field, operator: string, values: unknown): Core | string {
  if (!strings(values)) return 'no enumeration values';
  switch (operator) {
    case 'IS_ANY_OF':
      return { node: { field, op: 'has_any', value: values }, negative: false };
    case 'IS_NONE_OF':
      return { node: not({ field, op: 'has_any', value: values }), negative: true };
    case 'CONTAINS_ALL':
      return { node: { field, op: 'has_all', value: values }, negative: false };
    case 'DOES_NOT_CONTAIN_ALL':
      return { node: not({ field, op: 'has_all', value: values }), negative: true };
    default:
      return unsupported(operator);
  }
}

/** Epoch milliseconds (or an ISO string) as an ISO instant. */
function toIso(value: unknown): string | undefined {
  const ms = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function calendarDate(operation: Operation): string | undefined {
  const year = toNumber(operation.year);
  const day = toNumber(operation.day);
  const monthName = typeof operation.month === 'string' ? MONTHS.indexOf(operation.month.toUpperCase()) + 1 : 0;
  const month = monthName > 0 ? monthName : toNumber(operation.month);
  if (year === undefined || month === undefined || day === undefined) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function instant(field: Field, operator: string, at: string | undefined): Core | string {
  if (at === undefined) return 'no usable date';
  if (operator === 'IS_BEFORE') return { node: { field, op: 'before', value: at }, negative: false };
  if (operator === 'IS_AFTER') return { node: { field, op: 'after', value: at }, negative: false };
  if (operator === 'IS_ON') return { node: { field, op: 'between', value: [at, at] }, negative: false };
  return unsupported(operator);
}

function rolling(field: Field, operator: string, rawDays: unknown): Core | string {
  const days = toNumber(rawDays);
  if (days === undefined || days < 0 || !Number.isInteger(days)) return 'no whole number of days';
  switch (operator) {
    case 'IS_LESS_THAN_X_DAYS_AGO':
      return { node: { field, op: 'within_last_days', value: days }, negative: false };
    case 'IS_LESS_THAN_X_DAYS_FROM_NOW':
      return { node: { field, op: 'within_next_days', value: days }, negative: false };
    default:
      return unsupported(operator);
  }
}

/** Absolute time points only: an INDEXED point (today, now, ...) moves with HubSpot's own clock. */
function timePoints(field: Field, type: string, operator: string, operation: Operation): Core | string {
  if (operation.propertyParser !== undefined && operation.propertyParser !== 'VALUE') {
    return `it compares when the property was ${String(operation.propertyParser) === 'UPDATED_AT' ? 'last updated' : 'changed'}, which is not kept locally`;
  }
  if (type === 'TIME_POINT') return instant(field, operator, absolutePoint(operation.timePoint));
  return ranged(field, operator === 'IS_BETWEEN' || operator === 'IS_NOT_BETWEEN' ? operator : 'UNSUPPORTED', absolutePoint(operation.lowerBoundTimePoint), absolutePoint(operation.upperBoundTimePoint));
}

function absolutePoint(point: unknown): string | undefined {
  if (typeof point !== 'object' || point === null) return undefined;
  const p = point as Record<string, unknown>;
  if (p['timeType'] !== 'DATE') return undefined;
  const [year, month, day] = [toNumber(p['year']), toNumber(p['month']), toNumber(p['day'])];
  if (year === undefined || month === undefined || day === undefined) return undefined;
  const utc = Date.UTC(year, month - 1, day, toNumber(p['hour']) ?? 0, toNumber(p['minute']) ?? 0, toNumber(p['second']) ?? 0, toNumber(p['millisecond']) ?? 0);
  const zone = typeof p['zoneId'] === 'string' ? p['zoneId'] : 'UTC';
  return new Date(utc - zoneOffsetMs(zone, utc)).toISOString();
}

/** The zone's UTC offset at (about) that wall time, from Intl; 0 for an unknown zone name. */
function zoneOffsetMs(zone: string, wallAsUtc: number): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(wallAsUtc));
    const get = (type: string): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(wallAsUtc / 1000) * 1000;
  } catch {
    return 0;
  }
}
