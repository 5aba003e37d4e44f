import { dayNumber, daysInMonth } from './local-date.js';

/**
 * How contact values and filter values are read: case folding for text, lenient numbers and dates
 * for properties (which are always strings), and `;`/`,`-separated lists.
 */

/**
 * Case-insensitive, Unicode-aware key: trimmed, NFC, lower case, `ё` → `е`.
 * `toLowerCase()` rather than `toLocaleLowerCase('ru')`: Unicode has no Russian-specific casing
 * rules (only Turkish, Azeri and Lithuanian have them), so the result is identical, and the
 * locale-aware call is about seven times slower.
 */
export function foldText(text: string): string {
  const folded = text.trim().normalize('NFC').toLowerCase();
  return folded.includes('ё') ? folded.replaceAll('ё', 'е') : folded;
}

export type Folder = (text: string) => string;

/**
 * A memoising `foldText` for one compiled filter: the same city, gender or tag recurs across
 * thousands of contacts, and a map lookup is far cheaper than normalising again.
 */
export function createFolder(maxEntries = 50_000): Folder {
  const memo = new Map<string, string>();
  return (text) => {
    let folded = memo.get(text);
    if (folded === undefined) {
      folded = foldText(text);
      if (memo.size >= maxEntries) memo.clear();
      memo.set(text, folded);
    }
    return folded;
  };
}

const NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;

/** `"1200.5"`, `"1200,5"`, `"1 200,50"` (spaces as thousands separators) → 1200.5; anything else → undefined. */
export function parseNumber(text: string): number | undefined {
  // Most values are already compact; skip the whitespace pass for them (this runs per contact).
  if (NUMBER.test(text)) return Number(text.includes(',') ? text.replace(',', '.') : text);
  const compact = text.replace(/\s+/g, '');
  return NUMBER.test(compact) ? Number(compact.replace(',', '.')) : undefined;
}

/**
 * A point in time as a filter sees it: always a calendar day (as written), plus the exact instant
 * when the text carried a time. Two values compare by instant when both have one, else by day.
 */
export interface Temporal {
  day: number;
  ms?: number;
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
  dayNumber: number;
}

function calendarDate(year: number, month: number, day: number): CalendarDate | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day, dayNumber: dayNumber(year, month, day) };
}

function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i) - 48;
    if (!(code >= 0 && code <= 9)) return -1; // also catches NaN past the end of the string
    value = value * 10 + code;
  }
  return value;
}

/** The `YYYY-MM-DD` at the start of `text`, validated as a real calendar date. Hand-rolled: it runs per contact. */
export function parseIsoDate(text: string): CalendarDate | undefined {
  if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return undefined;
  return calendarDate(year, month, day);
}

const RUSSIAN_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

/** Minutes east of UTC of a `Z`, `±HH:MM` or `±HHMM` suffix starting at `at`; undefined when malformed. */
function offsetAt(text: string, at: number): number | undefined {
  if (at === text.length) return 0; // no offset: read as UTC rather than as the server's zone
  const sign = text[at];
  if ((sign === 'Z' || sign === 'z') && at + 1 === text.length) return 0;
  if (sign !== '+' && sign !== '-') return undefined;
  const colon = text[at + 3] === ':' ? 1 : 0;
  const hours = digitsAt(text, at + 1, 2);
  const minutes = digitsAt(text, at + 3 + colon, 2);
  if (hours < 0 || minutes < 0 || at + 5 + colon !== text.length) return undefined;
  return (hours * 60 + minutes) * (sign === '-' ? -1 : 1);
}

/**
 * Milliseconds of `date` plus a `THH:MM[:SS[.fff…]][offset]` suffix at index 10. Hand-rolled
 * rather than a regex: createdAt/updatedAt are parsed once per contact per condition.
 */
function instantOf(date: CalendarDate, text: string): number | undefined {
  const separator = text[10];
  if ((separator !== 'T' && separator !== 't' && separator !== ' ') || text[13] !== ':') return undefined;
  const hours = digitsAt(text, 11, 2);
  const minutes = digitsAt(text, 14, 2);
  let at = 16;
  let seconds = 0;
  let millis = 0;
  if (text[at] === ':') {
    seconds = digitsAt(text, at + 1, 2);
    at += 3;
    if (text[at] === '.') {
      let end = at + 1;
      while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
      if (end === at + 1) return undefined;
      millis = Number(text.slice(at + 1, Math.min(end, at + 4)).padEnd(3, '0'));
      at = end;
    }
  }
  const offset = offsetAt(text, at);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59 || offset === undefined) return undefined;
  return date.dayNumber * 86_400_000 + ((hours * 60 + minutes - offset) * 60 + seconds) * 1000 + millis;
}

/** `YYYY-MM-DD`, an ISO date-time, or (for properties typed by people) `DD.MM.YYYY`. */
export function parseTemporal(raw: string): Temporal | undefined {
  const text = raw.trim();
  const iso = parseIsoDate(text);
  if (iso !== undefined) {
    if (text.length === 10) return { day: iso.dayNumber };
    const ms = instantOf(iso, text);
    return ms === undefined ? undefined : { day: iso.dayNumber, ms };
  }
  const russian = RUSSIAN_DATE.exec(text);
  if (russian === null) return undefined;
  const date = calendarDate(Number(russian[3]), Number(russian[2]), Number(russian[1]));
  return date === undefined ? undefined : { day: date.dayNumber };
}

/** -1, 0 or 1: by instant when both sides have one, otherwise by calendar day. */
export function compareTemporal(a: Temporal, b: Temporal): number {
  const diff = a.ms !== undefined && b.ms !== undefined ? a.ms - b.ms : a.day - b.day;
  return diff < 0 ? -1 : diff > 0 ? 1 : 0;
}

/** The folded, non-empty items of a `;`/`,`-separated property such as `"спорт; музыка"`. */
export function splitList(text: string, fold: Folder): string[] {
  const items: string[] = [];
  for (const part of text.split(/[;,]/)) {
    const item = fold(part);
    if (item !== '') items.push(item);
  }
  return items;
}
