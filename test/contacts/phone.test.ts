import { describe, expect, it } from 'vitest';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import { normalizePhone, russianMobile } from '../../src/contacts/phone.js';
import type { PhoneRejection } from '../../src/contacts/phone.js';

describe('normalizePhone: accepted numbers', () => {
  const accepted: Array<[input: string, defaultCountry: string, e164: string, country: string]> = [
    // Russian national and international forms.
    ['8 (912) 345-67-89', 'RU', '+79123456789', 'RU'],
    ['+7 912 345 67 89', 'RU', '+79123456789', 'RU'],
    ['79123456789', 'RU', '+79123456789', 'RU'],
    ['9123456789', 'RU', '+79123456789', 'RU'],
    ['8-912-345-67-89', 'RU', '+79123456789', 'RU'],
    ['+7(912)345-67-89', 'RU', '+79123456789', 'RU'],
    ['  +7 912 345 67 89  ', 'RU', '+79123456789', 'RU'],
    ['912.345.67.89', 'RU', '+79123456789', 'RU'],
    // A Russian number stays Russian whatever the default country.
    ['+7 912 345 67 89', 'US', '+79123456789', 'RU'],
    // Kazakhstan shares +7; the 7xx ranges are Kazakh.
    ['+77012345678', 'RU', '+77012345678', 'KZ'],
    ['77012345678', 'KZ', '+77012345678', 'KZ'],
    ['87012345678', 'KZ', '+77012345678', 'KZ'],
    ['79123456789', 'KZ', '+79123456789', 'RU'],
    // US (every NANP number is FIXED_LINE_OR_MOBILE), UK, Germany.
    ['(201) 555-0123', 'US', '+12015550123', 'US'],
    ['+1 201 555 0123', 'RU', '+12015550123', 'US'],
    ['07400 123456', 'GB', '+447400123456', 'GB'],
    ['+44 7400 123456', 'RU', '+447400123456', 'GB'],
    ['015112345678', 'DE', '+4915112345678', 'DE'],
    // "00" international prefix, even where the local one differs (Russia's is 810).
    ['004915112345678', 'RU', '+4915112345678', 'DE'],
    ['00 49 151 1234 5678', 'US', '+4915112345678', 'DE'],
    ['810 49 151 1234 5678', 'RU', '+4915112345678', 'DE'],
    // tel: URIs, with or without parameters.
    ['tel:+7-912-345-67-89', 'RU', '+79123456789', 'RU'],
    ['TEL:+79123456789;ext=12', 'RU', '+79123456789', 'RU'],
    // Spreadsheet artefacts.
    ['79123456789.0', 'RU', '+79123456789', 'RU'],
    ['89123456789.00', 'RU', '+79123456789', 'RU'],
    ["'+79123456789", 'RU', '+79123456789', 'RU'],
    ["'89123456789", 'RU', '+79123456789', 'RU'],
    // A lower-case default country works as well.
    ['8 912 345 67 89', 'ru', '+79123456789', 'RU'],
  ];

  it.each(accepted)('%j (default %s) → %s', (input, defaultCountry, e164, country) => {
    const result = normalizePhone(input, defaultCountry);
    expect(result).toMatchObject({ ok: true, e164, country });
  });

  it('reports the number type', () => {
    expect(normalizePhone('+79123456789', 'RU')).toEqual({ ok: true, e164: '+79123456789', country: 'RU', type: 'MOBILE' });
    expect(normalizePhone('+12015550123', 'US')).toMatchObject({ type: 'FIXED_LINE_OR_MOBILE' });
  });

  it('still reads international numbers when the default country is unusable', () => {
    expect(normalizePhone('+79123456789', 'XX')).toMatchObject({ ok: true, e164: '+79123456789' });
    expect(normalizePhone('9123456789', 'XX')).toEqual({ ok: false, reason: 'invalid_format' });
  });
});

