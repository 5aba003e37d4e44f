import { z } from 'zod';
import { genderSchema } from '../contacts/contact.js';
import type { FieldKind, Operator } from './filter-types.js';
import { compareTemporal, parseTemporal, type Temporal } from './values.js';

/** The value an operator takes on a field kind: its schema and, for messages, what it expects. */
export interface ValueSpec {
  schema: z.ZodType;
  expects: string;
  /** A cross-item rule the schema cannot say, such as low ≤ high. */
  check?: (value: unknown) => string | undefined;
}

const MAX_LIST = 1_000;

interface ScalarSpec {
  schema: z.ZodType;
  expects: string;
  plural: string;
}

const text = z.string().trim().min(1);
const isoDateOrTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const finite = z.number();
const wholeUpTo = (max: number) => z.number().int().min(0).max(max);

const TEXT: ScalarSpec = { schema: text, expects: 'a non-empty string', plural: 'non-empty strings' };
const DATE: ScalarSpec = {
  schema: isoDateOrTime,
  expects: 'an ISO date YYYY-MM-DD or a date-time with offset such as 2026-05-01T09:00:00+03:00',
  plural: 'ISO dates',
};
// People type "Female"; the stored value is lower case.
const GENDER: ScalarSpec = {
  schema: z.string().trim().toLowerCase().pipe(genderSchema),
  expects: `one of ${genderSchema.options.map((g) => `"${g}"`).join(', ')}`,
  plural: `values among ${genderSchema.options.join(', ')}`,
};
const NUMBER_OR_DATE = { schema: z.union([finite, isoDateOrTime]), expects: 'a number or an ISO date' };

function scalarFor(kind: FieldKind): ScalarSpec {
  if (kind === 'enum') return GENDER;
  return kind === 'date' || kind === 'instant' ? DATE : TEXT;
}

function listOf(item: ScalarSpec): ValueSpec {
  return { schema: z.array(item.schema).min(1).max(MAX_LIST), expects: `an array of 1 to ${MAX_LIST} ${item.plural}` };
}

function orderedPair(value: unknown): string | undefined {
  const [low, high] = value as [number, number] | [string, string];
  const inOrder =
    typeof low === 'number'
      ? low <= (high as number)
      : compareTemporal(parseTemporal(low) as Temporal, parseTemporal(high as string) as Temporal) <= 0;
  return inOrder ? undefined : `"between" needs [low, high] with low ≤ high; got [${String(low)}, ${String(high)}]`;
}

function betweenFor(kind: FieldKind): ValueSpec {
  const dates = z.tuple([isoDateOrTime, isoDateOrTime]);
  if (kind !== 'property') return { schema: dates, expects: '[low, high]: two ISO dates', check: orderedPair };
  const schema = z.union([z.tuple([finite, finite]), dates]);
  return { schema, expects: '[low, high]: two numbers or two ISO dates', check: orderedPair };
}

function count(max: number, unit: string): ValueSpec {
  return { schema: wholeUpTo(max), expects: `a whole number of ${unit} from 0 to ${max}` };
}

/** The value `op` needs on a field of `kind`; undefined when it takes none. */
export function valueSpec(op: Operator, kind: FieldKind): ValueSpec | undefined {
  switch (op) {
    case 'is_known':
    case 'is_unknown':
      return undefined;
    case 'eq':
    case 'neq':
      return scalarFor(kind);
    case 'in':
    case 'not_in':
      return listOf(scalarFor(kind));
    case 'contains':
    case 'not_contains':
    case 'starts_with':
    case 'ends_with':
      return TEXT;
    case 'has_any':
    case 'has_all':
      return listOf(TEXT);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return kind === 'property' ? NUMBER_OR_DATE : DATE;
    case 'before':
    case 'after':
      return DATE;
    case 'between':
      return betweenFor(kind);
    case 'within_last_days':
    case 'within_next_days':
      return count(36_500, 'days');
    case 'birthday_in_days':
      return count(366, 'days');
    case 'age_gte':
    case 'age_lt':
      return count(150, 'years');
  }
}
