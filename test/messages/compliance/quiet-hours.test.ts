import { describe, expect, it } from 'vitest';
import { candidateZones } from '../../../src/contacts/timezone.js';
import { createQuietHoursChecker, quietHoursDecision, type QuietHoursResult } from '../../../src/messages/compliance/quiet-hours.js';

const DEFAULT = { start: '21:00', end: '09:00' };
const US = candidateZones({ country: 'US' }, 'UTC').zones;
const RU = candidateZones({ country: 'RU' }, 'UTC').zones;

function sendAfter(result: QuietHoursResult): string | null {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}`);
  return result.sendAfter === null ? null : result.sendAfter.toISOString();
}

function decideAt(iso: string, zones: readonly string[], window = DEFAULT): string | null {
  return sendAfter(quietHoursDecision(new Date(iso), zones, window));
}

/** Independent reference: its own formatter, minute-by-minute scan over 48 h. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function localMinute(ms: number, zone: string): number {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  const [h, m] = f.format(new Date(ms)).split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
function quietAt(ms: number, zone: string, start: number, end: number): boolean {
  const m = localMinute(ms, zone);
  if (start === end) return false;
  return start > end ? m >= start || m < end : m >= start && m < end;
}
function reference(atMs: number, zones: readonly string[], start: number, end: number): number | null | 'none' {
  const allowed = (ms: number) => zones.every((zone) => !quietAt(ms, zone, start, end));
  if (allowed(atMs)) return null;
  for (let t = atMs - (atMs % 60_000) + 60_000; t <= atMs + 48 * 3_600_000; t += 60_000) if (allowed(t)) return t;
  return 'none';
}

describe('quietHoursDecision: one zone', () => {
  it.each([
    ['Moscow 20:59 local: send now', '2026-06-01T17:59:00Z', null],
    ['Moscow 20:59:59 local: still the allowed minute', '2026-06-01T17:59:59Z', null],
    ['Moscow 21:00 local: next morning 09:00', '2026-06-01T18:00:00Z', '2026-06-02T06:00:00.000Z'],
    ['Moscow 03:00 local: same morning 09:00', '2026-06-02T00:00:00Z', '2026-06-02T06:00:00.000Z'],
    ['Moscow 08:59:30 local: 09:00', '2026-06-02T05:59:30Z', '2026-06-02T06:00:00.000Z'],
    ['Moscow 09:00 local: send now', '2026-06-02T06:00:00Z', null],
  ])('%s', (_name, at, expected) => {
    expect(decideAt(at, ['Europe/Moscow'])).toBe(expected);
  });

  it('Vladivostok (UTC+10): 21:00 local defers to 09:00 local, which is 23:00 UTC the same UTC day', () => {
    expect(decideAt('2026-06-01T10:59:00Z', ['Asia/Vladivostok'])).toBeNull();
    expect(decideAt('2026-06-01T11:00:00Z', ['Asia/Vladivostok'])).toBe('2026-06-01T23:00:00.000Z');
    expect(decideAt('2026-06-01T22:59:00Z', ['Asia/Vladivostok'])).toBe('2026-06-01T23:00:00.000Z');
  });

  it('Kaliningrad (UTC+2)', () => {
    expect(decideAt('2026-01-15T18:59:00Z', ['Europe/Kaliningrad'])).toBeNull();
    expect(decideAt('2026-01-15T19:00:00Z', ['Europe/Kaliningrad'])).toBe('2026-01-16T07:00:00.000Z');
  });

  it('result carries zones and certainty', () => {
    expect(quietHoursDecision(new Date('2026-06-01T12:00:00Z'), ['Europe/Moscow'], DEFAULT)).toEqual({
      ok: true,
      sendAfter: null,
      zones: ['Europe/Moscow'],
      certain: true,
    });
  });
});

describe('quietHoursDecision: DST in America/New_York', () => {
  it('spring forward 2026-03-08: deferral lands at 09:00 EDT (13:00Z), not 09:00 EST', () => {
    expect(decideAt('2026-03-08T02:30:00Z', ['America/New_York'])).toBe('2026-03-08T13:00:00.000Z'); // 21:30 EST on the 7th
    expect(decideAt('2026-03-08T06:30:00Z', ['America/New_York'])).toBe('2026-03-08T13:00:00.000Z'); // 01:30 EST
    expect(decideAt('2026-03-08T07:30:00Z', ['America/New_York'])).toBe('2026-03-08T13:00:00.000Z'); // 03:30 EDT
  });

  it('fall back 2026-11-01: deferral lands at 09:00 EST (14:00Z), from either pass of 01:00–02:00', () => {
    expect(decideAt('2026-11-01T01:30:00Z', ['America/New_York'])).toBe('2026-11-01T14:00:00.000Z'); // 21:30 EDT on the 31st
    expect(decideAt('2026-11-01T05:30:00Z', ['America/New_York'])).toBe('2026-11-01T14:00:00.000Z'); // 01:30 EDT
    expect(decideAt('2026-11-01T06:30:00Z', ['America/New_York'])).toBe('2026-11-01T14:00:00.000Z'); // 01:30 EST
  });

  it('a window ending inside the spring gap ends when the gap does (03:00 EDT)', () => {
    expect(decideAt('2026-03-08T06:30:00Z', ['America/New_York'], { start: '23:00', end: '02:30' })).toBe('2026-03-08T07:00:00.000Z');
  });

  it('a window inside the repeated autumn hour is quiet on both passes', () => {
    const window = { start: '01:15', end: '01:45' };
    expect(decideAt('2026-11-01T05:20:00Z', ['America/New_York'], window)).toBe('2026-11-01T05:45:00.000Z'); // 01:20 EDT
    expect(decideAt('2026-11-01T05:50:00Z', ['America/New_York'], window)).toBeNull(); // 01:50 EDT
    expect(decideAt('2026-11-01T06:20:00Z', ['America/New_York'], window)).toBe('2026-11-01T06:45:00.000Z'); // 01:20 EST
  });
});

describe('quietHoursDecision: uncertain zones', () => {
  it('US without a city: the deferral suits all US candidate zones, and not a minute earlier would', () => {
    expect(US.length).toBeGreaterThan(5);
    const at = '2026-06-02T01:00:00Z'; // 21:00 in New York
    const result = quietHoursDecision(new Date(at), US, DEFAULT);
    expect(result).toMatchObject({ ok: true, certain: false });
    expect(sendAfter(result)).toBe('2026-06-02T19:00:00.000Z'); // 09:00 Honolulu, 15:00 New York
    const ms = Date.parse('2026-06-02T19:00:00Z');
    for (const zone of US) expect(quietAt(ms, zone, 21 * 60, 9 * 60)).toBe(false);
    expect(US.some((zone) => quietAt(ms - 60_000, zone, 21 * 60, 9 * 60))).toBe(true);
  });

  it('US without a city at 20:30 New York / 14:30 Honolulu: fine now', () => {
    expect(decideAt('2026-06-02T00:30:00Z', US)).toBeNull();
  });

  it('RU without a city: Kaliningrad (UTC+2) to Kamchatka (UTC+12) still share 07:00–09:00 UTC for 09–21', () => {
    expect(RU).toContain('Europe/Kaliningrad');
    expect(RU).toContain('Asia/Kamchatka');
    expect(decideAt('2026-06-01T12:00:00Z', RU)).toBe('2026-06-02T07:00:00.000Z');
    expect(decideAt('2026-06-02T08:59:00Z', RU)).toBeNull();
    expect(decideAt('2026-06-02T09:00:00Z', RU)).toBe('2026-06-03T07:00:00.000Z');
  });

  it('RU without a city and a 10-hour allowed window: no common window', () => {
    const result = quietHoursDecision(new Date('2026-06-01T12:00:00Z'), RU, { start: '19:00', end: '09:00' });
    expect(result).toEqual({ ok: false, reason: 'no_common_window', zones: RU });
  });

  it('one more minute of allowed time (quiet from 19:01) opens a one-minute common window', () => {
    expect(decideAt('2026-06-01T12:00:00Z', RU, { start: '19:01', end: '09:00' })).toBe('2026-06-02T07:00:00.000Z');
  });
});

describe('quietHoursDecision: window shapes', () => {
  const lunch = { start: '13:00', end: '14:00' };
  it.each([
    ['12:59 Moscow', '2026-06-01T09:59:00Z', null],
    ['13:00 Moscow', '2026-06-01T10:00:00Z', '2026-06-01T11:00:00.000Z'],
    ['13:59:59 Moscow', '2026-06-01T10:59:59Z', '2026-06-01T11:00:00.000Z'],
    ['14:00 Moscow', '2026-06-01T11:00:00Z', null],
    ['23:00 Moscow', '2026-06-01T20:00:00Z', null],
  ])('a window that does not cross midnight (13:00–14:00): %s', (_name, at, expected) => {
    expect(decideAt(at, ['Europe/Moscow'], lunch)).toBe(expected);
  });

  it('start === end: no quiet hours, even across all Russian zones at 03:00 Moscow', () => {
    expect(decideAt('2026-06-02T00:00:00Z', RU, { start: '00:00', end: '00:00' })).toBeNull();
    expect(decideAt('2026-06-02T00:00:00Z', ['Europe/Moscow'], { start: '21:00', end: '21:00' })).toBeNull();
  });

  it('rejects malformed windows and an empty zone list', () => {
    expect(() => quietHoursDecision(new Date('2026-06-01T00:00:00Z'), ['Europe/Moscow'], { start: '9:00', end: '21:00' })).toThrow(/HH:MM/);
    expect(() => quietHoursDecision(new Date('2026-06-01T00:00:00Z'), ['Europe/Moscow'], { start: '24:00', end: '09:00' })).toThrow();
    expect(() => quietHoursDecision(new Date('2026-06-01T00:00:00Z'), [], DEFAULT)).toThrow(/at least one time zone/);
    expect(() => quietHoursDecision(new Date('not a date'), ['Europe/Moscow'], DEFAULT)).toThrow(/valid send time/);
  });
});

describe('quietHoursDecision agrees with a minute-by-minute scan', () => {
  // Deterministic pseudo-random cases (mulberry32), around both 2026 US DST switches and in between.
  let seed = 20260308;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const zoneSets: (readonly string[])[] = [['America/New_York'], ['Europe/Moscow'], ['Australia/Lord_Howe'], ['Asia/Kolkata', 'Europe/London'], US];
  const windows = [DEFAULT, { start: '13:00', end: '14:00' }, { start: '22:30', end: '02:15' }, { start: '08:00', end: '07:59' }];
  const bases = [Date.parse('2026-03-07T00:00:00Z'), Date.parse('2026-10-31T00:00:00Z'), Date.parse('2026-04-04T00:00:00Z')];
  const cases = Array.from({ length: 45 }, () => ({
    atMs: (bases[Math.floor(random() * bases.length)] ?? 0) + Math.floor(random() * 3 * 86_400_000),
    zones: zoneSets[Math.floor(random() * zoneSets.length)] ?? [],
    window: windows[Math.floor(random() * windows.length)] ?? DEFAULT,
  }));
  it.each(cases)('at $atMs, $zones.length zone(s), $window.start–$window.end', ({ atMs, zones, window }) => {
    const [sh, sm] = window.start.split(':').map(Number);
    const [eh, em] = window.end.split(':').map(Number);
    const expected = reference(atMs, zones, (sh ?? 0) * 60 + (sm ?? 0), (eh ?? 0) * 60 + (em ?? 0));
    const result = quietHoursDecision(new Date(atMs), zones, window);
    if (expected === 'none') expect(result.ok).toBe(false);
    else expect(result.ok && (result.sendAfter === null ? null : result.sendAfter.getTime())).toBe(expected);
  });
});

describe('createQuietHoursChecker', () => {
  it('memoised answers equal the direct ones and never share a mutable Date', () => {
    const check = createQuietHoursChecker(DEFAULT);
    const at = new Date('2026-06-01T18:00:00Z');
    const first = check(at, ['Europe/Moscow']);
    const second = check(new Date(at.getTime()), ['Europe/Moscow']);
    expect(first).toEqual(quietHoursDecision(at, ['Europe/Moscow'], DEFAULT));
    expect(second).toEqual(first);
    if (!first.ok || !second.ok || first.sendAfter === null) throw new Error('expected a deferral');
    first.sendAfter.setTime(0);
    expect(second.sendAfter?.toISOString()).toBe('2026-06-02T06:00:00.000Z');
    expect(sendAfter(check(at, ['Europe/Moscow']))).toBe('2026-06-02T06:00:00.000Z');
  });

  it('keys by zones and by at', () => {
    const check = createQuietHoursChecker(DEFAULT);
    const at = new Date('2026-06-01T18:00:00Z');
    expect(sendAfter(check(at, ['Europe/Kaliningrad']))).toBeNull();
    expect(sendAfter(check(at, ['Europe/Moscow']))).toBe('2026-06-02T06:00:00.000Z');
    expect(sendAfter(check(at, ['Europe/Kaliningrad', 'Europe/Moscow']))).toBe('2026-06-02T07:00:00.000Z');
    expect(sendAfter(check(new Date('2026-06-01T17:00:00Z'), ['Europe/Moscow']))).toBeNull();
    expect(check(at, RU).ok).toBe(true);
  });

  it('validates the window when created', () => {
    expect(() => createQuietHoursChecker({ start: 'late', end: '09:00' })).toThrow(/HH:MM/);
  });
});
