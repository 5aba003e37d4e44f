import { describe, expect, it } from 'vitest';
import { PhoneOutcomes } from '../../src/contacts/phone-outcomes.js';

describe('PhoneOutcomes', () => {
  it('keeps the latest outcome per phone through growth, as a Map would', () => {
    const outcomes = new PhoneOutcomes();
    const reference = new Map<string, string>();
    const kinds = ['created', 'updated', 'unchanged'] as const;
    // Dense runs of one prefix (a loyalty base) and numbers of every length E.164 allows.
    const phones: string[] = [];
    for (let i = 0; i < 30_000; i += 1) phones.push(`+7912${String(i * 7).padStart(7, '0')}`);
    for (let digits = 1; digits <= 15; digits += 1) phones.push(`+${'9'.repeat(digits)}`, `+1${'0'.repeat(digits - 1)}`.slice(0, digits + 1));
    phones.forEach((phone, i) => {
      const kind = kinds[i % 3] ?? 'created';
      outcomes.set(phone, kind);
      reference.set(phone, kind);
    });
    // Rewrites keep the count and change the value.
    for (let i = 0; i < 1000; i += 1) {
      const phone = phones[i * 13] ?? '';
      outcomes.set(phone, 'updated');
      reference.set(phone, 'updated');
    }
    expect(outcomes.size).toBe(reference.size);
    for (const [phone, kind] of reference) expect(outcomes.get(phone)).toBe(kind);
    expect(outcomes.has('+79120000001')).toBe(false);
    expect(outcomes.get('+79129999999')).toBeUndefined();
  });

  it('keeps strings that are not E.164 apart from the numbers they spell', () => {
    const outcomes = new PhoneOutcomes();
    outcomes.set('+79123456789', 'created');
    outcomes.set('79123456789', 'updated');
    outcomes.set('erased', 'unchanged');
    expect([outcomes.get('+79123456789'), outcomes.get('79123456789'), outcomes.get('erased'), outcomes.size]).toEqual(['created', 'updated', 'unchanged', 3]);
  });
});
