import { describe, expect, it } from 'vitest';
import { candidateZones } from '../../../src/contacts/timezone.js';
import { ageStatus } from '../../../src/messages/compliance/age.js';

const US = candidateZones({ country: 'US' }, 'UTC').zones;

describe('ageStatus: the 18th birthday in the contact zone', () => {
  // Born 2008-06-02: 18 from local midnight on 2026-06-02.
  it.each([
    ['Vladivostok 23:59 on 1 June', '2026-06-01T13:59:00Z', ['Asia/Vladivostok'], 'minor'],
    ['Vladivostok 00:00 on 2 June', '2026-06-01T14:00:00Z', ['Asia/Vladivostok'], 'adult'],
    ['Moscow 17:00 on 1 June (same instant)', '2026-06-01T14:00:00Z', ['Europe/Moscow'], 'minor'],
    ['Moscow 00:00 on 2 June', '2026-06-01T21:00:00Z', ['Europe/Moscow'], 'adult'],
    ['US without a city: New York already 2 June, Honolulu still 1 June', '2026-06-02T04:00:00Z', US, 'minor'],
    ['US without a city: 2 June everywhere', '2026-06-02T10:00:00Z', US, 'adult'],
  ])('%s → %s', (_name, at, zones, expected) => {
    expect(ageStatus('2008-06-02', new Date(at), zones, 18)).toBe(expected);
  });

  it('the age limit is configurable', () => {
    expect(ageStatus('2006-01-01', new Date('2026-06-01T12:00:00Z'), ['Europe/Moscow'], 21)).toBe('minor');
    expect(ageStatus('2006-01-01', new Date('2026-06-01T12:00:00Z'), ['Europe/Moscow'], 18)).toBe('adult');
  });

  it('29 February: 18 on 1 March of a common year', () => {
    expect(ageStatus('2008-02-29', new Date('2026-02-28T12:00:00Z'), ['Europe/Moscow'], 18)).toBe('minor');
    expect(ageStatus('2008-02-29', new Date('2026-03-01T12:00:00Z'), ['Europe/Moscow'], 18)).toBe('adult');
  });

  it.each([
    ['missing', undefined],
    ['not a calendar date', '2000-02-30'],
    ['in the future', '2030-01-01'],
  ])('unknown when %s', (_name, birthDate) => {
    expect(ageStatus(birthDate, new Date('2026-06-01T12:00:00Z'), ['Europe/Moscow'], 18)).toBe('unknown');
  });

  it('born today in one candidate zone, tomorrow in another: a minor, not unknown', () => {
    expect(ageStatus('2026-06-02', new Date('2026-06-02T04:00:00Z'), US, 18)).toBe('minor');
  });
});
