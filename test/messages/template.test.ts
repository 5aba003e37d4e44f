import Mustache from 'mustache';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/common/errors.js';
import { CONTACT_FIELDS } from '../../src/contacts/contact.js';
import { compileTemplate, knownVariableNames, parseTemplateRecord } from '../../src/messages/template.js';
import { makeContact } from '../helpers/factories.js';

const NASTY = `O'Brien & Sons <b>"x"</b>`;

/** Runs `fn`, expecting an AppError, and returns it so the test can look at every part of it. */
function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

function rendered(result: { ok: true; text: string } | { ok: false; missing: string[] }): string {
  if (!result.ok) throw new Error(`render failed, missing ${result.missing.join(', ')}`);
  return result.text;
}

describe('rendering without HTML escaping', () => {
  it('leaves &, quotes and tags alone in {{x}}, {{{x}}} and {{&x}}', () => {
    const template = compileTemplate('{{firstName}}|{{{firstName}}}|{{& firstName}}|{{properties.note}}|{{promo}}', {
      campaignVariables: ['promo'],
    });
    const contact = makeContact({ firstName: NASTY, properties: { note: NASTY } });
    expect(rendered(template.render(contact, { promo: NASTY }))).toBe([NASTY, NASTY, NASTY, NASTY, NASTY].join('|'));
  });

  it('leaves the global Mustache.escape and its cache alone', () => {
    const originalEscape = Mustache.escape;
    const text = 'Hi {{firstName}}';
    const template = compileTemplate(text);
    expect(rendered(template.render(makeContact({ firstName: 'A & B' })))).toBe('Hi A & B');
    expect(Mustache.escape).toBe(originalEscape);
    expect(Mustache.render('{{x}}', { x: 'Tom & Jerry' })).toBe('Tom &amp; Jerry');
    // compileTemplate rewrites its own token tree; the default writer must not have been handed it.
    expect(Mustache.render(text, { firstName: 'A & B' })).toBe('Hi A &amp; B');
  });

  it('ignores a globally changed Mustache.tags', () => {
    const original = Mustache.tags;
    Mustache.tags = ['<%', '%>'];
    try {
      expect(rendered(compileTemplate('Hi {{firstName}}').render(makeContact({ firstName: 'Ann' })))).toBe('Hi Ann');
    } finally {
      Mustache.tags = original;
    }
  });

  it('renders Cyrillic text with Cyrillic values', () => {
    const template = compileTemplate('Здравствуйте, {{firstName}} {{lastName}}! Ждём вас в городе {{city}}.');
    const contact = makeContact({ firstName: 'Пётр', lastName: 'Ёлкин', city: 'Санкт-Петербург' });
    expect(rendered(template.render(contact))).toBe('Здравствуйте, Пётр Ёлкин! Ждём вас в городе Санкт-Петербург.');
  });

  it('reads every contact field, joins lists with ", " and trims nothing', () => {
    const template = compileTemplate('  {{phone}} {{gender}} {{birthDate}} {{country}} {{timezone}} [{{interests}}] [{{tags}}]\n\n');
    const contact = makeContact({
      phone: '+79121234567',
      gender: 'female',
      birthDate: '1990-03-08',
      country: 'RU',
      timezone: 'Europe/Moscow',
      interests: ['спорт', 'кино', 'books'],
      tags: ['vip'],
    });
    expect(rendered(template.render(contact))).toBe('  +79121234567 female 1990-03-08 RU Europe/Moscow [спорт, кино, books] [vip]\n\n');
  });

  it('resolves properties.<name>, including property names that contain dots', () => {
    const template = compileTemplate('{{properties.vip}} / {{properties.loyalty.level}} / {{properties.бонус}}');
    const contact = makeContact({ properties: { vip: 'да', 'loyalty.level': 'gold', бонус: '500' } });
    expect(rendered(template.render(contact))).toBe('да / gold / 500');
    expect(template.variables.map((v) => v.name)).toEqual(['properties.vip', 'properties.loyalty.level', 'properties.бонус']);
  });

  it('does not read inherited object members as property values', () => {
    const template = compileTemplate('{{properties.constructor}}{{properties.toString}}');
    expect(template.render(makeContact())).toEqual({ ok: false, missing: ['properties.constructor', 'properties.toString'] });
  });

  it('renders campaign variables and reports one the campaign did not supply', () => {
    const template = compileTemplate('{{firstName}}, код {{promo}}: {{shop_url}}', { campaignVariables: ['promo', 'shop_url'] });
    const contact = makeContact({ firstName: 'Анна' });
    expect(rendered(template.render(contact, { promo: 'ВЕСНА25', shop_url: 'https://ex.co/s' }))).toBe('Анна, код ВЕСНА25: https://ex.co/s');
    expect(template.render(contact, { promo: 'ВЕСНА25' })).toEqual({ ok: false, missing: ['shop_url'] });
    expect(template.render(contact)).toEqual({ ok: false, missing: ['promo', 'shop_url'] });
  });

  it('gives {{.}} the value of the enclosing section', () => {
    const template = compileTemplate('{{#interests}}Интересы: {{.}}.{{/interests}}');
    expect(rendered(template.render(makeContact({ interests: ['кино', 'спорт'] })))).toBe('Интересы: кино, спорт.');
    expect(rendered(template.render(makeContact({ interests: [] })))).toBe('');
  });

  it('can be compiled twice and rendered for many contacts without leaking values between them', () => {
    const text = 'Привет, {{firstName}}!';
    const first = compileTemplate(text);
    const second = compileTemplate(text);
    expect(rendered(first.render(makeContact({ firstName: 'Иван' })))).toBe('Привет, Иван!');
    expect(rendered(second.render(makeContact({ firstName: 'Ольга' })))).toBe('Привет, Ольга!');
    expect(first.render(makeContact({ firstName: undefined }))).toEqual({ ok: false, missing: ['firstName'] });
  });
});

