import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/common/errors.js';
import { describeFilter, parseFilter, parseSegment, segmentSchema } from '../../src/segments/index.js';
import { thrown } from './fixtures.js';

describe('describeFilter', () => {
  it('summarises a tree on one line', () => {
    const filter = parseFilter({
      and: [
        { field: 'city', op: 'eq', value: 'Москва' },
        { or: [{ field: 'interests', op: 'has_any', value: ['sport'] }] },
        { field: 'birthDate', op: 'birthday_in_days', value: 7 },
      ],
    });
    expect(describeFilter(filter)).toBe('city = "Москва" AND (interests has any of ["sport"]) AND birthday in 0..7 days');
  });

  it('covers every operator shape', () => {
    expect(describeFilter({ field: 'city', op: 'not_in', value: ['A', 'B'] })).toBe('city not in ["A", "B"]');
    expect(describeFilter({ field: 'properties.spent', op: 'between', value: [1, 5] })).toBe('properties.spent between 1 and 5');
    expect(describeFilter({ field: 'properties.spent', op: 'gte', value: 100 })).toBe('properties.spent >= 100');
    expect(describeFilter({ field: 'createdAt', op: 'within_last_days', value: 30 })).toBe('createdAt within last 30 days');
    expect(describeFilter({ field: 'phone', op: 'starts_with', value: '+7912' })).toBe('phone starts with "+7912"');
    expect(describeFilter({ field: 'tags', op: 'is_unknown' })).toBe('tags is unknown');
    expect(describeFilter({ field: 'birthDate', op: 'birthday_in_days', value: 0 })).toBe('birthday today');
    expect(describeFilter({ field: 'birthDate', op: 'age_lt', value: 18 })).toBe('age < 18');
  });

  it('names empty groups and negations', () => {
    expect(describeFilter({ and: [] })).toBe('all contacts');
    expect(describeFilter({ or: [] })).toBe('no contacts');
    expect(describeFilter({ not: { or: [{ field: 'city', op: 'eq', value: 'A' }, { field: 'city', op: 'eq', value: 'B' }] } })).toBe(
      'NOT (city = "A" OR city = "B")',
    );
  });
});

describe('segmentSchema', () => {
  const base = { filter: { and: [] }, createdAt: '2026-05-01T00:00:00.000Z', updatedAt: '2026-05-01T00:00:00.000Z' };

  it('accepts Cyrillic names with digits, spaces and -_.', () => {
    expect(segmentSchema.parse({ ...base, name: ' Именинники мая_2026-v1.2 ' }).name).toBe('Именинники мая_2026-v1.2');
  });

  it.each([
    ['', 'a segment name cannot be empty'],
    ['x'.repeat(65), 'a segment name has at most 64 characters'],
    ['VIP!', 'a segment name may contain letters, digits, spaces and - _ . only'],
    ['Клиенты/Москва', 'a segment name may contain letters, digits, spaces and - _ . only'],
  ])('rejects the name %j', (name, message) => {
    const error = thrown(() => parseSegment({ ...base, name })) as AppError;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain(`name: ${message}`);
  });

  it('reports filter problems under segment paths', () => {
    const error = thrown(() => parseSegment({ ...base, name: 'Москва', filter: { and: [{ field: 'town', op: 'eq', value: 'x' }] } })) as AppError;
    expect(error.message).toContain('filter.and[0].field: unknown field "town"');
  });
});
