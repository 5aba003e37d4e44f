import type { Contact } from '../contacts/contact.js';
import { compileBirthDate, compileOrdered, compileWithinDays, type DateEnv } from './date-conditions.js';
import { fieldKindOf, type Condition, type FieldKind, type FilterNode } from './filter-types.js';
import { parseFilter } from './filter.js';
import { createTodayCache, type LocalDay } from './local-date.js';
import { compileHas, compilePresence, compileStringCondition } from './text-conditions.js';
import { createFolder, type Folder } from './values.js';

/** What evaluation needs from outside: the instant to judge at, and each contact's IANA zone. */
export interface EvaluationContext {
  now: Date;
  /** The contact's IANA zone, resolved by the caller. An empty or unknown zone is treated as UTC. */
  zoneOf(contact: Contact): string;
}

export type ContactPredicate = (contact: Contact) => boolean;

interface CompileEnv extends DateEnv {
  fold: Folder;
}

/**
 * Validates the tree, folds its strings and resolves its operators once, and returns a predicate
 * that does only per-contact work. Throws AppError('VALIDATION_FAILED') for an invalid tree, so a
 * hand-built filter gets the same checks as one read from JSON.
 */
export function compileFilter(filter: FilterNode, context: EvaluationContext): ContactPredicate {
  return compileNode(parseFilter(filter), createEnv(context));
}

function createEnv(context: EvaluationContext): CompileEnv {
  const todayIn = createTodayCache(context.now);
  // Birthday and age conditions on one contact ask for its zone back to back; ask the caller once.
  let lastContact: Contact | undefined;
  let lastToday: LocalDay | undefined;
  const todayOf = (contact: Contact): LocalDay => {
    if (contact !== lastContact || lastToday === undefined) {
      lastToday = todayIn(context.zoneOf(contact));
      lastContact = contact;
    }
    return lastToday;
  };
  return { fold: createFolder(), nowMs: context.now.getTime(), todayOf };
}

function compileNode(node: FilterNode, env: CompileEnv): ContactPredicate {
  if ('and' in node) return every(node.and.map((child) => compileNode(child, env)));
  if ('or' in node) return some(node.or.map((child) => compileNode(child, env)));
  if ('not' in node) {
    const inner = compileNode(node.not, env);
    return (contact) => !inner(contact);
  }
  return compileCondition(node, env);
}

function every(predicates: ContactPredicate[]): ContactPredicate {
  const [first, second] = predicates;
  if (first === undefined) return () => true;
  if (second === undefined) return first;
  if (predicates.length === 2) return (contact) => first(contact) && second(contact);
  return (contact) => {
    for (const predicate of predicates) if (!predicate(contact)) return false;
    return true;
  };
}

function some(predicates: ContactPredicate[]): ContactPredicate {
  const [first, second] = predicates;
  if (first === undefined) return () => false;
  if (second === undefined) return first;
  if (predicates.length === 2) return (contact) => first(contact) || second(contact);
  return (contact) => {
    for (const predicate of predicates) if (predicate(contact)) return true;
    return false;
  };
}

const ORDERED_OPS = new Set(['gt', 'gte', 'lt', 'lte', 'between', 'before', 'after']);
const EQUALITY_OPS = new Set(['eq', 'neq', 'in', 'not_in']);

function compileCondition(condition: Condition, env: CompileEnv): ContactPredicate {
  const kind = fieldKindOf(condition.field) as FieldKind;
  const { op } = condition;
  if (op === 'is_known' || op === 'is_unknown') return compilePresence(condition, kind, env.fold);
  if (op === 'has_any' || op === 'has_all') return compileHas(condition, kind, env.fold);
  if (op === 'within_last_days' || op === 'within_next_days') return compileWithinDays(condition, env);
  if (op === 'birthday_in_days' || op === 'age_gte' || op === 'age_lt') return compileBirthDate(condition, env);
  // Date fields compare as dates even for eq/in: `createdAt eq "2026-05-01"` means "on that day".
  if (ORDERED_OPS.has(op) || (EQUALITY_OPS.has(op) && (kind === 'date' || kind === 'instant'))) return compileOrdered(condition);
  return compileStringCondition(condition, kind, env.fold);
}
