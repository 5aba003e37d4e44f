/**
 * Calendar arithmetic for segment filters: day numbers (days since 1970-01-01 of a proleptic
 * Gregorian date, like `Date.UTC(y, m - 1, d) / 86_400_000`) and "what date is it now in zone Z".
 * Self-contained on purpose: the evaluator must stay cheap and independent of the contacts module.
 */

export interface LocalDay {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  /** Days since 1970-01-01 of this calendar date. */
  dayNumber: number;
  leap: boolean;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_LENGTHS[month - 1] ?? 0);
}

/**
 * Days since the epoch of a calendar date (H. Hinnant's days_from_civil). Pure integer arithmetic,
 * several times cheaper than `Date.UTC`, which matters when it runs for every contact.
 */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function localDay(year: number, month: number, day: number): LocalDay {
  return { year, month, day, dayNumber: dayNumber(year, month, day), leap: isLeapYear(year) };
}

// One formatter per zone: constructing an Intl.DateTimeFormat costs tens of microseconds.
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_CACHED_ZONES = 1_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      numberingSystem: 'latn',
      calendar: 'gregory',
    });
    // Zone names come from data; a bound keeps a stream of junk names from growing the cache forever.
    if (formatters.size >= MAX_CACHED_ZONES) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The calendar date at `instant` in `timeZone`. Throws RangeError for an unknown zone. */
export function localDateIn(instant: Date, timeZone: string): LocalDay {
  let year = 0;
  let month = 0;
  let day = 0;
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
  }
  return localDay(year, month, day);
}

/**
 * "Today" per zone for one fixed `now`, memoised: a compiled filter asks for it once per contact,
 * but the set of zones is small. An empty or unknown zone falls back to UTC rather than failing
 * the whole audience over one bad record.
 */
export function createTodayCache(now: Date): (timeZone: string) => LocalDay {
  const cache = new Map<string, LocalDay>();
  return (timeZone) => {
    let today = cache.get(timeZone);
    if (today === undefined) {
      today = localDateIn(now, isValidTimeZone(timeZone) ? timeZone : 'UTC');
      cache.set(timeZone, today);
    }
    return today;
  };
}
