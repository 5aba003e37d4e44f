import { describe, expect, it } from 'vitest';
import { greetingKey, isBirthdayGreetingDue } from '../../src/campaigns/birthday.js';
import type { Contact } from '../../src/contacts/contact.js';
import { makeContact } from '../helpers/factories.js';

const MOSCOW = 'Europe/Moscow';
const person = (birthDate: string, timezone?: string): Contact => makeContact({ birthDate, ...(timezone ? { timezone } : {}) });
const due = (contact: Contact, at: string, hour: number) => isBirthdayGreetingDue(contact, new Date(at), hour, MOSCOW);

describe('isBirthdayGreetingDue', () => {
  it('judges the same instant by each contact’s own zone (Vladivostok UTC+10, Kaliningrad UTC+2)', () => {
    const vladivostok = person('1990-05-15', 'Asia/Vladivostok');
    const kaliningrad = person('1990-05-15', 'Europe/Kaliningrad');
    // 21:30 UTC on the 14th: 07:30 on the 15th in Vladivostok, 23:30 on the 14th in Kaliningrad.
    expect(due(vladivostok, '2026-05-14T21:30:00Z', 7)).toEqual({ due: true, year: 2026, zone: 'Asia/Vladivostok' });
    expect(due(kaliningrad, '2026-05-14T21:30:00Z', 7).due).toBe(false);
    expect(due(kaliningrad, '2026-05-14T21:30:00Z', 23).due).toBe(false); // still the 14th there
    // 05:00 UTC on the 15th: 15:00 in Vladivostok, 07:00 in Kaliningrad.
    expect(due(kaliningrad, '2026-05-15T05:00:00Z', 7).due).toBe(true);
    expect(due(vladivostok, '2026-05-15T05:00:00Z', 7).due).toBe(false);
  });

  it('is due for the whole local hour and not a second outside it', () => {
    const contact = person('1990-05-15', MOSCOW);
    expect(due(contact, '2026-05-15T06:59:59Z', 10).due).toBe(false);
    expect(due(contact, '2026-05-15T07:00:00Z', 10).due).toBe(true);
    expect(due(contact, '2026-05-15T07:59:59Z', 10).due).toBe(true);
    expect(due(contact, '2026-05-15T08:00:00Z', 10).due).toBe(false);
  });

  it('celebrates 29 February on 28 February in 2027 and on 29 February in 2028', () => {
    const leapling = person('2000-02-29', MOSCOW);
    expect(due(leapling, '2027-02-28T07:00:00Z', 10)).toMatchObject({ due: true, year: 2027 });
    expect(due(leapling, '2027-03-01T07:00:00Z', 10).due).toBe(false);
    expect(due(leapling, '2028-02-28T07:00:00Z', 10).due).toBe(false);
    expect(due(leapling, '2028-02-29T07:00:00Z', 10)).toMatchObject({ due: true, year: 2028 });
    expect(due(person('2000-02-28', MOSCOW), '2027-02-28T07:00:00Z', 10).due).toBe(true);
  });

  it('uses the local year across the year end', () => {
    // 23:00 UTC on 31 Dec 2026 is 09:00 on 1 Jan 2027 in Vladivostok, 02:00 in Moscow.
    const newYear = person('1985-01-01', 'Asia/Vladivostok');
    expect(due(newYear, '2026-12-31T23:00:00Z', 9)).toEqual({ due: true, year: 2027, zone: 'Asia/Vladivostok' });
    expect(due(person('1985-01-01', MOSCOW), '2026-12-31T23:00:00Z', 2)).toMatchObject({ due: true, year: 2027 });
    // 21:00 UTC: 23:00 on 31 Dec in Kaliningrad, already 1 Jan in Vladivostok.
    expect(due(person('1985-12-31', 'Europe/Kaliningrad'), '2026-12-31T21:00:00Z', 23)).toMatchObject({ due: true, year: 2026 });
    expect(due(person('1985-12-31', 'Asia/Vladivostok'), '2026-12-31T21:00:00Z', 7)).toMatchObject({ due: false, year: 2027 });
  });

  it('falls back to the default zone when the contact has none (or an invalid one)', () => {
    expect(due(person('1990-05-15'), '2026-05-15T07:00:00Z', 10)).toEqual({ due: true, year: 2026, zone: MOSCOW });
    expect(due(person('1990-05-15', 'Not/AZone'), '2026-05-15T07:00:00Z', 10).zone).toBe(MOSCOW);
    expect(() => isBirthdayGreetingDue(person('1990-05-15'), new Date('2026-05-15T07:00:00Z'), 10, 'Moscow')).toThrow(/Default time zone/);
  });

  it('is never due without a usable birth date, on the day of birth, or for an invalid hour', () => {
    expect(due(makeContact(), '2026-05-15T07:00:00Z', 10).due).toBe(false);
    expect(due(person('15.05.1990', MOSCOW), '2026-05-15T07:00:00Z', 10).due).toBe(false);
    expect(due(person('2026-05-15', MOSCOW), '2026-05-15T07:00:00Z', 10).due).toBe(false);
    expect(due(person('2030-05-15', MOSCOW), '2026-05-15T07:00:00Z', 10).due).toBe(false);
    expect(() => due(person('1990-05-15', MOSCOW), '2026-05-15T07:00:00Z', 24)).toThrow(/0–23/);
  });
});

describe('greetingKey', () => {
  it('is one key per automation, contact and year', () => {
    expect(greetingKey('bday', 'c-1', 2026)).toBe('birthday:bday:c-1:2026');
    expect(greetingKey('bday', 'c-1', 2027)).not.toBe(greetingKey('bday', 'c-1', 2026));
    expect(greetingKey('bday', 'c-2', 2026)).not.toBe(greetingKey('bday', 'c-1', 2026));
    expect(greetingKey('a:b', 'c', 2026)).not.toBe(greetingKey('a', 'b:c', 2026));
  });
});
