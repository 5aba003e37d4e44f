import { describe, expect, it } from 'vitest';
import { CITY_ZONES } from '../../src/contacts/city-zones.js';
import {
  candidateZones,
  hubspotZoneToIana,
  isValidTimeZone,
  localParts,
  resolveTimezone,
  zoneForCity,
  zonesForCountry,
} from '../../src/contacts/timezone.js';

/** The name Intl itself reports for a zone (Node 20's ICU says Europe/Kiev for Europe/Kyiv). */
const intlName = (zone: string): string => new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;

describe('isValidTimeZone', () => {
  it.each([
    ['Europe/Moscow', true],
    ['America/Port-au-Prince', true],
    ['America/Indiana/Indianapolis', true],
    ['UTC', true],
    ['Europe/Kyiv', true],
    ['Mars/Olympus_Mons', false],
    ['+03:00', false],
    ['', false],
    ['Moscow', false],
  ])('%j → %s', (name, valid) => {
    expect(isValidTimeZone(name)).toBe(valid);
    expect(isValidTimeZone(name)).toBe(valid); // the cached answer agrees
  });
});

describe('hubspotZoneToIana', () => {
  it.each([
    ['america_slash_new_york', 'America/New_York'],
    ['europe_slash_london', 'Europe/London'],
    ['america_slash_port_hyphen_au_hyphen_prince', 'America/Port-au-Prince'],
    ['AMERICA_SLASH_LOS_ANGELES', 'America/Los_Angeles'],
    ['asia_slash_yekaterinburg', 'Asia/Yekaterinburg'],
  ])('%s → %s', (slug, zone) => {
    expect(hubspotZoneToIana(slug)).toBe(zone);
  });

  it('recases names Intl does not list under that spelling', () => {
    expect(hubspotZoneToIana('america_slash_argentina_slash_buenos_aires')).toBe(intlName('America/Argentina/Buenos_Aires'));
  });

  it('rejects slugs that are no zone', () => {
    expect(hubspotZoneToIana('mars_slash_olympus')).toBeUndefined();
    expect(hubspotZoneToIana('')).toBeUndefined();
  });
});

describe('zonesForCountry', () => {
  it('lists the IANA zones of a country, in any case', () => {
    expect(zonesForCountry('ru')).toEqual(expect.arrayContaining(['Europe/Moscow', 'Europe/Kaliningrad', 'Asia/Kamchatka']));
    expect(zonesForCountry('GB')).toEqual(['Europe/London']);
  });

  it('returns [] for unknown countries and hands out copies', () => {
    expect(zonesForCountry('XX')).toEqual([]);
    expect(zonesForCountry('Russia')).toEqual([]);
    zonesForCountry('FR').push('Mars/Olympus');
    expect(zonesForCountry('FR')).toEqual(['Europe/Paris']);
  });
});

