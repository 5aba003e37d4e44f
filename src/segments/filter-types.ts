/** The filter tree's vocabulary: fields, their kinds, operators and the node types. */
import { CONTACT_FIELDS } from '../contacts/contact.js';

/** Contact fields a condition may name; custom data is `properties.<name>`. */
export const FILTER_FIELDS = [...CONTACT_FIELDS, 'createdAt', 'updatedAt'] as const;
export type ContactFilterField = (typeof FILTER_FIELDS)[number];
export type PropertyField = `properties.${string}`;
export type FilterField = ContactFilterField | PropertyField;

/**
 * How a field's value is read, which decides the operators it accepts. `date` is a calendar date
 * (birthDate); `instant` a timestamp (createdAt, updatedAt); a property is a string that numeric,
 * date and list operators parse on the fly.
 */
export type FieldKind = 'text' | 'enum' | 'date' | 'instant' | 'list' | 'property';

export const FIELD_KINDS: Readonly<Record<ContactFilterField, FieldKind>> = {
  phone: 'text',
  firstName: 'text',
  lastName: 'text',
  middleName: 'text',
  gender: 'enum',
  birthDate: 'date',
  city: 'text',
  country: 'text',
  timezone: 'text',
  interests: 'list',
  tags: 'list',
  createdAt: 'instant',
  updatedAt: 'instant',
};

export const PROPERTY_PREFIX = 'properties.';

/** The kind of a field name, or undefined when the name is not a filterable field. */
export function fieldKindOf(field: string): FieldKind | undefined {
  if (field.startsWith(PROPERTY_PREFIX)) return field.length > PROPERTY_PREFIX.length ? 'property' : undefined;
  return Object.hasOwn(FIELD_KINDS, field) ? FIELD_KINDS[field as ContactFilterField] : undefined;
}

const ALL: readonly FieldKind[] = ['text', 'enum', 'date', 'instant', 'list', 'property'];
const TEXTUAL: readonly FieldKind[] = ['text', 'list', 'property'];
const TEMPORAL: readonly FieldKind[] = ['date', 'instant', 'property'];

/** Which field kinds each operator accepts. */
export const OPERATOR_FIELD_KINDS = {
  eq: ALL,
  neq: ALL,
  in: ALL,
  not_in: ALL,
  contains: TEXTUAL,
  not_contains: TEXTUAL,
  starts_with: TEXTUAL,
  ends_with: TEXTUAL,
  gt: TEMPORAL,
  gte: TEMPORAL,
  lt: TEMPORAL,
  lte: TEMPORAL,
  between: TEMPORAL,
  is_known: ALL,
  is_unknown: ALL,
  before: TEMPORAL,
  after: TEMPORAL,
  within_last_days: TEMPORAL,
  within_next_days: TEMPORAL,
  birthday_in_days: ['date'],
  age_gte: ['date'],
  age_lt: ['date'],
  has_any: ['list', 'property'],
  has_all: ['list', 'property'],
} as const satisfies Record<string, readonly FieldKind[]>;
export type Operator = keyof typeof OPERATOR_FIELD_KINDS;
export const OPERATORS = Object.keys(OPERATOR_FIELD_KINDS) as Operator[];

type StringOperator = 'eq' | 'neq' | 'contains' | 'not_contains' | 'starts_with' | 'ends_with' | 'before' | 'after';
type StringListOperator = 'in' | 'not_in' | 'has_any' | 'has_all';
type OrderOperator = 'gt' | 'gte' | 'lt' | 'lte';
type CountOperator = 'within_last_days' | 'within_next_days' | 'birthday_in_days' | 'age_gte' | 'age_lt';

export type Condition =
  | { field: FilterField; op: StringOperator; value: string }
  | { field: FilterField; op: StringListOperator; value: string[] }
  | { field: FilterField; op: OrderOperator; value: number | string }
  | { field: FilterField; op: 'between'; value: [number, number] | [string, string] }
  | { field: FilterField; op: CountOperator; value: number }
  | { field: FilterField; op: 'is_known' | 'is_unknown'; value?: undefined };

export interface AndGroup {
  and: FilterNode[];
}
export interface OrGroup {
  or: FilterNode[];
}
export interface NotGroup {
  not: FilterNode;
}
export type FilterNode = Condition | AndGroup | OrGroup | NotGroup;

export const MAX_FILTER_DEPTH = 20;
export const MAX_FILTER_NODES = 1_000;