describe('guarded and missing variables', () => {
  const greeting = 'Привет{{#firstName}}, {{firstName}}{{/firstName}}{{^firstName}}, друг{{/firstName}}!';

  it('renders the fallback of a section plus inverted section and never fails', () => {
    const template = compileTemplate(greeting);
    expect(template.variables).toEqual([{ name: 'firstName', guarded: true }]);
    expect(rendered(template.render(makeContact({ firstName: 'Анна' })))).toBe('Привет, Анна!');
    expect(rendered(template.render(makeContact({ firstName: undefined })))).toBe('Привет, друг!');
    expect(rendered(template.render(makeContact({ firstName: '' })))).toBe('Привет, друг!');
  });

  it('treats a reference inside its own section as guarded', () => {
    const template = compileTemplate('Привет{{#firstName}}, {{firstName}}{{/firstName}}!');
    expect(template.variables).toEqual([{ name: 'firstName', guarded: true }]);
    expect(rendered(template.render(makeContact({ firstName: undefined })))).toBe('Привет!');
  });

  it('treats a reference as guarded when the template has an inverted section for it anywhere', () => {
    const template = compileTemplate('{{^city}}Ждём вас!{{/city}} Город: {{city}}');
    expect(template.variables).toEqual([{ name: 'city', guarded: true }]);
    expect(rendered(template.render(makeContact({ city: undefined })))).toBe('Ждём вас! Город: ');
  });

  it('treats a variable used only as a section name as guarded', () => {
    const template = compileTemplate('{{#tags}}Для своих: {{/tags}}скидка{{^interests}} всем{{/interests}}');
    expect(template.variables).toEqual([
      { name: 'tags', guarded: true },
      { name: 'interests', guarded: true },
    ]);
    expect(rendered(template.render(makeContact({ tags: [], interests: [] })))).toBe('скидка всем');
  });

  it('fails an unguarded reference to a missing value with the missing names in order of first use', () => {
    const template = compileTemplate('Привет, {{firstName}} {{lastName}}! {{#city}}{{city}}{{/city}}');
    expect(template.variables).toEqual([
      { name: 'firstName', guarded: false },
      { name: 'lastName', guarded: false },
      { name: 'city', guarded: true },
    ]);
    expect(template.render(makeContact({ firstName: undefined, lastName: undefined }))).toEqual({
      ok: false,
      missing: ['firstName', 'lastName'],
    });
  });

  it('counts a section of another name as no guard', () => {
    const template = compileTemplate('{{#city}}{{firstName}} из {{city}}{{/city}}');
    expect(template.variables).toEqual([
      { name: 'city', guarded: true },
      { name: 'firstName', guarded: false },
    ]);
    expect(template.render(makeContact({ firstName: undefined, city: 'Казань' }))).toEqual({ ok: false, missing: ['firstName'] });
  });

  it('counts an unguarded use as unguarded even when another use of the name is guarded', () => {
    const template = compileTemplate('{{#firstName}}Дорогой {{firstName}}{{/firstName}}, {{firstName}}');
    expect(template.variables).toEqual([{ name: 'firstName', guarded: false }]);
    expect(template.render(makeContact({ firstName: undefined }))).toEqual({ ok: false, missing: ['firstName'] });
  });

  it('counts the empty string, the empty list and an empty property as missing', () => {
    const template = compileTemplate('{{firstName}} {{interests}} {{tags}} {{properties.vip}}');
    const contact = makeContact({ firstName: '', interests: [], tags: [], properties: { vip: '' } });
    expect(template.render(contact)).toEqual({ ok: false, missing: ['firstName', 'interests', 'tags', 'properties.vip'] });
    expect(template.render(contact, {})).toEqual({ ok: false, missing: ['firstName', 'interests', 'tags', 'properties.vip'] });
  });

  it('does not count a whitespace value as missing: the text is sent as rendered', () => {
    expect(rendered(compileTemplate('[{{firstName}}]').render(makeContact({ firstName: ' ' })))).toBe('[ ]');
  });
});