describe('zoneForCity', () => {
  it.each([
    ['Москва', 'Europe/Moscow'],
    ['г. Москва', 'Europe/Moscow'],
    ['г Москва', 'Europe/Moscow'],
    ['г.Москва', 'Europe/Moscow'],
    ['город Москва', 'Europe/Moscow'],
    ['MOSCOW', 'Europe/Moscow'],
    ['Москва, Россия', 'Europe/Moscow'],
    ['Санкт-Петербург', 'Europe/Moscow'],
    ['СПб', 'Europe/Moscow'],
    ['Питер', 'Europe/Moscow'],
    ['St. Petersburg', 'Europe/Moscow'],
    ['Калининград', 'Europe/Kaliningrad'],
    ['Самара', 'Europe/Samara'],
    ['Ижевск', 'Europe/Samara'],
    ['Саратов', 'Europe/Saratov'],
    ['Екатеринбург', 'Asia/Yekaterinburg'],
    ['Yekaterinburg', 'Asia/Yekaterinburg'],
    ['Уфа', 'Asia/Yekaterinburg'],
    ['Омск', 'Asia/Omsk'],
    ['Новосибирск', 'Asia/Novosibirsk'],
    ['Кемерово', 'Asia/Novokuznetsk'],
    ['Красноярск', 'Asia/Krasnoyarsk'],
    ['Иркутск', 'Asia/Irkutsk'],
    ['Якутск', 'Asia/Yakutsk'],
    ['Хабаровск', 'Asia/Vladivostok'],
    ['Vladivostok', 'Asia/Vladivostok'],
    ['Магадан', 'Asia/Magadan'],
    ['Петропавловск-Камчатский', 'Asia/Kamchatka'],
    ['петропавловск камчатский', 'Asia/Kamchatka'],
    ['Анадырь', 'Asia/Anadyr'],
    // ё = е, both ways.
    ['Орёл', 'Europe/Moscow'],
    ['Орел', 'Europe/Moscow'],
    ['Королев', 'Europe/Moscow'],
    ['Алматы', 'Asia/Almaty'],
    ['Astana', 'Asia/Almaty'],
    ['Актау', 'Asia/Aqtau'],
    ['Los Angeles', 'America/Los_Angeles'],
    ['Phoenix, AZ', 'America/Phoenix'],
    ['El Paso', 'America/Denver'],
    ['São Paulo', 'America/Sao_Paulo'],
    ['Sao Paulo', 'America/Sao_Paulo'],
  ])('%j → %s', (city, zone) => {
    expect(zoneForCity(city)).toBe(zone);
  });

  it('does not take the start of a name for the "г"/"город" prefix', () => {
    expect(zoneForCity('Городец')).toBeUndefined();
    expect(zoneForCity('Гатчина')).toBeUndefined();
  });

  it('prefers the entry for the given country when a name exists in several', () => {
    expect(zoneForCity('Saint Petersburg', 'US')).toBe('America/New_York');
    expect(zoneForCity('Saint Petersburg', 'RU')).toBe('Europe/Moscow');
    expect(zoneForCity('Saint Petersburg')).toBe('Europe/Moscow');
    // Shared by RU and US, but not in Germany: too ambiguous to pick one.
    expect(zoneForCity('Saint Petersburg', 'DE')).toBeUndefined();
    // Known in one country only: trusted even for a foreign number.
    expect(zoneForCity('Москва', 'US')).toBe('Europe/Moscow');
  });

  it('lists every zone of the table as a real zone of its country', () => {
    for (const [country, zones] of Object.entries(CITY_ZONES)) {
      const countryZones = zonesForCountry(country);
      for (const zone of Object.keys(zones)) {
        expect(isValidTimeZone(zone), zone).toBe(true);
        expect(countryZones, `${country} ${zone}`).toContain(intlName(zone));
      }
    }
  });

  it('maps every listed spelling back to its own zone (no conflicting duplicates)', () => {
    for (const [country, zones] of Object.entries(CITY_ZONES)) {
      for (const [zone, names] of Object.entries(zones)) {
        for (const name of names) expect(zoneForCity(name, country), `${country} ${name}`).toBe(zone);
      }
    }
  });
});

describe('resolveTimezone', () => {
  it('uses a valid explicit zone first, whatever the city and country say', () => {
    expect(resolveTimezone({ explicit: 'Asia/Omsk', city: 'Москва', country: 'RU' })).toEqual({ timezone: 'Asia/Omsk', source: 'explicit' });
    expect(resolveTimezone({ explicit: ' europe/moscow ' })).toEqual({ timezone: 'Europe/Moscow', source: 'explicit' });
    expect(resolveTimezone({ explicit: 'america_slash_new_york' })).toEqual({ timezone: 'America/New_York', source: 'explicit' });
  });

  it('ignores an invalid explicit zone and falls through', () => {
    expect(resolveTimezone({ explicit: 'Mars/Olympus', city: 'Омск', country: 'RU' })).toEqual({ timezone: 'Asia/Omsk', source: 'city' });
    expect(resolveTimezone({ explicit: '+03:00', country: 'DE' })).toEqual({ timezone: 'Europe/Berlin', source: 'country' });
    expect(resolveTimezone({ explicit: 'Mars/Olympus' })).toBeUndefined();
  });

  it.each([
    ['DE', 'Europe/Berlin'], // Europe/Busingen shares Berlin's offsets
    ['GB', 'Europe/London'],
    ['FR', 'Europe/Paris'],
    ['it', 'Europe/Rome'],
    // Kazakhstan moved to one zone (UTC+5) on 2024-03-01; tzdata 2024a+ agrees.
    ['KZ', 'Asia/Almaty'],
  ])('resolves single-zone country %s to %s', (country, zone) => {
    expect(resolveTimezone({ country })).toEqual({ timezone: zone, source: 'country' });
  });

  it('gives up on multi-zone countries without a city', () => {
    for (const country of ['RU', 'US', 'CA', 'BR', 'MX', 'AU', 'ID']) expect(resolveTimezone({ country }), country).toBeUndefined();
    expect(resolveTimezone({ country: 'RU', city: 'Атлантида' })).toBeUndefined();
  });

  it('uses the city in a multi-zone country', () => {
    expect(resolveTimezone({ country: 'RU', city: 'г. Екатеринбург' })).toEqual({ timezone: 'Asia/Yekaterinburg', source: 'city' });
    expect(resolveTimezone({ country: 'US', city: 'Chicago' })).toEqual({ timezone: 'America/Chicago', source: 'city' });
  });
});

