import { z } from 'zod';
import { AppError } from '../common/errors.js';
import type { FilterNode } from './filter-types.js';
import { readFilter, type FilterIssue } from './validate.js';

export * from './filter-types.js';

/**
 * The filter tree. A hand-written reader behind a zod transform, because a plain recursive union
 * answers a typo with "Invalid input"; this one names the path and lists what is allowed there.
 * The output is a clean copy (trimmed strings, no foreign keys).
 */
export const filterSchema: z.ZodType<FilterNode> = z.unknown().transform((input, ctx) => {
  const issues: FilterIssue[] = [];
  const node = readFilter(input, issues);
  for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, input });
  return node === undefined || issues.length > 0 ? z.NEVER : node;
});

/** `filter.and[1].op` from `['and', 1, 'op']`. */
export function formatIssuePath(root: string, path: readonly PropertyKey[]): string {
  let text = root;
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
  return text;
}

const FILTER_HINT =
  'A condition is {"field": "city", "op": "eq", "value": "Москва"}; groups are {"and": [...]}, {"or": [...]} and {"not": {...}}.';

function validationError(what: string, root: string, error: z.ZodError, hint: string): AppError {
  const lines = error.issues.map((issue) => `${formatIssuePath(root, issue.path) || what}: ${issue.message}`);
  const more = lines.length > 3 ? `; and ${lines.length - 3} more problem(s)` : '';
  const message = `Invalid ${what}: ${lines.slice(0, 3).join('; ')}${more}`;
  return new AppError('VALIDATION_FAILED', message, { details: error.issues, hint });
}

/** Validates a filter tree from JSON; throws AppError('VALIDATION_FAILED') naming the offending path. */
export function parseFilter(input: unknown): FilterNode {
  const result = filterSchema.safeParse(input);
  if (!result.success) throw validationError('filter', 'filter', result.error, FILTER_HINT);
  return result.data;
}

/** 1–64 characters: letters (Cyrillic included), digits, space, `-`, `_`, `.`. */
export const segmentNameSchema = z
  .string()
  .normalize('NFC')
  .trim()
  .min(1, 'a segment name cannot be empty')
  .max(64, 'a segment name has at most 64 characters')
  .regex(/^[\p{L}\p{N} ._-]+$/u, 'a segment name may contain letters, digits, spaces and - _ . only');

export const segmentSchema = z.object({
  name: segmentNameSchema,
  filter: filterSchema,
  description: z.string().max(500).optional(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type Segment = z.infer<typeof segmentSchema>;

export function parseSegment(input: unknown): Segment {
  const result = segmentSchema.safeParse(input);
  if (!result.success) throw validationError('segment', '', result.error, FILTER_HINT);
  return result.data;
}
