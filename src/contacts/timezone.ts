import { AppError } from '../common/errors.js';
import { CITY_ZONES, REPRESENTATIVE_ZONES } from './city-zones.js';
import type { TimezoneSource } from './contact.js';
import { memoByString } from '../common/memo.js';

export type LocalParts = { year: number; month: number; day: number; hour: number; minute: number; weekday: number };
export type ZoneCandidates = { zones: string[]; certain: boolean; source: TimezoneSource | 'default' };

/**
 * Two zones "agree" when their UTC offsets match on both dates: one in each hemisphere's summer, so
 * DST and standard time are both compared. A fixed year keeps results independent of the clock;
 * zones that differ only in the exact DST switch dates (a few days a year) count as one.
 */
const REFERENCE_DATES = [new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2026, 6, 1))] as const;

/** IANA names only: Intl would also take "+03:00", which is an offset, not a zone. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
/** Caps the memo of rejected names, which come from arbitrary CSV cells. */
const VALIDITY_CACHE_LIMIT = 10_000;
const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

const PREFERRED_ZONES: ReadonlySet<string> = new Set(REPRESENTATIVE_ZONES);

/** One formatter per zone: building one costs ~60 µs, formatting with a cached one ~2 µs. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat | undefined {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    try {
      // h23, not hour12: false, which some ICU versions render as "24" at midnight.
      const fields = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' } as const;
      formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'short', ...fields });
    } catch {
      return undefined;
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

const validity = new Map<string, boolean>();

/** True when `name` is an IANA zone name this runtime's Intl knows. */
export function isValidTimeZone(name: string): boolean {
  const cached = validity.get(name);
  if (cached !== undefined) return cached;
  const valid = ZONE_NAME.test(name) && formatterFor(name) !== undefined;
  if (valid || validity.size < VALIDITY_CACHE_LIMIT) validity.set(name, valid);
  return valid;
}

let canonicalByLower: Map<string, string> | undefined;

/**
 * The properly cased name of a valid zone. Names missing from Intl's list (newer aliases such as
 * Europe/Kyiv on ICU that still says Kiev) are kept as the caller spelled them, unless all lower case
 * (HubSpot slugs), where Intl's resolved name restores the casing.
 */
function canonicalZone(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return undefined;
  if (canonicalByLower === undefined) {
    canonicalByLower = new Map(Intl.supportedValuesOf('timeZone').map((zone) => [zone.toLowerCase(), zone]));
  }
  const known = canonicalByLower.get(trimmed.toLowerCase());
  if (known !== undefined) return known;
  if (!isValidTimeZone(trimmed)) return undefined;
  return trimmed === trimmed.toLowerCase() ? formatterFor(trimmed)?.resolvedOptions().timeZone : trimmed;
}

/** HubSpot's hs_timezone slug ("america_slash_port_hyphen_au_hyphen_prince") as an IANA name. */
export function hubspotZoneToIana(slug: string): string | undefined {
  const name = slug.trim().toLowerCase().replaceAll('_slash_', '/').replaceAll('_hyphen_', '-');
  return canonicalZone(name);
}

/** Wall-clock fields of `at` in `zone`; weekday follows Date#getDay (0 = Sunday … 6 = Saturday). */
export function localParts(at: Date, zone: string): LocalParts {
  const formatter = formatterFor(zone);
  if (formatter === undefined) throw new AppError('VALIDATION_FAILED', `Unknown time zone "${zone}"`);
  const parts: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, weekday: 0 };
  for (const part of formatter.formatToParts(at)) {
    switch (part.type) {
      case 'year':
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
        parts[part.type] = Number(part.value);
        break;
      case 'weekday':
        parts.weekday = WEEKDAYS[part.value] ?? 0;
        break;
      default:
        break;
    }
  }
  return parts;
}

/** Minutes east of UTC; the reference dates fall on whole minutes, so no rounding is needed. */
function offsetMinutes(zone: string, at: Date): number {
  const p = localParts(at, zone);
  return (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - at.getTime()) / 60_000;
}

type LocaleWithZones = { getTimeZones?: () => string[]; timeZones?: string[] };
const NO_ZONES: readonly string[] = Object.freeze([]);
const zonesByCountry = new Map<string, readonly string[]>();
const representativesByCountry = new Map<string, readonly string[]>();

function countryCode(country: string): string | undefined {
  const cc = country.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(cc) ? cc : undefined;
}

function countryZones(cc: string): readonly string[] {
  let zones = zonesByCountry.get(cc);
  if (zones === undefined) {
    try {
      // Node 20's V8 exposes a getter; newer V8 replaced it with a method.
      const locale = new Intl.Locale(`und-${cc}`) as Intl.Locale & LocaleWithZones;
      zones = (typeof locale.getTimeZones === 'function' ? locale.getTimeZones() : locale.timeZones) ?? NO_ZONES;
    } catch {
      zones = NO_ZONES;
    }
    zonesByCountry.set(cc, zones);
  }
  return zones;
}

/** IANA zones Intl lists for an ISO 3166-1 alpha-2 country; [] when unknown. */
export function zonesForCountry(country: string): string[] {
  const cc = countryCode(country);
  return cc === undefined ? [] : [...countryZones(cc)];
}

