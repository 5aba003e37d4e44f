import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/common/errors.js';
import { compileFilter, parseFilter, type FilterNode } from '../../src/segments/index.js';
import { thrown } from './fixtures.js';

function failure(input: unknown): AppError {
  const error = thrown(() => parseFilter(input));
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code).toBe('VALIDATION_FAILED');
  expect(appError.hint).toContain('"field"');
  expect(Array.isArray(appError.details)).toBe(true);
  return appError;
}

const city = { field: 'city', op: 'eq', value: 'Москва' };

describe('parseFilter rejects bad input with the path and what is allowed', () => {
  it.each([
    ['an operator that needs another field', { and: [city, { field: 'city', op: 'birthday_in_days', value: 7 }] }, 'filter.and[1].op: "birthday_in_days" needs the field birthDate'],
    ['a list operator on gender', { field: 'gender', op: 'has_any', value: ['x'] }, 'filter.op: "has_any" does not apply to gender; it works on interests, tags or properties.<name>'],
    ['a number operator on text', { or: [{ field: 'city', op: 'gt', value: 5 }] }, 'filter.or[0].op: "gt" does not apply to city; it works on birthDate, createdAt, updatedAt or properties.<name>'],
    ['an unknown field', { field: 'citty', op: 'eq', value: 'x' }, 'filter.field: unknown field "citty"; use one of phone, firstName'],
    ['a mis-cased field', { field: 'City', op: 'eq', value: 'x' }, 'filter.field: unknown field "City"; did you mean "city"?'],
    ['an empty property name', { field: 'properties.', op: 'eq', value: 'x' }, 'filter.field: unknown field "properties."'],
    ['an unknown operator', { field: 'city', op: 'equals', value: 'x' }, 'filter.op: unknown operator "equals"; use one of eq, neq, in'],
    ['a missing value', { field: 'city', op: 'eq' }, 'filter.value: "eq" needs a non-empty string; got nothing'],
    ['a value of the wrong type', { not: { field: 'birthDate', op: 'birthday_in_days', value: '7' } }, 'filter.not.value: "birthday_in_days" needs a whole number of days from 0 to 366; got "7"'],
    ['a negative day count', { field: 'createdAt', op: 'within_last_days', value: -1 }, 'filter.value: "within_last_days" needs a whole number of days from 0 to 36500; got -1'],
    ['a bad gender', { field: 'gender', op: 'in', value: ['female', 'boy'] }, 'filter.value: "in" needs an array of 1 to 1000 values among female, male, other'],
    ['an empty list', { field: 'tags', op: 'has_all', value: [] }, 'filter.value: "has_all" needs an array of 1 to 1000 non-empty strings; got []'],
    ['a value on is_known', { field: 'city', op: 'is_known', value: true }, 'filter.value: "is_known" takes no value; remove "value"'],
    ['between bounds in the wrong order', { field: 'properties.score', op: 'between', value: [10, 1] }, 'filter.value: "between" needs [low, high] with low ≤ high; got [10, 1]'],
    ['between with mixed bounds', { field: 'birthDate', op: 'between', value: ['1990-01-01', 5] }, 'filter.value: "between" needs [low, high]: two ISO dates'],
    ['an impossible date', { field: 'birthDate', op: 'before', value: '2026-02-30' }, 'filter.value: "before" needs an ISO date YYYY-MM-DD'],
    ['a misspelt key', { field: 'city', op: 'eq', value: 'x', vaule: 'y' }, 'filter.vaule: unknown key "vaule"; a condition has "field", "op" and "value"'],
    ['a node that is not an object', { and: [city, 'city = Москва'] }, 'filter.and[1]: expected a condition {"field", "op", "value"} or a group'],
    ['a group with two keys', { and: [], or: [] }, 'filter: a group has exactly one key, "and", "or" or "not"; got "and", "or"'],
    ['and that is not an array', { and: city }, 'filter.and: "and" needs an array of conditions or groups'],
    ['not with an array', { not: [city] }, 'filter.not: "not" takes one condition or group, not an array'],
  ])('%s', (_name, input, message) => {
    expect(failure(input).message).toContain(message);
  });

  it('caps the nesting depth at 20', () => {
    let filter: unknown = city;
    for (let i = 0; i < 25; i++) filter = { not: filter };
    const error = failure(filter);
    expect(error.message).toContain('the filter is nested deeper than 20 levels');
    expect(error.details).toHaveLength(1);
  });

  it('survives absurd nesting without overflowing the stack', () => {
    const deep = JSON.parse(`${'{"not":'.repeat(100_000)}{}${'}'.repeat(100_000)}`);
    expect(failure(deep).message).toContain('nested deeper than 20 levels');
  });

  it('caps the number of nodes at 1,000', () => {
    expect(() => parseFilter({ or: Array.from({ length: 998 }, () => city) })).not.toThrow();
    const error = failure({ or: Array.from({ length: 1_000 }, () => city) });
    expect(error.message).toBe('Invalid filter: filter.or: the filter has more than 1000 conditions and groups; split it');
  });

  it('reports every problem in details and the first three in the message', () => {
    const error = failure({ and: [{ field: 'x', op: 'eq', value: 'a' }, { field: 'y', op: 'eq', value: 'a' }, { field: 'z', op: 'eq', value: 'a' }, { field: 'w', op: 'eq', value: 'a' }] });
    expect(error.details).toHaveLength(4);
    expect(error.message).toContain('and 1 more problem(s)');
    expect((error.details as { path: unknown[] }[])[3]?.path).toEqual(['and', 3, 'field']);
  });

  it('compileFilter validates hand-built filters too', () => {
    const bad = { field: 'city', op: 'age_gte', value: 18 } as FilterNode;
    expect(() => compileFilter(bad, { now: new Date('2026-01-01T00:00:00Z'), zoneOf: () => 'UTC' })).toThrow(/needs the field birthDate/);
  });
});

describe('parseFilter output', () => {
  it('returns a clean copy with trimmed values', () => {
    const input = { and: [{ field: 'city', op: 'in', value: [' Москва '] }, { field: 'gender', op: 'eq', value: 'Female' }, { field: 'tags', op: 'is_known' }] };
    expect(parseFilter(input)).toEqual({
      and: [
        { field: 'city', op: 'in', value: ['Москва'] },
        { field: 'gender', op: 'eq', value: 'female' },
        { field: 'tags', op: 'is_known' },
      ],
    });
  });

  it('accepts dates, date-times and numbers where they belong', () => {
    expect(() => parseFilter({ field: 'createdAt', op: 'after', value: '2026-05-01T09:00:00+03:00' })).not.toThrow();
    expect(() => parseFilter({ field: 'properties.visit', op: 'between', value: ['2026-01-01', '2026-12-31'] })).not.toThrow();
    expect(() => parseFilter({ field: 'properties.spent', op: 'gte', value: 1200.5 })).not.toThrow();
  });
});
