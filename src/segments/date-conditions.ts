import type { Contact } from '../contacts/contact.js';
import type { ContactPredicate } from './evaluate.js';
import type { Condition } from './filter-types.js';
import { dayNumber, isLeapYear, type LocalDay } from './local-date.js';
import { NEGATED, stringReader } from './text-conditions.js';
import { compareTemporal, parseIsoDate, parseNumber, parseTemporal, type CalendarDate, type Temporal } from './values.js';

/** Ordering, date-window, birthday and age operators. Unparseable values match nothing. */

export interface DateEnv {
  nowMs: number;
  /** The calendar date today in the contact's own zone (memoised by the compiler). */
  todayOf(contact: Contact): LocalDay;
}

const DAY_MS = 86_400_000;

interface Ordering<T> {
  read(raw: string): T | undefined;
  compare(a: T, b: T): number;
  bound(value: unknown): T;
}

const numbers: Ordering<number> = {
  read: parseNumber,
  compare: (a, b) => a - b,
  bound: (value) => value as number,
};

const temporals: Ordering<Temporal> = {
  read: parseTemporal,
  compare: compareTemporal,
  bound: (value) => parseTemporal(value as string) as Temporal,
};

function orderedTest<T>(op: string, value: unknown, order: Ordering<T>): (actual: T) => boolean {
  if (op === 'in') {
    const bounds = (value as unknown[]).map(order.bound);
    return (actual) => bounds.some((bound) => order.compare(actual, bound) === 0);
  }
  if (op === 'between') {
    const [low, high] = (value as unknown[]).map(order.bound) as [T, T];
    return (actual) => order.compare(actual, low) >= 0 && order.compare(actual, high) <= 0;
  }
  const bound = order.bound(value);
  const sign = (actual: T) => order.compare(actual, bound);
  if (op === 'gt' || op === 'after') return (actual) => sign(actual) > 0;
  if (op === 'gte') return (actual) => sign(actual) >= 0;
  if (op === 'lt' || op === 'before') return (actual) => sign(actual) < 0;
  if (op === 'lte') return (actual) => sign(actual) <= 0;
  return (actual) => sign(actual) === 0;
}

/** eq/neq/in/not_in on dates, gt…lte, between, before, after. Numbers when the filter value is numeric. */
export function compileOrdered(condition: Condition): ContactPredicate {
  const negated = Object.hasOwn(NEGATED, condition.op);
  const op = negated ? NEGATED[condition.op as keyof typeof NEGATED] : condition.op;
  const sample = Array.isArray(condition.value) ? condition.value[0] : condition.value;
  const positive =
    typeof sample === 'number'
      ? orderedPredicate(condition.field, orderedTest(op, condition.value, numbers), numbers)
      : orderedPredicate(condition.field, orderedTest(op, condition.value, temporals), temporals);
  return negated ? (contact) => !positive(contact) : positive;
}

function orderedPredicate<T>(field: string, test: (actual: T) => boolean, order: Ordering<T>): ContactPredicate {
  const read = stringReader(field);
  return (contact) => {
    const raw = read(contact);
    if (raw === undefined) return false;
    const actual = order.read(raw);
    return actual !== undefined && test(actual);
  };
}

/**
 * within_last_days / within_next_days. A timestamp is compared with `now` ± n×24 h; a calendar date
 * (birthDate, a date property) with today ± n days in the contact's zone, both ends inclusive.
 */
export function compileWithinDays(condition: Condition, env: DateEnv): ContactPredicate {
  const days = condition.value as number;
  const past = condition.op === 'within_last_days';
  const read = stringReader(condition.field);
  const [fromMs, toMs] = past ? [env.nowMs - days * DAY_MS, env.nowMs] : [env.nowMs, env.nowMs + days * DAY_MS];
  return (contact) => {
    const raw = read(contact);
    const actual = raw === undefined ? undefined : parseTemporal(raw);
    if (actual === undefined) return false;
    if (actual.ms !== undefined) return actual.ms >= fromMs && actual.ms <= toMs;
    const today = env.todayOf(contact).dayNumber;
    return past ? actual.day >= today - days && actual.day <= today : actual.day >= today && actual.day <= today + days;
  };
}

function isFeb29(date: CalendarDate): boolean {
  return date.month === 2 && date.day === 29;
}

/** The day number of the birthday in `year`; 29 February is celebrated on 28 February in common years. */
export function birthdayIn(year: number, birth: CalendarDate, leap: boolean): number {
  return isFeb29(birth) && !leap ? dayNumber(year, 2, 28) : dayNumber(year, birth.month, birth.day);
}

/** Days from today to the next birthday (0 = today); undefined when born after today. */
export function daysToBirthday(birth: CalendarDate, today: LocalDay): number | undefined {
  if (birth.dayNumber > today.dayNumber) return undefined;
  let next = birthdayIn(today.year, birth, today.leap);
  if (next < today.dayNumber) next = birthdayIn(today.year + 1, birth, isLeapYear(today.year + 1));
  return next - today.dayNumber;
}

/**
 * Completed years on `today`. Someone born on 29 February becomes a year older on 1 March in
 * common years (the term expires on 28 February, the new age starts the next day).
 */
export function ageOn(birth: CalendarDate, today: LocalDay): number | undefined {
  if (birth.dayNumber > today.dayNumber) return undefined;
  const [month, day] = isFeb29(birth) && !today.leap ? [3, 1] : [birth.month, birth.day];
  const beforeBirthday = today.month < month || (today.month === month && today.day < day);
  return today.year - birth.year - (beforeBirthday ? 1 : 0);
}

/** birthday_in_days, age_gte, age_lt: on birthDate, in the contact's own zone. */
export function compileBirthDate(condition: Condition, env: DateEnv): ContactPredicate {
  const limit = condition.value as number;
  const test =
    condition.op === 'birthday_in_days'
      ? (birth: CalendarDate, today: LocalDay) => (daysToBirthday(birth, today) ?? Infinity) <= limit
      : condition.op === 'age_gte'
        ? (birth: CalendarDate, today: LocalDay) => (ageOn(birth, today) ?? -Infinity) >= limit
        : (birth: CalendarDate, today: LocalDay) => (ageOn(birth, today) ?? Infinity) < limit;
  return (contact) => {
    const birth = contact.birthDate === undefined ? undefined : parseIsoDate(contact.birthDate);
    return birth !== undefined && test(birth, env.todayOf(contact));
  };
}
