/**
 * A saved message template as the store keeps it. Only shape and limits are checked here; whether the
 * text is valid mustache with known variables depends on the campaign and is compileTemplate's job.
 */
import { z } from 'zod';
import { AppError } from '../common/errors.js';

/** Ten concatenated GSM-7 parts and then some; longer texts are almost certainly pasted by mistake. */
export const TEMPLATE_TEXT_MAX = 1600;
export const TEMPLATE_NAME_MAX = 64;

// Letters of any script (with their combining marks), digits, space, "-", "_", "."; no space at
// either end, so "spring" and "spring " cannot both exist and look the same in a list.
const TEMPLATE_NAME = /^[\p{L}\p{M}\p{Nd}_.-](?:[\p{L}\p{M}\p{Nd} _.-]*[\p{L}\p{M}\p{Nd}_.-])?$/u;

export const templateSchema = z.object({
  name: z
    .string()
    .min(1, 'must not be empty')
    .max(TEMPLATE_NAME_MAX, `must be at most ${TEMPLATE_NAME_MAX} characters`)
    .regex(TEMPLATE_NAME, 'may contain letters, digits, spaces, "-", "_" and "." and must not start or end with a space'),
  text: z
    .string()
    .min(1, 'must not be empty')
    .max(TEMPLATE_TEXT_MAX, `must be at most ${TEMPLATE_TEXT_MAX} characters`),
  description: z.string().max(500).optional(),
  /** Campaign variables the text uses besides contact fields ({{promo}}); each campaign supplies their values. */
  variables: z.array(z.string().min(1).max(64)).max(50).default([]),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type Template = z.infer<typeof templateSchema>;

export function parseTemplateRecord(input: unknown): Template {
  const result = templateSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`);
  throw new AppError('VALIDATION_FAILED', `Invalid template record: ${problems.join('; ')}`, {
    hint: `A template needs a name (1–${TEMPLATE_NAME_MAX} characters) and a text (1–${TEMPLATE_TEXT_MAX} characters).`,
    details: { problems },
  });
}
