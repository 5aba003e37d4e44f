import { describe, expect, it } from 'vitest';
import { compliancePolicySchema, DEFAULT_POLICY } from '../../../src/messages/compliance/policy.js';

describe('compliancePolicySchema', () => {
  it('defaults', () => {
    expect(DEFAULT_POLICY).toEqual({
      quietHours: { start: '21:00', end: '09:00' },
      quietHoursApplyTo: ['marketing'],
      frequencyCap: { max: 2, days: 7 },
      minorsAge: 18,
      blockUnknownAge: false,
      adLabel: { ru: 'Реклама', en: 'Ad' },
      optOutText: { ru: 'Отказ: СТОП в ответ', en: 'Reply STOP to opt out' },
      senderRules: { allowedKinds: ['alphanumeric', 'numeric', 'shortcode'] },
    });
  });

  it('DEFAULT_POLICY is frozen all the way down', () => {
    expect(Object.isFrozen(DEFAULT_POLICY.quietHours)).toBe(true);
    expect(() => {
      (DEFAULT_POLICY.frequencyCap as { max: number }).max = 99;
    }).toThrow(TypeError);
  });

  it('partial overrides keep the other defaults', () => {
    const policy = compliancePolicySchema.parse({ frequencyCap: { max: 3 }, adLabel: { ru: 'РЕКЛАМА' }, quietHoursApplyTo: ['marketing', 'transactional'] });
    expect(policy.frequencyCap).toEqual({ max: 3, days: 7 });
    expect(policy.adLabel).toEqual({ ru: 'РЕКЛАМА', en: 'Ad' });
    expect(policy.quietHours).toEqual({ start: '21:00', end: '09:00' });
  });

  it('no quiet hours only when both ends are written out and equal', () => {
    expect(compliancePolicySchema.parse({ quietHours: { start: '00:00', end: '00:00' } }).quietHours).toEqual({ start: '00:00', end: '00:00' });
    // Only `start` given must not leave `end` at some default that could equal it.
    expect(compliancePolicySchema.safeParse({ quietHours: { start: '09:00' } }).success).toBe(false);
  });

  it.each([
    ['a malformed time', { quietHours: { start: '9:00', end: '21:00' } }],
    ['24:00', { quietHours: { start: '24:00', end: '09:00' } }],
    ['a zero cap', { frequencyCap: { max: 0 } }],
    ['a fractional cap', { frequencyCap: { max: 1.5 } }],
    ['an empty ad label', { adLabel: { ru: ' ' } }],
    ['an empty opt-out text', { optOutText: { en: '' } }],
    ['no kind under quiet hours', { quietHoursApplyTo: [] }],
    ['no sender kind', { senderRules: { allowedKinds: [] } }],
    ['a misspelt key (ignored keys would silently disable a rule)', { quietHour: { start: '22:00', end: '08:00' } }],
  ])('rejects %s', (_name, input) => {
    expect(compliancePolicySchema.safeParse(input).success).toBe(false);
  });
});
