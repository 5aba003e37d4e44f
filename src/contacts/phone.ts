import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode, NumberType } from 'libphonenumber-js/max';

export type PhoneRejection = 'missing' | 'invalid_format' | 'invalid_number' | 'not_mobile';

export type PhoneResult =
  | { ok: true; e164: string; country: string | undefined; type: string | undefined }
  | { ok: false; reason: PhoneRejection };

/**
 * Number types that cannot receive an SMS. VOIP and PERSONAL_NUMBER stay allowed: many VoIP ranges
 * (Google Voice, Twilio, Skype-in) do take texts and the gateway reports a failure per number
 * anyway, while dropping them here would silently lose reachable contacts. MOBILE,
 * FIXED_LINE_OR_MOBILE (all of NANP) and undefined (metadata cannot tell) are accepted.
 */
const NOT_MOBILE: ReadonlySet<NumberType> = new Set<NumberType>([
  'FIXED_LINE',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'UAN',
  'VOICEMAIL',
  'PAGER',
]);

/** Countries sharing +7: there an 11-digit number starting with 7 is already international. */
const PLUS_SEVEN_COUNTRIES: ReadonlySet<string> = new Set(['RU', 'KZ']);

/**
 * Excel renders long digit strings in scientific notation ("7.91234567E+10"); the mantissa keeps
 * only the displayed digits, so the real number is gone. Guessing the missing digits would text a
 * stranger, hence a hard rejection.
 */
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;
/** A numeric cell exported as "79123456789.0": the ".0" is a float artefact, not part of the number. */
const FLOAT_TAIL = /^(\+?\d+)\.0+$/;
const TEL_URI = /^tel:/i;
const LETTER = /\p{L}/u;
const NON_DIGIT = /\D/g;

/** Shared rejection results (no allocation per bad row), frozen so no caller can alter another's. */
const rejected: Readonly<Record<PhoneRejection, PhoneResult>> = {
  missing: Object.freeze({ ok: false, reason: 'missing' }),
  invalid_format: Object.freeze({ ok: false, reason: 'invalid_format' }),
  invalid_number: Object.freeze({ ok: false, reason: 'invalid_number' }),
  not_mobile: Object.freeze({ ok: false, reason: 'not_mobile' }),
};

/** Parse options per default country, built once: imports call this 100k times with the same one. */
const optionsByCountry = new Map<string, { defaultCountry: CountryCode | undefined; extract: false }>();

function parseOptions(defaultCountry: string): { defaultCountry: CountryCode | undefined; extract: false } {
  let options = optionsByCountry.get(defaultCountry);
  if (options === undefined) {
    const upper = defaultCountry.trim().toUpperCase();
    // An unusable default only disables national-format parsing; +-prefixed numbers still work.
    const code = isSupportedCountry(upper) ? upper : undefined;
    // extract: false makes the whole string the number, so "call me at +7912…" is rejected.
    options = { defaultCountry: code, extract: false };
    optionsByCountry.set(defaultCountry, options);
  }
  return options;
}

/** Strips the spreadsheet and URI wrappers a number arrives in; undefined means a lost number. */
function clean(raw: string, defaultCountry: string | undefined): string | undefined {
  let s = raw.trim();
  // Excel's "treat as text" marker survives CSV export as a literal leading apostrophe.
  while (s.startsWith("'")) s = s.slice(1).trimStart();
  if (TEL_URI.test(s)) {
    const params = s.indexOf(';');
    // RFC 3966 parameters (ext=, phone-context=) say nothing an SMS can use.
    s = (params === -1 ? s.slice(4) : s.slice(4, params)).trim();
  }
  if (SCIENTIFIC.test(s)) return undefined;
  const floatTail = FLOAT_TAIL.exec(s);
  if (floatTail) s = floatTail[1] ?? s;
  if (LETTER.test(s)) return undefined;
  // "00" is the international prefix almost everywhere, but the metadata knows only each
  // country's own (Russia's is 810), so 0049… with default RU would become +7 0049….
  if (s.startsWith('00')) return '+' + s.slice(2);
  if (s.charCodeAt(0) === 55 /* '7' */ && defaultCountry !== undefined && PLUS_SEVEN_COUNTRIES.has(defaultCountry)) {
    // "79123456789": written without the plus, as Russian CRMs and 1C exports commonly do.
    const digits = s.replace(NON_DIGIT, '');
    if (digits.length === 11) return '+' + digits;
  }
  return s;
}

