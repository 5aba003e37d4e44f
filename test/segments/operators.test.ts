import { describe, expect, it } from 'vitest';
import type { Contact } from '../../src/contacts/contact.js';
import { contact, matches } from './fixtures.js';

// now = 2026-05-15T09:00:00Z (12:00 in Moscow) unless a case says otherwise.
type Case = [name: string, filter: unknown, subject: Contact, expected: boolean];

const moscow = contact({ city: 'Москва', firstName: 'Алёна', lastName: 'Петрова', gender: 'female' });
const blank = contact({ city: '   ', firstName: '' });
const sporty = contact({ interests: ['Спорт', 'music'], tags: ['VIP', 'ёлка'] });
const rich = contact({ properties: { spent: '1200.5', bonus: '1200,5', limit: '1 200,50', code: 'abc', visit: '01.05.2026', hobbies: 'спорт; Музыка,кино' } });

const cases: Case[] = [
  ['eq matches', { field: 'city', op: 'eq', value: 'Москва' }, moscow, true],
  ['eq rejects another value', { field: 'city', op: 'eq', value: 'Казань' }, moscow, false],
  ['eq is false on an unknown value', { field: 'city', op: 'eq', value: 'Москва' }, blank, false],
  ['eq on gender ignores case', { field: 'gender', op: 'eq', value: 'Female' }, moscow, true],
  ['eq on a list means "contains the element"', { field: 'interests', op: 'eq', value: 'спорт' }, sporty, true],
  ['eq on a list rejects a missing element', { field: 'interests', op: 'eq', value: 'chess' }, sporty, false],
  ['eq on a property compares the text', { field: 'properties.code', op: 'eq', value: 'ABC' }, rich, true],
  ['eq on birthDate compares the date', { field: 'birthDate', op: 'eq', value: '1990-03-08' }, contact({ birthDate: '1990-03-08' }), true],
  ['eq on createdAt with a date means that day', { field: 'createdAt', op: 'eq', value: '2026-01-10' }, contact(), true],
  ['eq on createdAt with another day', { field: 'createdAt', op: 'eq', value: '2026-01-11' }, contact(), false],
  ['neq matches another value', { field: 'city', op: 'neq', value: 'Казань' }, moscow, true],
  ['neq rejects the same value', { field: 'city', op: 'neq', value: 'москва' }, moscow, false],
  ['neq is true on an unknown value', { field: 'city', op: 'neq', value: 'Москва' }, blank, true],
  ['neq on a list: no such element', { field: 'tags', op: 'neq', value: 'vip' }, sporty, false],
  ['in matches one of the values', { field: 'city', op: 'in', value: ['Казань', 'МОСКВА'] }, moscow, true],
  ['in rejects others', { field: 'city', op: 'in', value: ['Казань', 'Самара'] }, moscow, false],
  ['in on a list', { field: 'tags', op: 'in', value: ['new', 'vip'] }, sporty, true],
  ['not_in matches others', { field: 'city', op: 'not_in', value: ['Казань'] }, moscow, true],
  ['not_in rejects a listed value', { field: 'city', op: 'not_in', value: ['Москва'] }, moscow, false],
  ['not_in is true on an unknown value', { field: 'city', op: 'not_in', value: ['Москва'] }, blank, true],
  ['contains a substring', { field: 'lastName', op: 'contains', value: 'ПЕТР' }, moscow, true],
  ['contains rejects a missing substring', { field: 'lastName', op: 'contains', value: 'иван' }, moscow, false],
  ['contains on a list checks each element', { field: 'interests', op: 'contains', value: 'mus' }, sporty, true],
  ['not_contains matches', { field: 'lastName', op: 'not_contains', value: 'иван' }, moscow, true],
  ['not_contains rejects', { field: 'lastName', op: 'not_contains', value: 'петр' }, moscow, false],
  ['not_contains is true on an unknown value', { field: 'firstName', op: 'not_contains', value: 'а' }, blank, true],
  ['starts_with on the phone', { field: 'phone', op: 'starts_with', value: '+7912' }, moscow, true],
  ['starts_with rejects', { field: 'phone', op: 'starts_with', value: '+7999' }, moscow, false],
  ['ends_with', { field: 'lastName', op: 'ends_with', value: 'ОВА' }, moscow, true],
  ['ends_with rejects', { field: 'lastName', op: 'ends_with', value: 'ин' }, moscow, false],
  ['gt on a dotted number', { field: 'properties.spent', op: 'gt', value: 1200 }, rich, true],
  ['gt rejects a smaller number', { field: 'properties.spent', op: 'gt', value: 1200.5 }, rich, false],
  ['gte on a comma decimal', { field: 'properties.bonus', op: 'gte', value: 1200.5 }, rich, true],
  ['gte rejects', { field: 'properties.bonus', op: 'gte', value: 1201 }, rich, false],
  ['lt with a spaced thousands number', { field: 'properties.limit', op: 'lt', value: 1201 }, rich, true],
  ['lt rejects', { field: 'properties.limit', op: 'lt', value: 1200.5 }, rich, false],
  ['lte on the edge', { field: 'properties.limit', op: 'lte', value: 1200.5 }, rich, true],
  ['lte rejects', { field: 'properties.limit', op: 'lte', value: 1200 }, rich, false],
  ['a number operator on text is false', { field: 'properties.code', op: 'lt', value: 1e9 }, rich, false],
  ['a number operator on a missing property is false', { field: 'properties.none', op: 'gte', value: 0 }, rich, false],
  ['gt on a DD.MM.YYYY property date', { field: 'properties.visit', op: 'gt', value: '2026-04-30' }, rich, true],
  ['lt on a DD.MM.YYYY property date', { field: 'properties.visit', op: 'lt', value: '2026-05-01' }, rich, false],
  ['between is inclusive (low edge)', { field: 'properties.spent', op: 'between', value: [1200.5, 2000] }, rich, true],
  ['between is inclusive (high edge)', { field: 'properties.bonus', op: 'between', value: [0, 1200.5] }, rich, true],
  ['between rejects outside', { field: 'properties.spent', op: 'between', value: [0, 1000] }, rich, false],
  ['between on dates', { field: 'birthDate', op: 'between', value: ['1990-01-01', '1990-12-31'] }, contact({ birthDate: '1990-12-31' }), true],
  ['between on dates rejects', { field: 'birthDate', op: 'between', value: ['1990-01-01', '1990-12-31'] }, contact({ birthDate: '1991-01-01' }), false],
  ['between on createdAt with date bounds covers the whole last day', { field: 'createdAt', op: 'between', value: ['2026-01-01', '2026-01-10'] }, contact(), true],
  ['is_known', { field: 'city', op: 'is_known' }, moscow, true],
  ['is_known is false for a blank string', { field: 'city', op: 'is_known' }, blank, false],
  ['is_known on a list', { field: 'tags', op: 'is_known' }, sporty, true],
  ['is_unknown for a blank string', { field: 'city', op: 'is_unknown' }, blank, true],
  ['is_unknown for a missing property', { field: 'properties.none', op: 'is_unknown' }, rich, true],
  ['is_unknown for an empty list', { field: 'interests', op: 'is_unknown' }, moscow, true],
  ['is_unknown rejects a known value', { field: 'city', op: 'is_unknown' }, moscow, false],
  ['is_unknown for an inherited name is still unknown', { field: 'properties.constructor', op: 'is_unknown' }, rich, true],
  ['before a date', { field: 'createdAt', op: 'before', value: '2026-01-11' }, contact(), true],
  ['before rejects the same day', { field: 'createdAt', op: 'before', value: '2026-01-10' }, contact(), false],
  ['before an instant', { field: 'createdAt', op: 'before', value: '2026-01-10T11:00:01+03:00' }, contact(), true],
  ['after a date', { field: 'birthDate', op: 'after', value: '1999-12-31' }, contact({ birthDate: '2000-01-01' }), true],
  ['after rejects the same day', { field: 'createdAt', op: 'after', value: '2026-01-10' }, contact(), false],
  ['after an instant', { field: 'createdAt', op: 'after', value: '2026-01-10T07:59:59Z' }, contact(), true],
  ['within_last_days on a timestamp', { field: 'createdAt', op: 'within_last_days', value: 7 }, contact({ createdAt: '2026-05-09T09:00:00Z' }), true],
  ['within_last_days rejects older', { field: 'createdAt', op: 'within_last_days', value: 7 }, contact({ createdAt: '2026-05-08T08:59:59Z' }), false],
  ['within_last_days rejects the future', { field: 'properties.visit', op: 'within_last_days', value: 30 }, contact({ properties: { visit: '2026-05-16' } }), false],
  ['within_last_days on a property date', { field: 'properties.visit', op: 'within_last_days', value: 14 }, rich, true],
  ['within_last_days on birthDate compares the date, not the anniversary', { field: 'birthDate', op: 'within_last_days', value: 30 }, contact({ birthDate: '1990-05-01' }), false],
  ['within_next_days on a property date', { field: 'properties.due', op: 'within_next_days', value: 3 }, contact({ properties: { due: '18.05.2026' } }), true],
  ['within_next_days rejects later', { field: 'properties.due', op: 'within_next_days', value: 2 }, contact({ properties: { due: '18.05.2026' } }), false],
  ['within_next_days today counts', { field: 'properties.due', op: 'within_next_days', value: 0 }, contact({ properties: { due: '2026-05-15' } }), true],
  ['birthday_in_days', { field: 'birthDate', op: 'birthday_in_days', value: 7 }, contact({ birthDate: '1990-05-20' }), true],
  ['birthday_in_days rejects later', { field: 'birthDate', op: 'birthday_in_days', value: 4 }, contact({ birthDate: '1990-05-20' }), false],
  ['birthday_in_days is false without a birthDate', { field: 'birthDate', op: 'birthday_in_days', value: 366 }, moscow, false],
  ['age_gte', { field: 'birthDate', op: 'age_gte', value: 36 }, contact({ birthDate: '1990-05-15' }), true],
  ['age_gte rejects', { field: 'birthDate', op: 'age_gte', value: 37 }, contact({ birthDate: '1990-05-15' }), false],
  ['age_lt', { field: 'birthDate', op: 'age_lt', value: 37 }, contact({ birthDate: '1990-05-15' }), true],
  ['age_lt rejects', { field: 'birthDate', op: 'age_lt', value: 36 }, contact({ birthDate: '1990-05-15' }), false],
  ['age_lt is false without a birthDate', { field: 'birthDate', op: 'age_lt', value: 150 }, moscow, false],
  ['has_any on tags', { field: 'tags', op: 'has_any', value: ['vip', 'new'] }, sporty, true],
  ['has_any rejects', { field: 'tags', op: 'has_any', value: ['new'] }, sporty, false],
  ['has_all on interests', { field: 'interests', op: 'has_all', value: ['спорт', 'MUSIC'] }, sporty, true],
  ['has_all rejects a partial match', { field: 'interests', op: 'has_all', value: ['спорт', 'chess'] }, sporty, false],
  ['has_any on a separated property', { field: 'properties.hobbies', op: 'has_any', value: ['музыка'] }, rich, true],
  ['has_all on a separated property', { field: 'properties.hobbies', op: 'has_all', value: ['кино', 'Спорт'] }, rich, true],
  ['has_all on a separated property rejects', { field: 'properties.hobbies', op: 'has_all', value: ['кино', 'шахматы'] }, rich, false],
  ['has_any is false on an unknown list', { field: 'tags', op: 'has_any', value: ['vip'] }, moscow, false],
];

