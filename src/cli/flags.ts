import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../common/errors.js';

/** `--dry-run` from commander's `dryRun`. */
const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** One problem in words that name the flag and what was given. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const key = issue.path[0];
  if (typeof key !== 'string' || issue.message.startsWith('--')) return issue.message;
  const given = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[key] : undefined;
  if (issue.code === 'invalid_type' && issue.expected === 'number') return `${flagName(key)} must be a number, got '${String(given)}'`;
  return `${flagName(key)}: ${issue.message}`;
}

/** Validates a command's flags at the edge; a bad flag fails with every problem in one line, each naming its flag. */
export function parseFlags<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', parsed.error.issues.map((issue) => describeIssue(issue, raw)).join('; '), {
      hint: 'Run the command with --help to see its options.',
    });
  }
  return parsed.data;
}

/** A whole-number flag: "--limit must be a whole number, got 'abc'", and its bounds in the same words. */
export function wholeNumber(flag: string, bounds: { min?: number; max?: number } = {}) {
  return z.union([z.string(), z.number()]).transform((raw, ctx) => {
    const text = String(raw).trim();
    if (!/^[+-]?\d+$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be a whole number, got '${String(raw)}'` });
      return z.NEVER;
    }
    const value = Number(text);
    if (bounds.min !== undefined && value < bounds.min) ctx.addIssue({ code: 'custom', message: `${flag} must be at least ${bounds.min}, got ${value}` });
    else if (bounds.max !== undefined && value > bounds.max) ctx.addIssue({ code: 'custom', message: `${flag} is at most ${bounds.max}, got ${value}` });
    return value;
  });
}

/** Commander reducer for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * How the user runs this CLI, for hints they can paste: `npm run -s smsbridge --` inside a checkout
 * (an npm script started it), `npx tsx <file>` from the TypeScript sources, else the installed
 * `smsbridge` bin.
 */
export function cliInvocation(env: Readonly<Record<string, string | undefined>> = process.env, argv: readonly string[] = process.argv, cwd = process.cwd()): string {
  if (env.npm_package_name === 'sms-bridge' && (env.npm_lifecycle_event === 'smsbridge' || env.npm_lifecycle_event === 'demo')) return 'npm run -s smsbridge --';
  const script = argv[1] ?? '';
  if (script.endsWith('.ts')) return `npx tsx ${path.relative(cwd, script) || script}`;
  return 'smsbridge';
}
