import { describe, expect, it } from 'vitest';
import { createTodayCache, dayNumber, localDateIn } from '../../src/segments/local-date.js';
import { parseNumber, parseTemporal } from '../../src/segments/values.js';
import { contact, matches } from './fixtures.js';

const birthday = (days: number) => ({ field: 'birthDate', op: 'birthday_in_days', value: days });
const ageGte = (years: number) => ({ field: 'birthDate', op: 'age_gte', value: years });
const ageLt = (years: number) => ({ field: 'birthDate', op: 'age_lt', value: years });

describe('birthday_in_days in the contact’s own zone', () => {
  const vladivostok = contact({ birthDate: '1990-05-15', timezone: 'Asia/Vladivostok' });
  const kaliningrad = contact({ birthDate: '1990-05-15', timezone: 'Europe/Kaliningrad' });

  it('the same instant is already the birthday in Vladivostok but not yet in Kaliningrad', () => {
    const now = '2026-05-14T21:30:00Z'; // 07:30 on 15 May in Vladivostok, 23:30 on 14 May in Kaliningrad
    expect(matches(birthday(0), vladivostok, { now })).toBe(true);
    expect(matches(birthday(0), kaliningrad, { now })).toBe(false);
    expect(matches(birthday(1), kaliningrad, { now })).toBe(true);
  });

  it('an hour later it is the birthday in both', () => {
    const now = '2026-05-14T22:30:00Z'; // 00:30 on 15 May in Kaliningrad
    expect(matches(birthday(0), vladivostok, { now })).toBe(true);
    expect(matches(birthday(0), kaliningrad, { now })).toBe(true);
  });

  it('after midnight UTC Vladivostok has moved past the birthday while Kaliningrad has not', () => {
    const now = '2026-05-15T15:30:00Z'; // 01:30 on 16 May in Vladivostok, 17:30 on 15 May in Kaliningrad
    expect(matches(birthday(0), kaliningrad, { now })).toBe(true);
    expect(matches(birthday(0), vladivostok, { now })).toBe(false);
    expect(matches(birthday(363), vladivostok, { now })).toBe(false);
    expect(matches(birthday(364), vladivostok, { now })).toBe(true);
  });

  it('a birthday in early January is within 7 days of late December', () => {
    const now = '2026-12-28T09:00:00Z';
    expect(matches(birthday(7), contact({ birthDate: '1985-01-02' }), { now })).toBe(true);
    expect(matches(birthday(4), contact({ birthDate: '1985-01-02' }), { now })).toBe(false);
    expect(matches(birthday(7), contact({ birthDate: '1985-12-27' }), { now })).toBe(false);
  });

  it('does not count a birth date in the future', () => {
    expect(matches(birthday(366), contact({ birthDate: '2027-01-01' }))).toBe(false);
  });
});

describe('29 February', () => {
  const leapling = contact({ birthDate: '2000-02-29' });

  it('is celebrated on 28 February in a common year', () => {
    expect(matches(birthday(0), leapling, { now: '2026-02-28T09:00:00Z' })).toBe(true);
    expect(matches(birthday(0), leapling, { now: '2026-02-27T09:00:00Z' })).toBe(false);
    expect(matches(birthday(1), leapling, { now: '2026-02-27T09:00:00Z' })).toBe(true);
    expect(matches(birthday(0), leapling, { now: '2026-03-01T09:00:00Z' })).toBe(false);
    expect(matches(birthday(364), leapling, { now: '2026-03-01T09:00:00Z' })).toBe(true);
  });

  it('is celebrated on 29 February in a leap year', () => {
    expect(matches(birthday(0), leapling, { now: '2028-02-28T09:00:00Z' })).toBe(false);
    expect(matches(birthday(1), leapling, { now: '2028-02-28T09:00:00Z' })).toBe(true);
    expect(matches(birthday(0), leapling, { now: '2028-02-29T09:00:00Z' })).toBe(true);
  });

  it('seen from a common year, the next leap-year birthday is on 29 February', () => {
    // 1 March 2027 → 29 February 2028 is 365 days away.
    expect(matches(birthday(364), leapling, { now: '2027-03-01T09:00:00Z' })).toBe(false);
    expect(matches(birthday(365), leapling, { now: '2027-03-01T09:00:00Z' })).toBe(true);
  });

  it('adds a year of age on 1 March in a common year and on 29 February in a leap year', () => {
    const born = contact({ birthDate: '2008-02-29' });
    expect(matches(ageGte(18), born, { now: '2026-02-28T09:00:00Z' })).toBe(false);
    expect(matches(ageLt(18), born, { now: '2026-02-28T09:00:00Z' })).toBe(true);
    expect(matches(ageGte(18), born, { now: '2026-03-01T09:00:00Z' })).toBe(true);
    expect(matches(ageGte(20), born, { now: '2028-02-28T09:00:00Z' })).toBe(false);
    expect(matches(ageGte(20), born, { now: '2028-02-29T09:00:00Z' })).toBe(true);
  });
});