describe('operators', () => {
  it.each(cases)('%s', (_name, filter, subject, expected) => {
    expect(matches(filter, subject)).toBe(expected);
  });
});

describe('Cyrillic and Unicode folding', () => {
  it('compares case-insensitively', () => {
    expect(matches({ field: 'city', op: 'eq', value: 'москва' }, moscow)).toBe(true);
    expect(matches({ field: 'city', op: 'eq', value: 'МОСКВА' }, contact({ city: 'москва' }))).toBe(true);
  });

  it('treats ё as е both ways', () => {
    expect(matches({ field: 'tags', op: 'eq', value: 'ЁЛКА' }, contact({ tags: ['елка'] }))).toBe(true);
    expect(matches({ field: 'tags', op: 'eq', value: 'елка' }, sporty)).toBe(true);
    expect(matches({ field: 'firstName', op: 'eq', value: 'алена' }, moscow)).toBe(true);
  });

  it('normalises decomposed letters (NFC) and trims', () => {
    const decomposed = 'Бийск'.normalize('NFD');
    expect(decomposed).not.toBe('Бийск');
    expect(matches({ field: 'city', op: 'eq', value: ' БИЙСК ' }, contact({ city: decomposed }))).toBe(true);
  });

  it('keeps й distinct from и', () => {
    expect(matches({ field: 'city', op: 'eq', value: 'Бииск' }, contact({ city: 'Бийск' }))).toBe(false);
  });

  it('lower-cases Cyrillic exactly as the ru locale does', () => {
    const alphabet = 'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯІЇЄҐ';
    expect(alphabet.toLowerCase()).toBe(alphabet.toLocaleLowerCase('ru'));
  });
});
