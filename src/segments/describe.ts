import type { Condition, FilterNode } from './filter-types.js';

/** One-line human summaries of filters, for logs, previews and confirmations. */

const SYMBOLS: Partial<Record<Condition['op'], string>> = {
  eq: '=',
  neq: '!=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  in: 'in',
  not_in: 'not in',
  contains: 'contains',
  not_contains: 'does not contain',
  starts_with: 'starts with',
  ends_with: 'ends with',
  before: 'before',
  after: 'after',
  has_any: 'has any of',
  has_all: 'has all of',
};

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  // JSON quoting keeps Cyrillic readable and makes a value with spaces or quotes unambiguous.
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function describeCondition(condition: Condition): string {
  const { field, op, value } = condition;
  switch (op) {
    case 'is_known':
      return `${field} is known`;
    case 'is_unknown':
      return `${field} is unknown`;
    case 'between': {
      const [low, high] = value;
      return `${field} between ${show(low)} and ${show(high)}`;
    }
    case 'within_last_days':
      return `${field} within last ${value} days`;
    case 'within_next_days':
      return `${field} within next ${value} days`;
    case 'birthday_in_days':
      return value === 0 ? 'birthday today' : `birthday in 0..${value} days`;
    case 'age_gte':
      return `age >= ${value}`;
    case 'age_lt':
      return `age < ${value}`;
    default:
      return `${field} ${SYMBOLS[op] ?? op} ${show(value)}`;
  }
}

function describeChild(node: FilterNode): string {
  return 'and' in node || 'or' in node ? `(${describeFilter(node)})` : describeFilter(node);
}

/** E.g. `city = "Москва" AND (interests has any of ["sport"]) AND birthday in 0..7 days`. */
export function describeFilter(filter: FilterNode): string {
  if ('and' in filter) return filter.and.length === 0 ? 'all contacts' : filter.and.map(describeChild).join(' AND ');
  if ('or' in filter) return filter.or.length === 0 ? 'no contacts' : filter.or.map(describeChild).join(' OR ');
  if ('not' in filter) return `NOT (${describeFilter(filter.not)})`;
  return describeCondition(filter);
}
