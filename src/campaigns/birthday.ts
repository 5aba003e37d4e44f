import type { Contact } from '../contacts/contact.js';
import { isValidTimeZone, localParts } from '../contacts/timezone.js';
import { AppError } from '../common/errors.js';
import { daysToBirthday } from '../segments/date-conditions.js';
import { localDay } from '../segments/local-date.js';
import { parseIsoDate } from '../segments/values.js';

/** A standing rule: greet every contact on its birthday at `hour` local time, at most once a year. */
export interface BirthdayAutomation {
  id: string;
  name: string;
  template: string;
  /** 0–23, in the contact's local time. */
  hour: number;
  sender: string;
  enabled: boolean;
  createdAt: string;
}

/**
 * The zone a contact's birthday is judged in: its stored timezone when that is a valid IANA zone,
 * else `defaultZone` — the same rule segment filters use (birthday_in_days), so a "birthday today"
 * segment and this automation agree. A multi-zone-country guess is not made here.
 */
function zoneOf(contact: Contact, defaultZone: string): string {
  if (contact.timezone !== undefined && isValidTimeZone(contact.timezone)) return contact.timezone;
  if (!isValidTimeZone(defaultZone)) {
    throw new AppError('CONFIG_INVALID', `Default time zone "${defaultZone}" is not a valid IANA zone`, {
      hint: 'Set the default timezone to an IANA name such as Europe/Moscow.',
    });
  }
  return defaultZone;
}

/**
 * Due when, at `now` in the contact's zone, the local date is its birthday and the local hour is
 * `hour`. 29 February is celebrated on 28 February in common years. No birthDate, an unparseable
 * one or one not before today (born today or in the future) is never due. `year` is the local year,
 * for greetingKey; `zone` is the zone used.
 */
export function isBirthdayGreetingDue(
  contact: Contact,
  now: Date,
  hour: number,
  defaultZone: string,
): { due: boolean; year: number; zone: string } {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    throw new AppError('VALIDATION_FAILED', `Greeting hour must be a whole number 0–23, got ${hour}`);
  }
  const zone = zoneOf(contact, defaultZone);
  const local = localParts(now, zone);
  const result = { due: false, year: local.year, zone };
  if (local.hour !== hour || contact.birthDate === undefined) return result;
  const birth = parseIsoDate(contact.birthDate);
  if (birth === undefined) return result;
  const today = localDay(local.year, local.month, local.day);
  result.due = birth.dayNumber < today.dayNumber && daysToBirthday(birth, today) === 0;
  return result;
}

/** The once-per-year idempotency key: automation, contact and local year (components URI-encoded). */
export function greetingKey(automationId: string, contactId: string, year: number): string {
  return `birthday:${encodeURIComponent(automationId)}:${encodeURIComponent(contactId)}:${year}`;
}
