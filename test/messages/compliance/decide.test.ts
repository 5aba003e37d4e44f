import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../src/contacts/contact.js';
import { UNKNOWN_CONSENT, type ConsentState } from '../../../src/consent/consent.js';
import { createRecipientChecker, type RecipientCheckInput } from '../../../src/messages/compliance/decide.js';
import { compliancePolicySchema, DEFAULT_POLICY } from '../../../src/messages/compliance/policy.js';
import { makeContact } from '../../helpers/factories.js';

const OPTED_IN: ConsentState = { marketing: 'opted_in', transactionalAllowed: true, lockedByRecipient: false };
const MARKETING_OUT: ConsentState = { marketing: 'opted_out', transactionalAllowed: true, lockedByRecipient: true };
const ALL_OUT: ConsentState = { marketing: 'opted_out', transactionalAllowed: false, lockedByRecipient: true };

const DAY = 86_400_000;
/** 15:00 in Moscow: outside quiet hours. */
const NOON = new Date('2026-06-01T12:00:00Z');
/** 22:00 in Moscow: inside quiet hours, which end at 06:00Z the next day. */
const LATE = new Date('2026-06-01T19:00:00Z');

const moscow = (overrides: Partial<Contact> = {}): Contact => makeContact({ timezone: 'Europe/Moscow', country: 'RU', ...overrides });

function input(overrides: Partial<RecipientCheckInput> = {}): RecipientCheckInput {
  return {
    contact: moscow(),
    consent: OPTED_IN,
    kind: 'marketing',
    at: NOON,
    previousMarketing: [],
    defaultZone: 'Europe/Moscow',
    ...overrides,
  };
}

const check = createRecipientChecker(DEFAULT_POLICY);

