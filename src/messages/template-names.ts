/**
 * The names a message template may use, and the checks behind the save-time error messages: which
 * names exist, which campaign variable names are acceptable, and which known name a typo was
 * probably meant to be.
 */
import { AppError } from '../common/errors.js';
import type { ContactFieldName } from '../contacts/contact.js';

/** Contact fields in the order people read them in a list (names first), not the storage order. */
export const TEMPLATE_FIELDS = [
  'firstName',
  'lastName',
  'middleName',
  'phone',
  'gender',
  'birthDate',
  'city',
  'country',
  'timezone',
  'interests',
  'tags',
] as const satisfies readonly ContactFieldName[];

// Compile-time guard: a field added to CONTACT_FIELDS must be added above too.
type MissingField = Exclude<ContactFieldName, (typeof TEMPLATE_FIELDS)[number]>;
const _everyFieldListed: [MissingField] extends [never] ? true : false = true;
void _everyFieldListed;

export const PROPERTIES_PREFIX = 'properties.';
/** How the open-ended property namespace is shown in lists of known names. */
export const PROPERTY_PLACEHOLDER = 'properties.<name>';

const PROPERTY_LIST_LIMIT = 30;
const FIELD_SET: ReadonlySet<string> = new Set(TEMPLATE_FIELDS);
// Letters of any script first, so `{{промокод}}` works; no dots, since a dot means nesting to mustache.
const CAMPAIGN_NAME = /^[\p{L}_][\p{L}\p{M}\p{Nd}_-]*$/u;

export function where(templateName: string | undefined): string {
  return templateName === undefined ? 'in the template' : `in template "${templateName}"`;
}

export function isContactFieldName(name: string): name is ContactFieldName {
  return FIELD_SET.has(name);
}

/** Every name a template may use, for error messages and `--help`. */
export function knownVariableNames(campaignVariables: readonly string[] = []): string[] {
  const names: string[] = [...TEMPLATE_FIELDS, PROPERTY_PLACEHOLDER];
  for (const name of campaignVariables) if (!names.includes(name)) names.push(name);
  return names;
}

/**
 * Campaign variable names, deduplicated. A name that shadows a contact field or `properties` is
 * refused rather than silently winning or losing: either way some messages would say the wrong thing.
 */
export function checkCampaignVariableNames(names: readonly string[]): string[] {
  const accepted: string[] = [];
  for (const name of names) {
    if (isContactFieldName(name) || name === 'properties' || name.startsWith(PROPERTIES_PREFIX)) {
      throw new AppError('VALIDATION_FAILED', `Campaign variable "${name}" reuses a contact field name`, {
        hint: `Rename the campaign variable; ${[...TEMPLATE_FIELDS, 'properties'].join(', ')} are taken by contact data.`,
        details: { variable: name },
      });
    }
    if (!CAMPAIGN_NAME.test(name)) {
      throw new AppError('VALIDATION_FAILED', `Campaign variable name "${name}" is not valid`, {
        hint: 'Use letters, digits, "_" or "-", starting with a letter or "_" (for example promo or shop_url); no dots or spaces.',
        details: { variable: name },
      });
    }
    if (!accepted.includes(name)) accepted.push(name);
  }
  return accepted;
}

/**
 * Optimal-string-alignment distance (a swap of neighbours costs 1, the commonest typo), case-blind
 * so `{{FirstName}}` is pointed at firstName. Stops early once every path exceeds `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (Math.abs(s.length - t.length) > limit) return limit + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) value = Math.min(value, prevPrev[j - 2]! + 1);
      row.push(value);
      if (value < best) best = value;
    }
    if (best > limit) return limit + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[t.length]!;
}

/** The closest candidate within edit distance 2; ties go to the earlier candidate. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let found: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate, 2);
    if (distance < bestDistance) {
      bestDistance = distance;
      found = candidate;
    }
  }
  return found;
}

function suggest(name: string, candidates: readonly string[], knownProperties: ReadonlySet<string> | undefined): string | undefined {
  const close = closestName(name, candidates);
  if (close !== undefined) return close;
  if (knownProperties?.has(name)) return `${PROPERTIES_PREFIX}${name}`;
  // `{{propertes.vip}}`: the namespace is misspelt, the property name may well be right.
  const dot = name.indexOf('.');
  if (dot > 0 && name.length > dot + 1 && editDistance(name.slice(0, dot), 'properties', 2) <= 2) {
    return `${PROPERTIES_PREFIX}${name.slice(dot + 1)}`;
  }
  return undefined;
}

/** The save-time error for names the template uses but nobody supplies, with near-miss suggestions. */
export function unknownVariablesError(unknown: string[], campaign: string[], knownProperties: string[] | undefined, templateName: string | undefined): AppError {
  const propertyNames = knownProperties?.map((key) => `${PROPERTIES_PREFIX}${key}`);
  const candidates = [...TEMPLATE_FIELDS, ...(propertyNames ?? []), ...campaign];
  let shownProperties = propertyNames ?? [PROPERTY_PLACEHOLDER];
  if (shownProperties.length > PROPERTY_LIST_LIMIT) {
    const more = shownProperties.length - PROPERTY_LIST_LIMIT;
    shownProperties = [...shownProperties.slice(0, PROPERTY_LIST_LIMIT), `…and ${more} more properties`];
  }
  const known = [...TEMPLATE_FIELDS, ...shownProperties, ...campaign];
  const propertySet = knownProperties === undefined ? undefined : new Set(knownProperties);
  // An array, not a record: a template may well say {{__proto__}}.
  const suggestions: { variable: string; suggestion: string }[] = [];
  for (const variable of unknown) {
    const suggestion = suggest(variable, candidates, propertySet);
    if (suggestion !== undefined) suggestions.push({ variable, suggestion });
  }
  const tags = unknown.map((name) => `{{${name}}}`).join(', ');
  const guesses = suggestions.map(({ variable, suggestion }) => `{{${variable}}}: did you mean ${suggestion}?`);
  const advice = 'Names are case-sensitive; CRM fields are properties.<name>, campaign-specific values must be declared as campaign variables.';
  return new AppError('VALIDATION_FAILED', `Unknown variable${unknown.length > 1 ? 's' : ''} ${tags} ${where(templateName)}; known: ${known.join(', ')}`, {
    hint: [...guesses, advice].join(' '),
    details: { template: templateName, unknown, suggestions, known: [...TEMPLATE_FIELDS, ...(propertyNames ?? [PROPERTY_PLACEHOLDER]), ...campaign] },
  });
}