/** One zone per distinct pair of reference offsets, west to east. Length 1 = a single-zone country. */
function countryRepresentatives(country: string): readonly string[] {
  const cc = countryCode(country);
  if (cc === undefined) return NO_ZONES;
  let representatives = representativesByCountry.get(cc);
  if (representatives === undefined) {
    const groups = new Map<string, { offsets: number[]; zone: string }>();
    for (const zone of countryZones(cc)) {
      const offsets = REFERENCE_DATES.map((at) => offsetMinutes(zone, at));
      const key = offsets.join('/');
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { offsets, zone });
      else if (!PREFERRED_ZONES.has(group.zone) && PREFERRED_ZONES.has(zone)) group.zone = zone;
    }
    representatives = [...groups.values()]
      .sort((a, b) => (a.offsets[0] ?? 0) - (b.offsets[0] ?? 0) || (a.offsets[1] ?? 0) - (b.offsets[1] ?? 0))
      .map((group) => group.zone);
    representativesByCountry.set(cc, representatives);
  }
  return representatives;
}

type CityEntry = { country: string; zone: string };
let cityIndex: Map<string, CityEntry[]> | undefined;
/** "г. Москва", "г Москва", "гор. Москва", "город Москва"; a bare "г" must be followed by a separator. */
const CITY_PREFIX = /^(?:город|гор|г)(?:\.\s*|\s+)/u;
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]/gu;

/** Lower case, no prefix, no punctuation or spaces; NFD then dropping marks folds ё→е and é→e. */
function cityKey(name: string): string {
  return name.trim().toLowerCase().replace(CITY_PREFIX, '').normalize('NFD').replace(NOT_LETTER_OR_DIGIT, '');
}

function cityEntries(key: string): CityEntry[] | undefined {
  if (cityIndex === undefined) {
    cityIndex = new Map();
    for (const [country, zones] of Object.entries(CITY_ZONES)) {
      for (const [zone, names] of Object.entries(zones)) {
        for (const name of names) {
          const key = cityKey(name);
          const entries = cityIndex.get(key) ?? [];
          // First spelling wins within a country; the table test guards against conflicting repeats.
          if (!entries.some((entry) => entry.country === country)) entries.push({ country, zone });
          cityIndex.set(key, entries);
        }
      }
    }
  }
  return cityIndex.get(key);
}

/**
 * Zone of a known city. The given country wins when the name exists in several; a name known in one
 * country only is trusted even for a foreign number (a Muscovite with a US SIM still lives in Moscow);
 * a name shared by other countries but not the given one is too ambiguous to use.
 */
export function zoneForCity(city: string, country?: string): string | undefined {
  const cc = country ?? '';
  return cityZones(`${cc.length}:${cc}${city}`) ?? undefined;
}

/** zoneForCity per "length of the country:country city": a list names a few hundred cities, 100,000 times. */
const cityZones = memoByString((key) => {
  const colon = key.indexOf(':');
  const end = colon + 1 + Number(key.slice(0, colon));
  // No country and an empty one resolve alike (countryCode('') is undefined).
  return lookUpCity(key.slice(end), key.slice(colon + 1, end)) ?? null;
}, 20_000);

function lookUpCity(city: string, country: string | undefined): string | undefined {
  let entries = cityEntries(cityKey(city));
  const comma = city.indexOf(',');
  // "Москва, Россия", "Phoenix, AZ": the part before the comma is the city.
  if (entries === undefined && comma > 0) entries = cityEntries(cityKey(city.slice(0, comma)));
  if (entries === undefined) return undefined;
  const cc = country === undefined ? undefined : countryCode(country);
  const own = cc === undefined ? undefined : entries.find((entry) => entry.country === cc);
  if (own !== undefined) return own.zone;
  // Without a country, table order decides: Russia is listed first as the main market.
  if (entries.length === 1 || cc === undefined) return entries[0]?.zone;
  return undefined;
}

/**
 * The contact's zone: explicit (IANA name or HubSpot slug; an invalid one is ignored), else its
 * city's, else its country's when the country keeps one offset. Undefined when only a guess remains.
 */
export function resolveTimezone(input: {
  explicit?: string;
  city?: string;
  country?: string;
}): { timezone: string; source: TimezoneSource } | undefined {
  if (input.explicit !== undefined && input.explicit.trim() !== '') {
    const zone = canonicalZone(input.explicit) ?? hubspotZoneToIana(input.explicit);
    if (zone !== undefined) return { timezone: zone, source: 'explicit' };
  }
  if (input.city !== undefined && input.city.trim() !== '') {
    const zone = zoneForCity(input.city, input.country);
    if (zone !== undefined) return { timezone: zone, source: 'city' };
  }
  if (input.country !== undefined) {
    const representatives = countryRepresentatives(input.country);
    if (representatives.length === 1 && representatives[0] !== undefined) {
      return { timezone: representatives[0], source: 'country' };
    }
  }
  return undefined;
}

/**
 * Zones a send time must suit. Uncertain when the contact only has a multi-zone country (one zone
 * per distinct offset, so quiet hours hold everywhere the recipient may be) or nothing at all (the
 * configured default). `timezoneSource`, when the contact already stores one, is reported back as is.
 */
export function candidateZones(
  input: { timezone?: string; city?: string; country?: string; timezoneSource?: TimezoneSource },
  defaultZone: string,
): ZoneCandidates {
  const resolved = resolveTimezone({ explicit: input.timezone, city: input.city, country: input.country });
  if (resolved !== undefined) {
    const source = resolved.source === 'explicit' ? (input.timezoneSource ?? 'explicit') : resolved.source;
    return { zones: [resolved.timezone], certain: true, source };
  }
  if (input.country !== undefined) {
    const representatives = countryRepresentatives(input.country);
    if (representatives.length > 1) return { zones: [...representatives], certain: false, source: 'country' };
  }
  const fallback = canonicalZone(defaultZone);
  if (fallback === undefined) {
    throw new AppError('CONFIG_INVALID', `Default time zone "${defaultZone}" is not a valid IANA zone`, {
      hint: 'Set the default timezone to an IANA name such as Europe/Moscow.',
    });
  }
  return { zones: [fallback], certain: false, source: 'default' };
}