describe('candidateZones', () => {
  it('is certain for a resolved zone', () => {
    expect(candidateZones({ city: 'Новосибирск', country: 'RU' }, 'Europe/Moscow')).toEqual({ zones: ['Asia/Novosibirsk'], certain: true, source: 'city' });
    expect(candidateZones({ country: 'DE' }, 'Europe/Moscow')).toEqual({ zones: ['Europe/Berlin'], certain: true, source: 'country' });
    expect(candidateZones({ timezone: 'Asia/Tokyo', country: 'RU' }, 'Europe/Moscow')).toEqual({ zones: ['Asia/Tokyo'], certain: true, source: 'explicit' });
  });

  it('reports a stored zone under its stored source', () => {
    const stored = { timezone: 'Europe/Berlin', timezoneSource: 'country', country: 'DE' } as const;
    expect(candidateZones(stored, 'Europe/Moscow')).toMatchObject({ zones: ['Europe/Berlin'], source: 'country' });
  });

  it('lists one zone per distinct offset for Russia without a city', () => {
    const result = candidateZones({ country: 'RU' }, 'Europe/Moscow');
    expect(result.certain).toBe(false);
    expect(result.source).toBe('country');
    expect(result.zones).toEqual(expect.arrayContaining(['Europe/Kaliningrad', 'Europe/Moscow', 'Asia/Kamchatka']));
    // UTC+2 … +12 with no +1 gap: 11 distinct offsets out of 26 zones.
    expect(result.zones).toHaveLength(11);
    expect(zonesForCountry('RU').length).toBeGreaterThan(result.zones.length);
    // Volgograd and Kirov keep Moscow time; Anadyr keeps Kamchatka's.
    expect(result.zones).not.toContain('Europe/Volgograd');
    expect(result.zones).not.toContain('Europe/Kirov');
    expect(result.zones).not.toContain('Asia/Anadyr');
    expect(result.zones[0]).toBe('Europe/Kaliningrad'); // west to east
    expect(result.zones.at(-1)).toBe('Asia/Kamchatka');
  });

  it('collapses US zones sharing offsets but keeps Arizona apart from Denver', () => {
    const { zones, certain } = candidateZones({ country: 'US' }, 'Europe/Moscow');
    expect(certain).toBe(false);
    expect(zones).toEqual(expect.arrayContaining(['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'Pacific/Honolulu']));
    expect(zones).not.toContain('America/Detroit');
    expect(zones).not.toContain('America/Boise');
    expect(new Set(zones).size).toBe(zones.length);
  });

  it('falls back to the configured default, flagged as a guess', () => {
    expect(candidateZones({}, 'Europe/Moscow')).toEqual({ zones: ['Europe/Moscow'], certain: false, source: 'default' });
    expect(candidateZones({ country: 'XX', timezone: 'nonsense' }, 'Asia/Almaty')).toEqual({ zones: ['Asia/Almaty'], certain: false, source: 'default' });
  });

  it('refuses an invalid default zone', () => {
    expect(() => candidateZones({}, 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });
});

describe('localParts', () => {
  const utc = (iso: string): Date => new Date(iso);

  it.each([
    // Spring forward 2026-03-08: 01:59 EST, then 03:00 EDT one minute later.
    ['2026-03-08T06:59:00Z', 'America/New_York', { year: 2026, month: 3, day: 8, hour: 1, minute: 59, weekday: 0 }],
    ['2026-03-08T07:00:00Z', 'America/New_York', { year: 2026, month: 3, day: 8, hour: 3, minute: 0, weekday: 0 }],
    // Fall back 2026-11-01: 01:30 happens twice, first EDT then EST.
    ['2026-11-01T05:30:00Z', 'America/New_York', { year: 2026, month: 11, day: 1, hour: 1, minute: 30, weekday: 0 }],
    ['2026-11-01T06:30:00Z', 'America/New_York', { year: 2026, month: 11, day: 1, hour: 1, minute: 30, weekday: 0 }],
    ['2026-11-01T07:30:00Z', 'America/New_York', { year: 2026, month: 11, day: 1, hour: 2, minute: 30, weekday: 0 }],
    // Midnight is hour 0, never 24.
    ['2026-01-01T05:00:00Z', 'America/New_York', { year: 2026, month: 1, day: 1, hour: 0, minute: 0, weekday: 4 }],
    // UTC+10 all year: already Saturday in Vladivostok while Friday in UTC.
    ['2026-01-02T20:15:00Z', 'Asia/Vladivostok', { year: 2026, month: 1, day: 3, hour: 6, minute: 15, weekday: 6 }],
    ['2026-07-02T20:15:00Z', 'Asia/Vladivostok', { year: 2026, month: 7, day: 3, hour: 6, minute: 15, weekday: 5 }],
    ['2026-12-31T21:00:00Z', 'Europe/Moscow', { year: 2027, month: 1, day: 1, hour: 0, minute: 0, weekday: 5 }],
  ])('%s in %s', (iso, zone, parts) => {
    expect(localParts(utc(iso), zone)).toEqual(parts);
  });

  it('throws for an unknown zone', () => {
    expect(() => localParts(utc('2026-01-01T00:00:00Z'), 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });
});
