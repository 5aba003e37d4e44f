import { AppError } from '../common/errors.js';
import type { ConsentStatus } from '../consent/consent.js';
import type { Gender } from './contact.js';
import { memoByString } from '../common/memo.js';

/** Fields a file column can fill; anything else lands in `properties.<header>`. */
export const IMPORT_FIELDS = [
  'phone', 'firstName', 'lastName', 'middleName', 'fullName', 'gender', 'birthDate',
  'city', 'timezone', 'interests', 'tags', 'consent', 'email',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export interface ColumnMapping {
  /** One entry per header, in file order: every column gets a target, none is left unmapped. */
  columns: Array<{ index: number; header: string; target: string }>;
  unmapped?: never;
}

/** Header spellings per field, written in their normalised form (see `normalizeHeader`). */
const ALIASES: Record<ImportField, string[]> = {
  phone: ['phone', 'mobile', 'mobilephone', 'mobilenumber', 'phonenumber', 'cell', 'cellphone', 'msisdn', 'telephone', 'tel',
    'телефон', 'мобильный', 'мобильныйтелефон', 'мобильныйномер', 'номер', 'номертелефона', 'номермобильного', 'тел', 'моб',
    'сотовый', 'сотовыйтелефон'],
  firstName: ['firstname', 'name', 'givenname', 'имя'],
  lastName: ['lastname', 'surname', 'familyname', 'фамилия'],
  middleName: ['middlename', 'patronymic', 'отчество'],
  fullName: ['fullname', 'contactname', 'фио', 'полноеимя'],
  gender: ['gender', 'sex', 'пол'],
  birthDate: ['birthday', 'birthdate', 'dateofbirth', 'dob', 'датарождения', 'деньрождения', 'др'],
  city: ['city', 'town', 'город', 'населенныйпункт'],
  timezone: ['timezone', 'tz', 'часовойпояс'],
  interests: ['interests', 'интересы'],
  tags: ['tags', 'labels', 'теги', 'метки'],
  consent: ['consent', 'smsconsent', 'optin', 'согласие', 'согласиенарассылку', 'подписка'],
  email: ['email', 'почта', 'электроннаяпочта', 'элпочта'],
};

const FIELD_BY_ALIAS = new Map<string, ImportField>(
  IMPORT_FIELDS.flatMap((field) => ALIASES[field].map((alias) => [alias, field] as const)),
);

/** Case, spaces, underscores, hyphens, dots, a trailing "*" or ":" and ё/е do not matter in headers. */
function normalizeHeader(header: string): string {
  return header.toLowerCase().replace(/ё/g, 'е').replace(/[\s_\-.*:]+/g, '');
}

/**
 * Gives every column a target. Overrides (`--map "Column=field"`) are applied first; the remaining
 * columns are matched by header. When two columns match the same field, the first one wins and the
 * later one is kept as a property (e.g. a second "Телефон" becomes `properties.Телефон`), so no data is
 * lost and no row gets two phones.
 */
export function mapColumns(headers: string[], overrides: Record<string, string> = {}): ColumnMapping {
  const targets = resolveOverrides(headers, overrides);
  const taken = new Set(targets.values());
  const columns = headers.map((raw, index) => {
    const header = raw.trim();
    let target = targets.get(index);
    if (target === undefined) {
      const field = FIELD_BY_ALIAS.get(normalizeHeader(header));
      target = field !== undefined && !taken.has(field) ? field : uniqueProperty(header, index, taken);
      taken.add(target);
    }
    return { index, header, target };
  });
  return { columns };
}

/** `properties.<header>`; a blank header becomes `column<N>` and a repeated one gets " (2)", " (3)"… */
function uniqueProperty(header: string, index: number, taken: Set<string>): string {
  const base = `properties.${header === '' ? `column${index + 1}` : header}`;
  let target = base;
  for (let n = 2; taken.has(target); n += 1) target = `${base} (${n})`;
  return target;
}

function resolveOverrides(headers: string[], overrides: Record<string, string>): Map<number, string> {
  const byIndex = new Map<number, string>();
  const fieldOwner = new Map<string, string>();
  for (const [column, rawTarget] of Object.entries(overrides)) {
    const wanted = column.trim().toLowerCase();
    const index = headers.findIndex((header) => header.trim().toLowerCase() === wanted);
    if (index < 0) {
      throw new AppError('VALIDATION_FAILED', `--map names a column that is not in the file: "${column}"`, {
        hint: `The file's columns are: ${headers.map((h) => `"${h.trim()}"`).join(', ')}.`,
        details: { column, headers },
      });
    }
    const target = normalizeTarget(rawTarget, column);
    const owner = fieldOwner.get(target);
    if (owner !== undefined) {
      throw new AppError('VALIDATION_FAILED', `--map assigns ${target} to both "${owner}" and "${column}"`, {
        hint: 'Map each field from one column only.',
      });
    }
    fieldOwner.set(target, column);
    byIndex.set(index, target);
  }
  return byIndex;
}

/** A known field (any case) or `properties.<name>`; anything else is a typo worth stopping for. */
function normalizeTarget(raw: string, column: string): string {
  const target = raw.trim();
  const field = IMPORT_FIELDS.find((f) => f.toLowerCase() === target.toLowerCase());
  if (field !== undefined) return field;
  const property = /^properties\.(.+)$/i.exec(target)?.[1]?.trim();
  if (property) return `properties.${property}`;
  throw new AppError('VALIDATION_FAILED', `--map "${column}=${raw}": "${raw}" is not a contact field`, {
    hint: `Use one of: ${IMPORT_FIELDS.join(', ')}, or properties.<name> for a custom property.`,
    details: { column, target: raw, fields: IMPORT_FIELDS },
  });
}

/** Parses repeated `--map "Column Name=field"` options; the last "=" splits, so headers may contain "=". */
export function parseMapOption(values: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  const seen = new Set<string>();
  for (const value of values) {
    const at = value.lastIndexOf('=');
    const column = value.slice(0, Math.max(at, 0)).trim();
    const target = value.slice(at + 1).trim();
    if (at < 0 || column === '' || target === '') {
      throw new AppError('VALIDATION_FAILED', `Malformed --map "${value}": expected "Column Name=field"`, {
        hint: 'Example: --map "Мобильный=phone" --map "Клиент с=properties.since".',
      });
    }
    if (seen.has(column.toLowerCase())) {
      throw new AppError('VALIDATION_FAILED', `--map gives column "${column}" twice`, { hint: 'Map each column once.' });
    }
    seen.add(column.toLowerCase());
    result[column] = target;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Cell parsers: never throw; `ok: false` means "there is a value but it makes no sense".

export type DateCell = { ok: true; date: string } | { ok: false } | { ok: true; date: undefined };
export type GenderCell = { ok: true; value: Gender | undefined } | { ok: false };
export type ConsentCell = { ok: true; value: ConsentStatus | undefined } | { ok: false };

const DAY_FIRST = /^(\d{1,2})([./])(\d{1,2})\2(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const SERIAL = /^\d+(?:\.\d+)?$/;
/** 9999-12-31 in Excel's 1900 date system. */
const MAX_SERIAL = 2958465;
const DAY_MS = 86_400_000;

/**
 * Dates as Russian and international files write them: DD.MM.YYYY, D.M.YYYY, DD/MM/YYYY (day first),
 * YYYY-MM-DD, each optionally followed by a time, and Excel serial numbers. Two-digit years are refused:
 * for birth dates "01.02.03" could be 1903 or 2003, and a wrong century is worse than a warning.
 */
export const parseDateCell: (value: string) => DateCell = memoByString(readDateCell, 10_000);

function readDateCell(value: string): DateCell {
  const text = value.trim();
  if (text === '') return { ok: true, date: undefined };
  const dayFirst = DAY_FIRST.exec(text);
  if (dayFirst) return calendarDate(Number(dayFirst[4]), Number(dayFirst[3]), Number(dayFirst[1]));
  const iso = ISO.exec(text);
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  if (SERIAL.test(text)) return serialDate(Math.floor(Number(text)));
  return { ok: false };
}

function calendarDate(year: number, month: number, day: number): DateCell {
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 31.02 over to March and maps years 0–99 to 19xx: a round trip catches both.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return { ok: false };
  return { ok: true, date: isoDay(date) };
}

/**
 * Excel's 1900 system counts 1900-01-01 as 1 and, copying a Lotus 1-2-3 bug, has a 1900-02-29 (serial
 * 60) that never existed; every later serial is one day ahead of a plain day count.
 */
function serialDate(serial: number): DateCell {
  if (serial < 1 || serial > MAX_SERIAL || serial === 60) return { ok: false };
  const dayZero = serial < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  return { ok: true, date: isoDay(new Date(dayZero + serial * DAY_MS)) };
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Lower case, ё→е, inner whitespace/underscores as one "-", a trailing "." dropped ("муж." = "муж"). */
function normalizeWord(value: string): string {
  return value.trim().toLowerCase().replace(/ё/g, 'е').replace(/[\s_]+/g, '-').replace(/(.)\.$/, '$1');
}

const GENDERS = new Map<string, Gender>([
  ...['м', 'муж', 'мужской', 'мужчина', 'm', 'male', 'man'].map((w) => [w, 'male'] as const),
  ...['ж', 'жен', 'женский', 'женщина', 'f', 'female', 'woman'].map((w) => [w, 'female'] as const),
  ...['другой', 'другое', 'иной', 'иное', 'other', 'x'].map((w) => [w, 'other'] as const),
]);

export const parseGender: (value: string) => GenderCell = memoByString(readGender, 1_000);

function readGender(value: string): GenderCell {
  if (value.trim() === '') return { ok: true, value: undefined };
  const gender = GENDERS.get(normalizeWord(value));
  return gender === undefined ? { ok: false } : { ok: true, value: gender };
}

const CONSENTS = new Map<string, ConsentStatus>([
  ...['yes', 'y', 'true', '1', 'да', 'д', 'согласен', 'согласна', 'opted-in', 'opt-in', 'optin', 'subscribed', '+']
    .map((w) => [w, 'opted_in'] as const),
  ...['no', 'n', 'false', '0', 'нет', 'н', 'не-согласен', 'не-согласна', 'opted-out', 'opt-out', 'optout', 'unsubscribed', '-']
    .map((w) => [w, 'opted_out'] as const),
]);

export function parseConsentCell(value: string): ConsentCell {
  if (value.trim() === '') return { ok: true, value: undefined };
  const status = CONSENTS.get(normalizeWord(value));
  return status === undefined ? { ok: false } : { ok: true, value: status };
}

/** "a, b; c|d" or one item per line → ["a","b","c","d"]; repeats (any case) keep their first spelling. */
export function splitList(value: string): string[] {
  const seen = new Set<string>();
  const items: string[] = [];
  for (const part of value.split(/[,;|\r\n]/)) {
    const item = part.trim();
    const key = item.toLowerCase();
    if (item === '' || seen.has(key)) continue;
    seen.add(key);
    items.push(item);
  }
  return items;
}

const CYRILLIC_WORD = /^[\p{Script=Cyrillic}-]+$/u;
/** Отчество: -ович/-евич/-ич, -овна/-евна/-ична/-инична, and the Turkic оглы/кызы. */
const PATRONYMIC = /(?:ович|евич|ьич|ич|овна|евна|ична|инична)$/iu;
const TURKIC_PATRONYMIC = /^(?:оглы|кызы|улы|гызы)$/iu;
/** Endings of most Russian surnames (-ов, -ева, -ин, -ская, -енко...), for two-word names. */
const SURNAME = /(?:ов|ова|ев|ева|ёв|ёва|ин|ина|ын|ына|ский|ская|цкий|цкая|ской|ых|их|енко|ко|ук|юк|швили|дзе|ян|янц)$/iu;

export type FullNameSplit =
  | { ok: true; firstName?: string; lastName?: string; middleName?: string }
  | { ok: false };

/**
 * Splits a full name. Russian names (Cyrillic) are written surname first, as in documents and CRM
 * exports: "Иванов Иван Иванович" → lastName Иванов, firstName Иван, middleName Иванович; "Петрова
 * Мария" → lastName Петрова, firstName Мария. A patronymic is recognised by its ending wherever it
 * stands ("Иван Иванович Иванов" also splits), and "Мария Петрова" (a surname ending second only) is
 * read first-name-first. Latin names are first name first ("Mary Smith"). Anything else (four words,
 * three Latin words, three Cyrillic words without a patronymic) is not split: `ok: false`, and the
 * importer keeps the whole name and says so.
 */
export function splitFullName(value: string): FullNameSplit {
  const words = value.trim().split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return { ok: true };
  if (words.length === 1) return { ok: true, firstName: words[0] as string };
  const cyrillic = words.every((word) => CYRILLIC_WORD.test(word));
  if (!cyrillic) return words.length === 2 ? { ok: true, firstName: words[0] as string, lastName: words[1] as string } : { ok: false };
  const isPatronymic = (word: string | undefined): boolean => word !== undefined && PATRONYMIC.test(word);
  if (words.length === 2) {
    const [a, b] = words as [string, string];
    if (isPatronymic(b)) return { ok: true, firstName: a, middleName: b };
    if (SURNAME.test(b) && !SURNAME.test(a)) return { ok: true, firstName: a, lastName: b };
    return { ok: true, lastName: a, firstName: b };
  }
  if (words.length === 3) {
    const [a, b, c] = words as [string, string, string];
    if (isPatronymic(c)) return { ok: true, lastName: a, firstName: b, middleName: c };
    if (isPatronymic(b)) return { ok: true, firstName: a, middleName: b, lastName: c };
  }
  // "Мамедов Эльчин Вагиф оглы": surname, name, father's name + оглы/кызы.
  if (words.length === 4 && TURKIC_PATRONYMIC.test(words[3] as string)) {
    return { ok: true, lastName: words[0] as string, firstName: words[1] as string, middleName: `${words[2] as string} ${words[3] as string}` };
  }
  return { ok: false };
}
