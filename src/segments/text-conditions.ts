import type { Contact } from '../contacts/contact.js';
import type { ContactPredicate } from './evaluate.js';
import type { Condition, FieldKind } from './filter-types.js';
import { PROPERTY_PREFIX } from './filter-types.js';
import { splitList, type Folder } from './values.js';

/**
 * Text, list and presence operators. Each compiles to the positive test; a negative operator
 * (neq, not_in, not_contains) is its exact negation, so it is true when the value is unknown.
 */

type StringMatch = (folded: string) => boolean;
type ScalarField = 'phone' | 'firstName' | 'lastName' | 'middleName' | 'gender' | 'birthDate' | 'city' | 'country' | 'timezone' | 'createdAt' | 'updatedAt';

/** Reads one string-valued field or property; undefined when absent. */
export function stringReader(field: string): (contact: Contact) => string | undefined {
  if (field.startsWith(PROPERTY_PREFIX)) {
    const name = field.slice(PROPERTY_PREFIX.length);
    // typeof guards against inherited names such as "constructor" on a plain-object record.
    return (contact) => {
      const value = contact.properties[name];
      return typeof value === 'string' ? value : undefined;
    };
  }
  const key = field as ScalarField;
  return (contact) => contact[key];
}

function listReader(field: string): (contact: Contact) => readonly string[] {
  const key = field as 'interests' | 'tags';
  return (contact) => contact[key] ?? [];
}

export const NEGATED = { neq: 'eq', not_in: 'in', not_contains: 'contains' } as const;

function stringMatch(op: string, value: unknown, fold: Folder): StringMatch {
  if (op === 'in') {
    const wanted = new Set((value as string[]).map(fold));
    return (folded) => wanted.has(folded);
  }
  const target = fold(value as string);
  if (op === 'contains') return (folded) => folded.includes(target);
  if (op === 'starts_with') return (folded) => folded.startsWith(target);
  if (op === 'ends_with') return (folded) => folded.endsWith(target);
  return (folded) => folded === target;
}

/** eq/in/contains/starts_with/ends_with; on a list field, true when any element matches. */
export function compileStringCondition(condition: Condition, kind: FieldKind, fold: Folder): ContactPredicate {
  const negated = Object.hasOwn(NEGATED, condition.op);
  const op = negated ? NEGATED[condition.op as keyof typeof NEGATED] : condition.op;
  const match = stringMatch(op, condition.value, fold);
  const positive = kind === 'list' ? anyElement(listReader(condition.field), match, fold) : oneValue(stringReader(condition.field), match, fold);
  return negated ? (contact) => !positive(contact) : positive;
}

function oneValue(read: (contact: Contact) => string | undefined, match: StringMatch, fold: Folder): ContactPredicate {
  return (contact) => {
    const value = read(contact);
    if (value === undefined) return false;
    const folded = fold(value);
    return folded !== '' && match(folded);
  };
}

function anyElement(read: (contact: Contact) => readonly string[], match: StringMatch, fold: Folder): ContactPredicate {
  return (contact) => {
    for (const item of read(contact)) {
      const folded = fold(item);
      if (folded !== '' && match(folded)) return true;
    }
    return false;
  };
}

/** is_known / is_unknown: blank strings and empty lists count as unknown. */
export function compilePresence(condition: Condition, kind: FieldKind, fold: Folder): ContactPredicate {
  const known = kind === 'list' ? anyElement(listReader(condition.field), () => true, fold) : oneValue(stringReader(condition.field), () => true, fold);
  return condition.op === 'is_known' ? known : (contact) => !known(contact);
}

/** has_any / has_all over interests, tags, or a `;`/`,`-separated property. */
export function compileHas(condition: Condition, kind: FieldKind, fold: Folder): ContactPredicate {
  const wanted = [...new Set((condition.value as string[]).map(fold))];
  const items = itemsReader(condition.field, kind, fold);
  if (condition.op === 'has_any') {
    const wantedSet = new Set(wanted);
    const match = (item: string) => wantedSet.has(item);
    // The common case, interests/tags, walks the array without building a folded copy.
    if (kind === 'list') return anyElement(listReader(condition.field), match, fold);
    return (contact) => items(contact).some(match);
  }
  return (contact) => {
    const have = items(contact);
    return have.length > 0 && wanted.every((item) => have.includes(item));
  };
}

function itemsReader(field: string, kind: FieldKind, fold: Folder): (contact: Contact) => string[] {
  if (kind === 'list') {
    const read = listReader(field);
    return (contact) => read(contact).map(fold).filter((item) => item !== '');
  }
  const read = stringReader(field);
  return (contact) => {
    const value = read(contact);
    return value === undefined ? [] : splitList(value, fold);
  };
}