describe('age at the 18th birthday', () => {
  it('turns 18 on the birthday itself', () => {
    const now = '2026-05-15T09:00:00Z';
    const eighteenToday = contact({ birthDate: '2008-05-15' });
    const eighteenTomorrow = contact({ birthDate: '2008-05-16' });
    expect(matches(ageGte(18), eighteenToday, { now })).toBe(true);
    expect(matches(ageLt(18), eighteenToday, { now })).toBe(false);
    expect(matches(ageGte(18), eighteenTomorrow, { now })).toBe(false);
    expect(matches(ageLt(18), eighteenTomorrow, { now })).toBe(true);
  });

  it('uses the contact’s zone for "today"', () => {
    const now = '2026-05-14T21:30:00Z';
    expect(matches(ageGte(18), contact({ birthDate: '2008-05-15', timezone: 'Asia/Vladivostok' }), { now })).toBe(true);
    expect(matches(ageGte(18), contact({ birthDate: '2008-05-15', timezone: 'Europe/Kaliningrad' }), { now })).toBe(false);
  });

  it('falls back to UTC for an unknown zone', () => {
    const now = '2026-05-14T21:30:00Z';
    expect(matches(ageGte(18), contact({ birthDate: '2008-05-15', timezone: 'Mars/Olympus' }), { now })).toBe(false);
    expect(matches(ageGte(18), contact({ birthDate: '2008-05-14', timezone: '' }), { now })).toBe(true);
  });
});

describe('local dates', () => {
  it('dayNumber agrees with Date.UTC', () => {
    for (let ms = Date.UTC(1899, 0, 1); ms < Date.UTC(2101, 0, 1); ms += 86_400_000 * 13) {
      const date = new Date(ms);
      expect(dayNumber(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())).toBe(ms / 86_400_000);
    }
  });

  it('reads the calendar date in a zone', () => {
    const instant = new Date('2026-05-14T21:30:00Z');
    expect(localDateIn(instant, 'Asia/Vladivostok')).toMatchObject({ year: 2026, month: 5, day: 15 });
    expect(localDateIn(instant, 'Europe/Kaliningrad')).toMatchObject({ year: 2026, month: 5, day: 14 });
  });

  it('caches today per zone', () => {
    const todayIn = createTodayCache(new Date('2026-01-01T00:30:00Z'));
    expect(todayIn('Europe/Moscow')).toBe(todayIn('Europe/Moscow'));
    expect(todayIn('America/New_York').day).toBe(31);
  });

  it('parses the date formats properties use', () => {
    expect(parseTemporal('2026-05-01')).toEqual({ day: dayNumber(2026, 5, 1) });
    expect(parseTemporal('01.05.2026')).toEqual({ day: dayNumber(2026, 5, 1) });
    expect(parseTemporal('2026-05-01T03:00:00+03:00')).toEqual({ day: dayNumber(2026, 5, 1), ms: Date.UTC(2026, 4, 1) });
    expect(parseTemporal('2026-05-01T00:00:00.250Z')?.ms).toBe(Date.UTC(2026, 4, 1) + 250);
    expect(parseTemporal('31.02.2026')).toBeUndefined();
    expect(parseTemporal('May 1')).toBeUndefined();
  });

  it('parses date-times with any offset form, and reads one without an offset as UTC', () => {
    const midnight = Date.UTC(2026, 4, 1);
    expect(parseTemporal('2026-05-01T03:00:00+0300')?.ms).toBe(midnight);
    expect(parseTemporal('2026-05-01T03:00+03:00')?.ms).toBe(midnight);
    expect(parseTemporal('2026-04-30T18:30:00.123456-05:30')?.ms).toBe(midnight + 123);
    expect(parseTemporal('2026-05-01 00:00:00')?.ms).toBe(midnight);
    for (const bad of ['2026-05-01T24:00:00Z', '2026-05-01T00:00:00+3', '2026-05-01T00:00:00Zx', '2026-05-01T00:00:00.Z', '2026-05-01T1']) {
      expect(parseTemporal(bad), bad).toBeUndefined();
    }
  });

  it('parses numbers with a dot or comma decimal and spaced thousands', () => {
    expect(parseNumber('1200.5')).toBe(1200.5);
    expect(parseNumber('1200,5')).toBe(1200.5);
    expect(parseNumber('1 200,50')).toBe(1200.5);
    expect(parseNumber('-3')).toBe(-3);
    for (const bad of ['abc', '', '1,200.50', '12abc', '1e3']) expect(parseNumber(bad), bad).toBeUndefined();
  });
});