/** Digits with the separators people type between them, and nothing else (no tabs, slashes, extensions). */
const PLAIN_NUMBER = /^\+?[\d ().-]{10,32}$/;
/**
 * Russian mobile numbers the metadata's MOBILE pattern for RU covers whole: national significant numbers
 * 9XXXXXXXXX but for the 930 range, which is patchy and left to the full parser.
 */
const RU_MOBILE = /^9(?:[0-24-9]\d|3[1-9])\d{7}$/;

/**
 * The common case of a Russian list without the full parser: a Russian mobile number written as
 * +7…, 8… or ten digits (the last two with Russia as the default country), digits and plain separators
 * only. Gives exactly what libphonenumber gives for it (test/contacts/phone.test.ts checks that), or
 * undefined for anything else. `text` is the cleaned cell: "7…" without a plus has become "+7…".
 */
export function russianMobile(text: string, defaultCountry: CountryCode | undefined): PhoneResult | undefined {
  if (!PLAIN_NUMBER.test(text)) return undefined;
  const digits = text.replace(NON_DIGIT, '');
  let national: string | undefined;
  if (text.charCodeAt(0) === 43 /* '+' */) {
    if (digits.length === 11 && digits.charCodeAt(0) === 55 /* '7' */) national = digits.slice(1);
  } else if (defaultCountry === 'RU') {
    if (digits.length === 11 && digits.charCodeAt(0) === 56 /* '8' */) national = digits.slice(1);
    else if (digits.length === 10) national = digits;
  }
  if (national === undefined || !RU_MOBILE.test(national)) return undefined;
  return { ok: true, e164: `+7${national}`, country: 'RU', type: 'MOBILE' };
}

/**
 * Normalises a number as typed by a person or exported by a spreadsheet or CRM into E.164.
 * `defaultCountry` (ISO 3166-1 alpha-2) interprets national forms such as "8 (912) 345-67-89".
 */
export function normalizePhone(raw: string | undefined | null, defaultCountry: string): PhoneResult {
  if (raw === undefined || raw === null || raw.trim() === '') return rejected.missing;
  const options = parseOptions(defaultCountry);
  const text = clean(raw, options.defaultCountry);
  if (text === undefined || text === '') return rejected.invalid_format;
  const fast = russianMobile(text, options.defaultCountry);
  if (fast !== undefined) return fast;
  const key = `${options.defaultCountry ?? ''}\u0000${text}`;
  let result = parsedCache.get(key);
  if (result === undefined) {
    result = parseFully(text, options);
    if (parsedCache.size < PARSED_CACHE_MAX) parsedCache.set(key, result);
  }
  return result;
}

/**
 * What the full parser said per cleaned text and default country. A list repeats its odd numbers (the
 * same landline, "12345", a foreign office) far more often than its mobile ones, which take the
 * shortcut; bounded, so a list of all-distinct foreign numbers costs a few MB at most.
 */
const parsedCache = new Map<string, PhoneResult>();
const PARSED_CACHE_MAX = 20_000;

function parseFully(text: string, options: { defaultCountry: CountryCode | undefined; extract: false }): PhoneResult {
  const parsed = parsePhoneNumberFromString(text, options);
  // Not possible = wrong length for the country: a typo or a truncated cell, not a real number.
  if (parsed === undefined || !parsed.isPossible()) return rejected.invalid_format;
  // With /max metadata isValid() is literally getType() !== undefined, so one call answers both;
  // isValid() is consulted only for metadata without types. Halves the cost per row.
  const type = parsed.getType();
  if (type === undefined && !parsed.isValid()) return rejected.invalid_number;
  if (type !== undefined && NOT_MOBILE.has(type)) return rejected.not_mobile;
  // Frozen like the rejections: the cache hands the same result to every caller.
  return Object.freeze({ ok: true, e164: parsed.number, country: parsed.country, type });
}