describe('save-time validation', () => {
  it('rejects an unknown variable, listing the known ones and suggesting a near miss', () => {
    const error = appError(() => compileTemplate('Привет, {{frstName}}!', { name: 'spring', campaignVariables: ['promo'] }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe(
      'Unknown variable {{frstName}} in template "spring"; known: firstName, lastName, middleName, phone, gender, birthDate, city, ' +
        'country, timezone, interests, tags, properties.<name>, promo',
    );
    expect(error.hint).toContain('did you mean firstName?');
  });

  it('suggests case and transposition slips, a misspelt properties prefix, and nothing for a far-off name', () => {
    expect(appError(() => compileTemplate('{{FirstName}}')).hint).toContain('did you mean firstName?');
    expect(appError(() => compileTemplate('{{ctiy}}')).hint).toContain('did you mean city?');
    expect(appError(() => compileTemplate('{{propertes.vip}}')).hint).toContain('did you mean properties.vip?');
    expect(appError(() => compileTemplate('{{promo}}')).hint).not.toContain('did you mean');
  });

  it('lists every unknown variable at once', () => {
    const error = appError(() => compileTemplate('{{a}} {{firstName}} {{b}}'));
    expect(error.message).toMatch(/^Unknown variables \{\{a\}\}, \{\{b\}\} in the template; known: /);
  });

  it('accepts any property without knownProperties and only known ones with it', () => {
    expect(compileTemplate('{{properties.anything}}').variables).toEqual([{ name: 'properties.anything', guarded: false }]);
    expect(compileTemplate('{{properties.vip}}', { knownProperties: ['vip'] }).variables).toHaveLength(1);
    const error = appError(() => compileTemplate('{{properties.vipp}}', { name: 'spring', knownProperties: ['vip', 'loyalty.level'] }));
    expect(error.message).toBe(
      'Unknown variable {{properties.vipp}} in template "spring"; known: firstName, lastName, middleName, phone, gender, birthDate, city, ' +
        'country, timezone, interests, tags, properties.vip, properties.loyalty.level',
    );
    expect(error.hint).toContain('did you mean properties.vip?');
  });

  it('rejects "properties" on its own', () => {
    expect(appError(() => compileTemplate('{{#properties}}x{{/properties}}')).message).toContain('Unknown variable {{properties}}');
  });

  it('rejects a campaign variable that reuses a contact field name or properties, or is not a plain name', () => {
    for (const name of ['firstName', 'tags', 'properties', 'properties.vip']) {
      const error = appError(() => compileTemplate('{{promo}}', { campaignVariables: ['promo', name] }));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toBe(`Campaign variable "${name}" reuses a contact field name`);
    }
    for (const name of ['shop.url', 'two words', '', '1st']) {
      expect(appError(() => compileTemplate('x', { campaignVariables: [name] })).message).toContain('is not valid');
    }
    expect(rendered(compileTemplate('{{промокод}}', { campaignVariables: ['промокод'] }).render(makeContact(), { промокод: 'X' }))).toBe('X');
  });

  it('rejects malformed mustache with the parser message and position', () => {
    const unclosed = appError(() => compileTemplate('Привет{{#firstName}}, {{firstName}}', { name: 'spring' }));
    expect(unclosed.code).toBe('VALIDATION_FAILED');
    expect(unclosed.message).toBe('Template syntax error in template "spring": Unclosed section "firstName" at 35');
    expect(unclosed.details).toMatchObject({ position: 35 });
    expect(appError(() => compileTemplate('{{#city}}x{{/country}}')).message).toContain('Unclosed section "city" at 10');
    expect(appError(() => compileTemplate('x{{/city}}')).message).toContain('Unopened section "city" at 1');
    expect(appError(() => compileTemplate('Hi {{firstName')).message).toContain('Unclosed tag at 14');
  });

  it('rejects partials, delimiter changes, empty tags and a stray {{.}}', () => {
    const partial = appError(() => compileTemplate('Hi {{> footer}}', { name: 'spring' }));
    expect(partial.message).toBe('Partials are not supported in template "spring": {{> footer}} at 3');
    expect(appError(() => compileTemplate('{{=<% %>=}}<%firstName%>')).message).toContain('Changing delimiters is not supported');
    expect(appError(() => compileTemplate('Hi {{}}')).message).toContain('Empty tag');
    expect(appError(() => compileTemplate('Hi {{.}}')).message).toContain('Unknown variable {{.}}');
  });

  it('rejects an empty or blank text', () => {
    expect(appError(() => compileTemplate('')).code).toBe('VALIDATION_FAILED');
    expect(appError(() => compileTemplate(' \n\t')).message).toContain('empty');
  });

  it('allows comments and renders nothing for them', () => {
    expect(rendered(compileTemplate('a{{! note for editors }}b').render(makeContact()))).toBe('ab');
  });
});

describe('knownVariableNames', () => {
  it('lists every contact field, the property namespace and the campaign variables once', () => {
    const names = knownVariableNames(['promo', 'promo', 'shop_url']);
    expect(names.slice(0, 2)).toEqual(['firstName', 'lastName']);
    expect([...names].sort()).toEqual([...CONTACT_FIELDS, 'properties.<name>', 'promo', 'shop_url'].sort());
    expect(knownVariableNames()).toHaveLength(CONTACT_FIELDS.length + 1);
  });
});

describe('parseTemplateRecord', () => {
  const record = { name: 'весна-2026_v1.2 sale', text: 'Привет, {{firstName}}!', createdAt: '2026-03-01T10:00:00.000Z', updatedAt: '2026-03-01T10:00:00+03:00' };

  it('accepts a valid record with a name in any script and strips unknown keys', () => {
    expect(parseTemplateRecord({ ...record, description: 'Весенняя акция', extra: 1 })).toEqual({ ...record, description: 'Весенняя акция', variables: [] });
    expect(parseTemplateRecord({ ...record, name: 'x'.repeat(64), text: 'я'.repeat(1600) }).name).toHaveLength(64);
  });

  it('rejects bad names, lengths and timestamps with AppError', () => {
    const bad = [
      { name: '' },
      { name: 'x'.repeat(65) },
      { name: 'spring!' },
      { name: 'a/b' },
      { name: ' spring' },
      { name: 'spring ' },
      { text: '' },
      { text: 'я'.repeat(1601) },
      { createdAt: 'yesterday' },
      { updatedAt: undefined },
    ];
    for (const change of bad) {
      const error = appError(() => parseTemplateRecord({ ...record, ...change }));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain(Object.keys(change)[0]!);
    }
    expect(appError(() => parseTemplateRecord('nope')).message).toContain('Invalid template record');
  });
});