describe('createRecipientChecker: each rule', () => {
  it('an opted-in adult in Moscow at 15:00: send now, zone certain', () => {
    expect(check(input())).toEqual({ ok: true, sendAfter: null, zones: ['Europe/Moscow'], zoneCertain: true });
  });

  it('marketing opt-out → opted_out; opt-out of everything → opted_out for both kinds', () => {
    expect(check(input({ consent: MARKETING_OUT }))).toEqual({ ok: false, reason: 'opted_out' });
    expect(check(input({ consent: ALL_OUT }))).toEqual({ ok: false, reason: 'opted_out' });
    expect(check(input({ consent: ALL_OUT, kind: 'transactional' }))).toEqual({ ok: false, reason: 'opted_out' });
  });

  it('marketing without an opt-in → no_consent; unknown consent (undefined) too', () => {
    expect(check(input({ consent: UNKNOWN_CONSENT }))).toEqual({ ok: false, reason: 'no_consent' });
    expect(check(input({ consent: undefined }))).toEqual({ ok: false, reason: 'no_consent' });
  });

  it('transactional: consent unknown or marketing opt-out do not block, quiet hours do not apply by default', () => {
    expect(check(input({ consent: undefined, kind: 'transactional', at: LATE }))).toMatchObject({ ok: true, sendAfter: null });
    expect(check(input({ consent: MARKETING_OUT, kind: 'transactional', at: LATE }))).toMatchObject({ ok: true, sendAfter: null });
  });

  it('transactional: no minor, age or frequency checks', () => {
    const contact = moscow({ birthDate: '2012-01-01' });
    const previous = [new Date(NOON.getTime() - DAY), new Date(NOON.getTime() - 2 * DAY)];
    expect(check(input({ contact, kind: 'transactional', previousMarketing: previous })).ok).toBe(true);
  });

  it('transactional waits for quiet hours when the policy says so', () => {
    const strict = createRecipientChecker(compliancePolicySchema.parse({ quietHoursApplyTo: ['marketing', 'transactional'] }));
    const result = strict(input({ kind: 'transactional', consent: undefined, at: LATE }));
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.sendAfter?.toISOString()).toBe('2026-06-02T06:00:00.000Z');
  });

  it('marketing at 22:00 Moscow is deferred to 09:00 Moscow', () => {
    const result = check(input({ at: LATE }));
    expect(result.ok && result.sendAfter?.toISOString()).toBe('2026-06-02T06:00:00.000Z');
  });

  it('minors: 18 from local midnight of the birthday in the contact zone', () => {
    const vladivostok = makeContact({ city: 'Владивосток', country: 'RU', birthDate: '2008-06-02' });
    expect(check(input({ contact: vladivostok, at: new Date('2026-06-01T13:59:00Z') }))).toEqual({ ok: false, reason: 'minor' });
    expect(check(input({ contact: vladivostok, at: new Date('2026-06-01T14:00:00Z') })).ok).toBe(true);
    expect(check(input({ contact: moscow({ birthDate: '2008-06-02' }), at: new Date('2026-06-01T14:00:00Z') }))).toEqual({ ok: false, reason: 'minor' });
  });

  it('unknown age: allowed by default, age_unknown with blockUnknownAge', () => {
    const blocking = createRecipientChecker(compliancePolicySchema.parse({ blockUnknownAge: true }));
    expect(check(input()).ok).toBe(true);
    expect(blocking(input())).toEqual({ ok: false, reason: 'age_unknown' });
    expect(blocking(input({ contact: moscow({ birthDate: '2000-02-30' }) }))).toEqual({ ok: false, reason: 'age_unknown' });
    expect(blocking(input({ contact: moscow({ birthDate: '1990-05-05' }) })).ok).toBe(true);
    expect(blocking(input({ kind: 'transactional' })).ok).toBe(true);
  });

  it('frequency cap: two marketing messages in the last week → frequency_cap', () => {
    const previous = [new Date(NOON.getTime() - DAY), new Date(NOON.getTime() - 5 * DAY)];
    expect(check(input({ previousMarketing: previous }))).toEqual({ ok: false, reason: 'frequency_cap' });
    expect(check(input({ previousMarketing: previous.slice(0, 1) })).ok).toBe(true);
  });

  it('frequency cap is counted at the deferred send time', () => {
    // At 19:00Z the pair spans 6 d 23 h; at the deferred 06:00Z it spans 7 d 10 h.
    const previous = [new Date('2026-05-25T20:00:00Z'), new Date('2026-05-30T00:00:00Z')];
    const result = check(input({ at: LATE, previousMarketing: previous }));
    expect(result.ok && result.sendAfter?.toISOString()).toBe('2026-06-02T06:00:00.000Z');
  });

  it('US number without a city: all US candidate zones, zone not certain, deferral suits all', () => {
    const contact = makeContact({ phone: '+12125550123', country: 'US' });
    const result = check(input({ contact, at: new Date('2026-06-02T01:00:00Z') }));
    expect(result).toMatchObject({ ok: true, zoneCertain: false });
    if (!result.ok) throw new Error('expected ok');
    expect(result.zones).toContain('Pacific/Honolulu');
    expect(result.zones).toContain('America/New_York');
    expect(result.sendAfter?.toISOString()).toBe('2026-06-02T19:00:00.000Z');
  });

  it('no zone information at all: the default zone, not certain', () => {
    const contact = makeContact({ phone: '+447700900123' });
    expect(check(input({ contact, defaultZone: 'Europe/London' }))).toEqual({ ok: true, sendAfter: null, zones: ['Europe/London'], zoneCertain: false });
  });

  it('no common window → timezone_uncertain', () => {
    const narrow = createRecipientChecker(compliancePolicySchema.parse({ quietHours: { start: '19:00', end: '09:00' } }));
    const contact = makeContact({ country: 'RU' });
    expect(narrow(input({ contact }))).toEqual({ ok: false, reason: 'timezone_uncertain' });
    // The default 21:00–09:00 leaves Russia a common 07:00–09:00 UTC window.
    const result = check(input({ contact }));
    expect(result.ok && result.sendAfter?.toISOString()).toBe('2026-06-02T07:00:00.000Z');
  });
});

describe('createRecipientChecker: order of checks', () => {
  const minor = moscow({ birthDate: '2012-01-01' });
  const recent = [new Date(NOON.getTime() - DAY), new Date(NOON.getTime() - 2 * DAY)];

  it('an opted-out minor is opted_out', () => {
    expect(check(input({ contact: minor, consent: MARKETING_OUT }))).toEqual({ ok: false, reason: 'opted_out' });
  });

  it('a minor without consent is no_consent', () => {
    expect(check(input({ contact: minor, consent: UNKNOWN_CONSENT }))).toEqual({ ok: false, reason: 'no_consent' });
  });

  it('a capped minor is minor', () => {
    expect(check(input({ contact: minor, previousMarketing: recent }))).toEqual({ ok: false, reason: 'minor' });
  });

  it('a capped contact with no common window is frequency_cap', () => {
    const narrow = createRecipientChecker(compliancePolicySchema.parse({ quietHours: { start: '19:00', end: '09:00' } }));
    expect(narrow(input({ contact: makeContact({ country: 'RU' }), previousMarketing: recent }))).toEqual({ ok: false, reason: 'frequency_cap' });
  });

  it('results do not leak state between contacts (memoised zones and quiet hours)', () => {
    const first = check(input({ at: LATE }));
    const second = check(input({ at: LATE, contact: moscow() }));
    if (!first.ok || !second.ok || first.sendAfter === null) throw new Error('expected deferrals');
    first.sendAfter.setTime(0);
    expect(second.sendAfter?.toISOString()).toBe('2026-06-02T06:00:00.000Z');
    expect(() => first.zones.push('UTC')).toThrow(TypeError);
  });
});
