import { localParts, type LocalParts } from '../contacts/timezone.js';

/**
 * A 5-field cron expression ("minute hour day-of-month month day-of-week") parsed into the sets of
 * values it allows. The subset understood: `*`, numbers, lists `1,15`, ranges `1-5`, steps `*\/15`
 * and `9-18/3`, three-letter names (`jan`, `mon`). Day of week: 0 and 7 are Sunday.
 * Deliberately not understood (node-cron takes some of them): seconds, nicknames such as @daily,
 * `?`, `L`, `W`, `#`, full names, ranges that wrap around (`22-2`), a step on a single value (`5/15`).
 */
export interface CronSpec {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (7 is folded into 0). */
  weekdays: ReadonlySet<number>;
  /** False when the field starts with `*` (`*` or `*\/n`), as in Vixie cron / cronie. */
  daysRestricted: boolean;
  weekdaysRestricted: boolean;
}

interface FieldDef {
  label: string;
  min: number;
  max: number;
  /** Range that `*` stands for (day of week: 0–6, so 7 never doubles Sunday). */
  starMax: number;
  names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS: readonly FieldDef[] = [
  { label: 'minute', min: 0, max: 59, starMax: 59 },
  { label: 'hour', min: 0, max: 23, starMax: 23 },
  { label: 'day of month', min: 1, max: 31, starMax: 31 },
  { label: 'month', min: 1, max: 12, starMax: 12, names: MONTHS },
  { label: 'day of week', min: 0, max: 7, starMax: 6, names: WEEKDAYS },
];
const ITEM = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/i;
/** Longest month each day of month fits in; 29 February counts (leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export type CronParse = { ok: true; spec: CronSpec } | { ok: false; reason: string };

class CronSyntaxError extends Error {}

function valueOf(token: string, field: FieldDef, rangeEnd: boolean): number {
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < field.min || value > field.max) {
      throw new CronSyntaxError(`${field.label} "${token}" is outside ${field.min}-${field.max}`);
    }
    return value;
  }
  const index = field.names?.indexOf(token.toLowerCase()) ?? -1;
  if (index < 0) {
    const names = field.names === undefined ? '' : ` or a three-letter name such as "${field.names[1] ?? ''}"`;
    throw new CronSyntaxError(`${field.label} "${token}" is not a number${names}`);
  }
  // "fri-sun": a range may end on Sunday written as a name, meaning 7.
  if (field.names === WEEKDAYS && rangeEnd && index === 0) return 7;
  return field.names === MONTHS ? index + 1 : index;
}

function parseField(text: string, field: FieldDef): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const match = ITEM.exec(item);
    if (match === null) throw new CronSyntaxError(`${field.label} "${item}" is not a value, range or step`);
    const [, base = '', stepText] = match;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) throw new CronSyntaxError(`${field.label} step "/${stepText ?? ''}" must be at least 1`);
    let from: number;
    let to: number;
    if (base === '*') {
      [from, to] = [field.min, field.starMax];
    } else if (base.includes('-')) {
      const [low = '', high = ''] = base.split('-');
      [from, to] = [valueOf(low, field, false), valueOf(high, field, true)];
      if (from > to) throw new CronSyntaxError(`${field.label} range "${base}" runs backwards; split it, e.g. "22-23,0-2"`);
    } else {
      if (stepText !== undefined) {
        throw new CronSyntaxError(`${field.label} step "${item}" needs a range or *, e.g. "${base}-${field.max}/${stepText}"`);
      }
      [from, to] = [valueOf(base, field, false), valueOf(base, field, false)];
    }
    for (let value = from; value <= to; value += step) values.add(field.names === WEEKDAYS ? value % 7 : value);
  }
  return values;
}

/** Parses the subset described on CronSpec; the reason names the offending field. */
export function parseCron(expression: string): CronParse {
  const trimmed = expression.trim();
  if (trimmed === '') return { ok: false, reason: 'the expression is empty' };
  const fields = trimmed.split(/\s+/);
  if (trimmed.startsWith('@')) return { ok: false, reason: `nicknames such as "${fields[0] ?? ''}" are not supported` };
  if (fields.length === 6) return { ok: false, reason: 'a seconds field is not supported; use 5 fields' };
  if (fields.length !== 5) return { ok: false, reason: `expected 5 fields but got ${fields.length}` };
  try {
    const [minutes, hours, days, months, weekdays] = FIELDS.map((field, i) => parseField(fields[i] ?? '', field)) as [
      Set<number>, Set<number>, Set<number>, Set<number>, Set<number>,
    ];
    const spec: CronSpec = {
      minutes, hours, days, months, weekdays,
      daysRestricted: !(fields[2] ?? '').startsWith('*'),
      weekdaysRestricted: !(fields[4] ?? '').startsWith('*'),
    };
    const fits = [...months].some((month) => [...days].some((day) => day <= (MONTH_DAYS[month - 1] ?? 0)));
    if (!fits && !spec.weekdaysRestricted) {
      return { ok: false, reason: `day of month "${fields[2] ?? ''}" never occurs in month "${fields[3] ?? ''}"` };
    }
    return { ok: true, spec };
  } catch (error) {
    if (error instanceof CronSyntaxError) return { ok: false, reason: error.message };
    throw error;
  }
}

/**
 * Whether the wall-clock minute `parts` matches. POSIX day rule: when both day of month and day of
 * week are restricted, either one matching is enough ("0 10 1 * 1" = the 1st and every Monday).
 */
export function cronMatches(spec: CronSpec, parts: LocalParts): boolean {
  if (!spec.minutes.has(parts.minute) || !spec.hours.has(parts.hour) || !spec.months.has(parts.month)) return false;
  const day = spec.days.has(parts.day);
  const weekday = spec.weekdays.has(parts.weekday);
  return spec.daysRestricted && spec.weekdaysRestricted ? day || weekday : day && weekday;
}

function fieldText(values: ReadonlySet<number>, field: FieldDef): string {
  if (values.size === field.starMax - field.min + 1) return '*';
  return [...values].sort((a, b) => a - b).join(',');
}

/**
 * An expression node-cron fires on at least whenever `spec` matches: the same minutes, hours and
 * months, written out as lists. node-cron ANDs day of month with day of week, so when both are
 * restricted both become `*` here and the caller filters with cronMatches.
 */
export function triggerExpression(spec: CronSpec): string {
  const both = spec.daysRestricted && spec.weekdaysRestricted;
  const [minute, hour, day, month, weekday] = FIELDS as [FieldDef, FieldDef, FieldDef, FieldDef, FieldDef];
  return [
    fieldText(spec.minutes, minute),
    fieldText(spec.hours, hour),
    both || !spec.daysRestricted ? '*' : fieldText(spec.days, day),
    fieldText(spec.months, month),
    both || !spec.weekdaysRestricted ? '*' : fieldText(spec.weekdays, weekday),
  ].join(' ');
}

const MINUTE_MS = 60_000;

/**
 * Decides, tick by tick, whether a cron job runs: the tick's minute must match in `zone`, be later
 * than the last run's minute and than `notBefore`, and be a different wall-clock minute from the last
 * run's (so "30 1 * * *" runs once on the night clocks go back, not twice). A local time skipped when
 * clocks go forward never occurs, so that day has no run (node-cron does the same).
 */
export function createCronGate(spec: CronSpec, zone: string, notBefore = -Infinity): (tick: Date) => boolean {
  let lastSlot = -Infinity;
  let lastLocal = '';
  return (tick) => {
    const slot = Math.floor(tick.getTime() / MINUTE_MS) * MINUTE_MS;
    if (slot <= lastSlot || slot <= notBefore) return false;
    const parts = localParts(new Date(slot), zone);
    if (!cronMatches(spec, parts)) return false;
    const local = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
    if (local === lastLocal) return false;
    lastSlot = slot;
    lastLocal = local;
    return true;
  };
}
