import type { z } from 'zod';
import { AppError } from '../common/errors.js';

/** Validates a command's flags at the edge; a bad flag fails with every problem in one line. */
export function parseFlags<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', parsed.error.issues.map((issue) => issue.message).join('; '), {
      hint: 'Run the command with --help to see its options.',
    });
  }
  return parsed.data;
}

/** Commander reducer for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
