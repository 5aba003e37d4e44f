import {
  FILTER_FIELDS,
  FIELD_KINDS,
  MAX_FILTER_DEPTH,
  MAX_FILTER_NODES,
  OPERATORS,
  OPERATOR_FIELD_KINDS,
  fieldKindOf,
  type Condition,
  type FieldKind,
  type FilterNode,
  type Operator,
} from './filter-types.js';
import { valueSpec } from './value-specs.js';

/** One problem in a filter tree, with its path from the root (`['and', 1, 'op']`). */
export interface FilterIssue {
  path: (string | number)[];
  message: string;
}

interface ReadState {
  issues: FilterIssue[];
  nodes: number;
  reportedDepth: boolean;
  reportedSize: boolean;
}

type Path = (string | number)[];
type Json = Record<string, unknown>;

const GROUP_KEYS = ['and', 'or', 'not'] as const;
const CONDITION_KEYS = ['field', 'op', 'value'];
const NODE_SHAPES = 'a condition {"field", "op", "value"} or a group {"and": [...]}, {"or": [...]}, {"not": {...}}';

/** Reads and validates a filter tree; problems go to `issues`. Never recurses past MAX_FILTER_DEPTH. */
export function readFilter(input: unknown, issues: FilterIssue[]): FilterNode | undefined {
  return readNode(input, [], 1, { issues, nodes: 0, reportedDepth: false, reportedSize: false });
}

function problem(state: ReadState, path: Path, message: string): undefined {
  state.issues.push({ path, message });
  return undefined;
}

/** Short JSON of a bad value for messages; never the whole subtree. */
export function preview(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readNode(input: unknown, path: Path, depth: number, state: ReadState): FilterNode | undefined {
  if (depth > MAX_FILTER_DEPTH) {
    if (state.reportedDepth) return undefined;
    state.reportedDepth = true;
    return problem(state, path, `the filter is nested deeper than ${MAX_FILTER_DEPTH} levels; flatten it`);
  }
  if (++state.nodes > MAX_FILTER_NODES) return tooLarge(state, path);
  if (!isObject(input)) return problem(state, path, `expected ${NODE_SHAPES}; got ${preview(input)}`);
  const keys = Object.keys(input);
  const groupKeys = keys.filter((key) => (GROUP_KEYS as readonly string[]).includes(key));
  if (groupKeys.length === 0) return readCondition(input, keys, path, state);
  if (keys.length > 1) {
    const found = keys.map((key) => `"${key}"`).join(', ');
    return problem(state, path, `a group has exactly one key, "and", "or" or "not"; got ${found}`);
  }
  return readGroup(input, groupKeys[0] as (typeof GROUP_KEYS)[number], path, depth, state);
}

function tooLarge(state: ReadState, path: Path): undefined {
  if (state.reportedSize) return undefined;
  state.reportedSize = true;
  return problem(state, path, `the filter has more than ${MAX_FILTER_NODES} conditions and groups; split it`);
}

function readGroup(input: Json, key: 'and' | 'or' | 'not', path: Path, depth: number, state: ReadState): FilterNode | undefined {
  const body = input[key];
  const bodyPath = [...path, key];
  if (key === 'not') {
    if (Array.isArray(body)) {
      return problem(state, bodyPath, '"not" takes one condition or group, not an array; wrap several in {"and": [...]}');
    }
    const inner = readNode(body, bodyPath, depth + 1, state);
    return inner === undefined ? undefined : { not: inner };
  }
  if (!Array.isArray(body)) return problem(state, bodyPath, `"${key}" needs an array of conditions or groups; got ${preview(body)}`);
  if (state.nodes + body.length > MAX_FILTER_NODES) return tooLarge(state, bodyPath);
  const children: FilterNode[] = [];
  body.forEach((child, index) => {
    const node = readNode(child, [...bodyPath, index], depth + 1, state);
    if (node !== undefined) children.push(node);
  });
  if (children.length !== body.length) return undefined;
  return key === 'and' ? { and: children } : { or: children };
}

function readCondition(input: Json, keys: string[], path: Path, state: ReadState): Condition | undefined {
  const before = state.issues.length;
  for (const key of keys) {
    if (!CONDITION_KEYS.includes(key)) problem(state, [...path, key], `unknown key "${key}"; a condition has "field", "op" and "value"`);
  }
  const field = readField(input['field'], [...path, 'field'], state);
  const op = readOperator(input['op'], [...path, 'op'], state);
  if (field === undefined || op === undefined) return undefined;
  const kind = fieldKindOf(field) as FieldKind;
  const mismatch = operatorMismatch(op, field, kind);
  if (mismatch !== undefined) return problem(state, [...path, 'op'], mismatch);
  const value = readValue(op, kind, input['value'], [...path, 'value'], state);
  if (state.issues.length > before) return undefined;
  const condition = { field, op } as Condition;
  if (value !== undefined) (condition as { value?: unknown }).value = value;
  return condition;
}

const FIELD_LIST = `${FILTER_FIELDS.join(', ')} or properties.<name>`;

function readField(input: unknown, path: Path, state: ReadState): Condition['field'] | undefined {
  if (typeof input !== 'string') return problem(state, path, `a condition needs "field": one of ${FIELD_LIST}`);
  if (fieldKindOf(input) !== undefined) return input as Condition['field'];
  const near = FILTER_FIELDS.find((name) => name.toLowerCase() === input.toLowerCase());
  const advice = near === undefined ? `use one of ${FIELD_LIST}` : `did you mean "${near}"?`;
  return problem(state, path, `unknown field "${input}"; ${advice}`);
}

function readOperator(input: unknown, path: Path, state: ReadState): Operator | undefined {
  if (typeof input === 'string' && (OPERATORS as string[]).includes(input)) return input as Operator;
  const got = typeof input === 'string' ? `unknown operator "${input}"` : 'a condition needs "op"';
  return problem(state, path, `${got}; use one of ${OPERATORS.join(', ')}`);
}

/** Why `op` cannot apply to `field`, naming the fields it can apply to. */
function operatorMismatch(op: Operator, field: string, kind: FieldKind): string | undefined {
  const kinds: readonly FieldKind[] = OPERATOR_FIELD_KINDS[op];
  if (kinds.includes(kind)) return undefined;
  const fields: string[] = FILTER_FIELDS.filter((name) => kinds.includes(FIELD_KINDS[name]));
  if (kinds.includes('property')) fields.push('properties.<name>');
  if (fields.length === 1) return `"${op}" needs the field ${fields[0]}`;
  const list = `${fields.slice(0, -1).join(', ')} or ${fields.at(-1) ?? ''}`;
  return `"${op}" does not apply to ${field}; it works on ${list}`;
}

function readValue(op: Operator, kind: FieldKind, input: unknown, path: Path, state: ReadState): unknown {
  const spec = valueSpec(op, kind);
  if (spec === undefined) {
    return input === undefined ? undefined : problem(state, path, `"${op}" takes no value; remove "value"`);
  }
  const result = spec.schema.safeParse(input);
  if (!result.success) return problem(state, path, `"${op}" needs ${spec.expects}; got ${preview(input)}`);
  const ordering = spec.check?.(result.data);
  if (ordering !== undefined) return problem(state, path, ordering);
  return result.data;
}
