import { ageOn } from '../../segments/date-conditions.js';
import { localDateIn, type LocalDay } from '../../segments/local-date.js';
import { parseIsoDate } from '../../segments/values.js';

/**
 * Minors and marketing (CONTRACTS.md Part B §6.4: never market to a minor; block unknown ages where
 * the policy says so). The age counts in the contact's own zone: the birthday starts at local
 * midnight. With several candidate zones the contact is a minor if it is one in any of them, i.e.
 * on the earliest local date — the safe side.
 */

export type AgeStatus = 'adult' | 'minor' | 'unknown';

export type TodayIn = (at: Date, zone: string) => LocalDay;

/** "Today" per (at, zone), memoised: a plan has one `at` and a few dozen zones. */
export function createTodayLookup(maxEntries = 10_000): TodayIn {
  const cache = new Map<string, LocalDay>();
  return (at, zone) => {
    const key = `${at.getTime()}|${zone}`;
    let today = cache.get(key);
    if (today === undefined) {
      today = localDateIn(at, zone);
      if (cache.size >= maxEntries) cache.clear();
      cache.set(key, today);
    }
    return today;
  };
}

const defaultToday = createTodayLookup();

/**
 * `unknown` when there is no birth date, it is not a real calendar date, or it lies after today
 * (a typo cannot prove adulthood); `minor` when younger than `minorsAge` in any zone, which wins.
 */
export function ageStatus(
  birthDate: string | undefined,
  at: Date,
  zones: readonly string[],
  minorsAge: number,
  todayIn: TodayIn = defaultToday,
): AgeStatus {
  const birth = birthDate === undefined ? undefined : parseIsoDate(birthDate);
  if (birth === undefined) return 'unknown';
  let unknown = false;
  for (const zone of zones) {
    const age = ageOn(birth, todayIn(at, zone));
    if (age === undefined) unknown = true;
    else if (age < minorsAge) return 'minor';
  }
  return unknown ? 'unknown' : 'adult';
}