describe('normalizePhone: rejections', () => {
  const rejected: Array<[input: string | null | undefined, defaultCountry: string, reason: PhoneRejection]> = [
    [undefined, 'RU', 'missing'],
    [null, 'RU', 'missing'],
    ['', 'RU', 'missing'],
    ['   \t ', 'RU', 'missing'],
    ['abc', 'RU', 'invalid_format'],
    ['нет телефона', 'RU', 'invalid_format'],
    // Whole-string parsing: no fishing a number out of prose or trailing notes.
    ['call me +79123456789', 'RU', 'invalid_format'],
    ['+79123456789 доб. 12', 'RU', 'invalid_format'],
    ['+7 912 345 67 89 ext 5', 'RU', 'invalid_format'],
    ['123', 'RU', 'invalid_format'],
    ['+7 912 345 67 8', 'RU', 'invalid_format'],
    ['+7 912 345 67 8901', 'RU', 'invalid_format'],
    ['++79123456789', 'RU', 'invalid_format'],
    ["'", 'RU', 'invalid_format'],
    // Excel scientific notation: the trailing digits are lost, so the number cannot be trusted.
    ['7.91234567E+10', 'RU', 'invalid_format'],
    ['7,91234567e+10', 'RU', 'invalid_format'],
    ['7.9123456789E+10', 'RU', 'invalid_format'],
    // Right length, but no such range.
    ['8912345678', 'RU', 'invalid_number'],
    ['+7 012 345 67 89', 'RU', 'invalid_number'],
    // Valid but cannot receive SMS.
    ['+74951234567', 'RU', 'not_mobile'],
    ['8 (495) 123-45-67', 'RU', 'not_mobile'],
    ['8 800 555 35 35', 'RU', 'not_mobile'],
    ['+18005551212', 'US', 'not_mobile'],
    ['1-800-555-1212', 'US', 'not_mobile'],
    ['+1 900 555 1234', 'US', 'not_mobile'],
    ['020 7946 0018', 'GB', 'not_mobile'],
    ['030 1234567', 'DE', 'not_mobile'],
    ['0049 30 123456', 'RU', 'not_mobile'],
  ];

  it.each(rejected)('%j (default %s) → %s', (input, defaultCountry, reason) => {
    expect(normalizePhone(input, defaultCountry)).toEqual({ ok: false, reason });
  });
});

describe('russianMobile: the shortcut for Russian mobile numbers', () => {
  /** What the full parser says about a cleaned cell, in normalizePhone's terms (undefined: not a valid number). */
  function fullParse(text: string, defaultCountry: CountryCode | undefined): unknown {
    const parsed = parsePhoneNumberFromString(text, { defaultCountry, extract: false });
    if (parsed === undefined || !parsed.isPossible() || !parsed.isValid()) return undefined;
    return { ok: true, e164: parsed.number, country: parsed.country, type: parsed.getType() };
  }

  it('gives what libphonenumber gives, for every 9xxx range in every written form it takes', () => {
    const forms = (d: string): string[] => [
      `+7${d}`, `+7 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6, 8)} ${d.slice(8)}`, `8 (${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8)}`,
      `8${d}`, d, `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`, `+7(${d.slice(0, 3)})${d.slice(3)}`, `(${d.slice(0, 3)}) ${d.slice(3)}`,
    ];
    let shortcuts = 0;
    for (let prefix = 9000; prefix <= 9999; prefix += 1) {
      // The rest of the number varies with the prefix, so ranges cut deeper than four digits are hit too.
      const digits = `${prefix}${String((prefix * 7919) % 1_000_000).padStart(6, '0')}`;
      for (const text of forms(digits)) {
        for (const country of ['RU', 'US'] as const) {
          const fast = russianMobile(text, country);
          if (fast === undefined) continue;
          shortcuts += 1;
          expect(fast, `${text} (default ${country})`).toEqual(fullParse(text, country));
        }
      }
    }
    // All but the 930 range (990 of the 1,000 prefixes): most forms of those take the shortcut.
    expect(shortcuts).toBeGreaterThan(900 * 6);
  });

  it('leaves everything else to the full parser', () => {
    for (const text of ['+79300012345', '89300012345', '+74951234567', '+77012345678', '912345678', '+7\t912 345 67 89', '+7 912 345 67 89 ext 5', '+7/912/345/67/89', '+379123456789']) {
      expect(russianMobile(text, 'RU'), text).toBeUndefined();
    }
    // National forms are Russian only when the default country is.
    expect(russianMobile('89123456789', 'KZ')).toBeUndefined();
    expect(russianMobile('9123456789', undefined)).toBeUndefined();
  });
});
