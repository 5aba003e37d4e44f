import { describe, expect, it, vi } from 'vitest';
import { compileFilter, type FilterNode } from '../../src/segments/index.js';
import { contact, matches } from './fixtures.js';

const moscowSporty = contact({ city: 'Москва', interests: ['sport'], gender: 'female' });
const kazan = contact({ city: 'Казань', interests: ['music'], gender: 'male' });
const nobody = contact();

const inMoscow = { field: 'city', op: 'eq', value: 'Москва' };
const likesSport = { field: 'interests', op: 'has_any', value: ['sport'] };
const isMale = { field: 'gender', op: 'eq', value: 'male' };

describe('groups', () => {
  it('{"and": []} matches every contact and {"or": []} none', () => {
    for (const subject of [moscowSporty, kazan, nobody]) {
      expect(matches({ and: [] }, subject)).toBe(true);
      expect(matches({ or: [] }, subject)).toBe(false);
    }
  });

  it('and needs every child', () => {
    expect(matches({ and: [inMoscow, likesSport] }, moscowSporty)).toBe(true);
    expect(matches({ and: [inMoscow, likesSport, isMale] }, moscowSporty)).toBe(false);
  });

  it('or needs one child', () => {
    expect(matches({ or: [inMoscow, isMale] }, kazan)).toBe(true);
    expect(matches({ or: [inMoscow, likesSport] }, kazan)).toBe(false);
    expect(matches({ or: [likesSport, inMoscow, isMale] }, nobody)).toBe(false);
  });

  it('not inverts, including on unknown values', () => {
    expect(matches({ not: inMoscow }, kazan)).toBe(true);
    expect(matches({ not: inMoscow }, moscowSporty)).toBe(false);
    expect(matches({ not: inMoscow }, nobody)).toBe(true);
  });

  it('nests and/or/not', () => {
    // Moscow sport fans, or anyone who is neither male nor in Kazan.
    const filter = { or: [{ and: [inMoscow, likesSport] }, { not: { or: [isMale, { field: 'city', op: 'eq', value: 'казань' }] } }] };
    expect(matches(filter, moscowSporty)).toBe(true);
    expect(matches(filter, kazan)).toBe(false);
    expect(matches(filter, nobody)).toBe(true);
  });

  it('neq / not_in / not_contains are exactly not(eq / in / contains)', () => {
    const pairs = [
      [{ field: 'city', op: 'neq', value: 'Москва' }, { not: inMoscow }],
      [{ field: 'city', op: 'not_in', value: ['Москва'] }, { not: { field: 'city', op: 'in', value: ['Москва'] } }],
      [{ field: 'city', op: 'not_contains', value: 'моск' }, { not: { field: 'city', op: 'contains', value: 'моск' } }],
    ];
    for (const [negative, negated] of pairs) {
      for (const subject of [moscowSporty, kazan, nobody]) expect(matches(negative, subject)).toBe(matches(negated, subject));
    }
  });

  it('nests to the depth limit', () => {
    let filter: unknown = inMoscow;
    for (let i = 0; i < 19; i++) filter = { not: filter };
    expect(matches(filter, moscowSporty)).toBe(false);
  });

  it('asks for the zone only when a condition needs today, once per contact', () => {
    const zoneOf = vi.fn(() => 'Europe/Moscow');
    const now = new Date('2026-05-15T09:00:00Z');
    compileFilter({ and: [{ field: 'city', op: 'eq', value: 'Москва' }] }, { now, zoneOf })(moscowSporty);
    expect(zoneOf).not.toHaveBeenCalled();
    const filter: FilterNode = {
      and: [
        { field: 'birthDate', op: 'age_gte', value: 18 },
        { field: 'birthDate', op: 'birthday_in_days', value: 7 },
      ],
    };
    compileFilter(filter, { now, zoneOf })(contact({ birthDate: '1990-05-16' }));
    expect(zoneOf).toHaveBeenCalledTimes(1);
  });
});
