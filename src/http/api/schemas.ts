import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { maskPhone } from '../../common/mask.js';
import { genderSchema } from '../../contacts/contact.js';
import { normalizePhone } from '../../contacts/phone.js';
import { isValidTimeZone } from '../../contacts/timezone.js';
import { variantSchema } from '../../campaigns/variants.js';
import { TEMPLATE_NAME_MAX, TEMPLATE_TEXT_MAX, templateSchema } from '../../messages/template-record.js';
import { filterSchema, formatIssuePath, segmentNameSchema } from '../../segments/index.js';
import { LIST_REFERENCE } from '../../crm/list-segment.js';

/**
 * Validates one part of a request (`body`, `query`, `params`); a failure is a 400 with every
 * problem in `details` as `{ path, message }`.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, part: 'body' | 'query' | 'params' | 'headers'): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({ path: formatIssuePath(part, issue.path), message: issue.message }));
  const shown = details.slice(0, 3).map((d) => `${d.path}: ${d.message}`).join('; ');
  throw new AppError('VALIDATION_FAILED', `Invalid request ${part}: ${shown}${details.length > 3 ? `; and ${details.length - 3} more` : ''}`, { details });
}

/** A phone number in a path or body, normalised to E.164 (400 when unusable). */
export function e164(raw: string, defaultCountry: string): { e164: string; country: string | undefined } {
  const phone = normalizePhone(raw, defaultCountry);
  if (!phone.ok) {
    throw new AppError('VALIDATION_FAILED', `"${maskPhone(raw)}" is not a usable phone number (${phone.reason}).`, {
      hint: 'Write it in international form, such as +79123456789 (URL-encode the + in a path as %2B).',
      details: [{ path: 'phone', message: phone.reason }],
    });
  }
  return { e164: phone.e164, country: phone.country };
}

const shortText = z.string().trim().min(1).max(200);
const list = z.array(z.string().trim().min(1).max(100)).max(100);
const timeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Moscow');
const booleanQuery = z.enum(['true', 'false', '1', '0'], 'must be true or false').transform((v) => v === 'true' || v === '1');

export const phoneParams = z.object({ phone: z.string().min(1).max(64) });
export const segmentParams = z.object({ name: segmentNameSchema });
/** A saved segment's name or a CRM list, `list:<id>` (previews accept both). */
export const segmentReferenceParams = z.object({ name: z.union([z.string().trim().regex(LIST_REFERENCE), segmentNameSchema]) });
export const templateParams = z.object({ name: templateSchema.shape.name });
export const campaignParams = z.object({ id: z.string().min(1).max(64) });

export const contactListQuery = z.object({
  limit: z.coerce.number().int('must be a whole number').min(1).max(1000).default(50),
  after: z.string().min(1).max(200).optional(),
});

/** The fields one contact may set; merged like an import row (an empty value erases nothing). */
export const contactBody = z.strictObject({
  firstName: z.string().trim().max(100).optional(),
  lastName: z.string().trim().max(100).optional(),
  gender: genderSchema.optional(),
  birthDate: z.iso.date('must be an ISO date YYYY-MM-DD').optional(),
  city: z.string().trim().max(100).optional(),
  timezone: timeZone.optional(),
  interests: list.optional(),
  tags: list.optional(),
  properties: z.record(z.string().min(1).max(100), z.string().max(1000)).optional(),
});

export const optOutBody = z.strictObject({
  scope: z.enum(['all', 'marketing']).default('all'),
  source: shortText.default('operator via REST API'),
});

export const optInBody = z.strictObject({
  source: shortText,
  evidence: shortText.optional(),
});

export const importQuery = z
  .object({
    consent: z.enum(['opted_in', 'opted_out']).optional(),
    consentSource: shortText.optional(),
    defaultCountry: z.string().regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO code such as RU').transform((v) => v.toUpperCase()).optional(),
    dryRun: booleanQuery.default(false),
    encoding: z.enum(['auto', 'utf-8', 'windows-1251']).default('auto'),
    filename: z.string().trim().min(1).max(200).optional(),
    map: z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v])).optional(),
  })
  .refine((q) => !q.consent || q.consentSource, { message: 'consent needs consentSource (where the consent was collected)', path: ['consentSource'] });

export const segmentBody = z.strictObject({
  filter: filterSchema,
  description: z.string().max(500).optional(),
});

export const segmentPreviewQuery = z.object({
  sample: z.coerce.number().int('must be a whole number').min(0).max(100).default(5),
});

export const templateBody = z.strictObject({
  text: z.string().min(1).max(TEMPLATE_TEXT_MAX),
  variables: z.array(z.string().min(1).max(64)).max(50).default([]),
  description: z.string().max(500).optional(),
});

const scheduleBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('now') }),
  z.strictObject({ type: z.literal('at'), at: z.iso.datetime({ offset: true, message: 'must be an ISO date-time such as 2026-12-01T10:00:00+03:00' }) }),
  z.strictObject({ type: z.literal('cron'), cron: z.string().min(1).max(100), timezone: timeZone.optional() }),
]);

const audienceBody = z
  .strictObject({
    segment: z.union([z.string().trim().regex(LIST_REFERENCE, 'a HubSpot list is list:<id>'), segmentNameSchema]).optional(),
    filter: filterSchema.optional(),
    phones: z.array(z.string().min(1).max(64)).min(1).max(10_000).optional(),
  })
  .refine((a) => [a.segment, a.filter, a.phones].filter((v) => v !== undefined).length === 1, 'give exactly one of segment, filter or phones');

const variables = z.record(z.string().min(1).max(64), z.string().max(1000));

export const campaignBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(['marketing', 'transactional']),
    audience: audienceBody,
    text: z.string().min(1).max(TEMPLATE_TEXT_MAX).optional(),
    template: z.string().min(1).max(TEMPLATE_NAME_MAX).optional(),
    variants: z.array(variantSchema).min(1).max(10).optional(),
    variables: variables.default({}),
    sender: z.string().min(1).max(20).optional(),
    gateway: z.string().min(1).max(64).default('default'),
    schedule: scheduleBody.default({ type: 'now' }),
  })
  .refine((c) => [c.text, c.template, c.variants].filter((v) => v !== undefined).length === 1, { message: 'give the message exactly one way: text, template or variants', path: ['text'] });
export type CampaignBody = z.output<typeof campaignBody>;

export const testSendBody = z.strictObject({
  to: z.array(z.string().min(1).max(64)).min(1).max(10),
  contact: z.string().min(1).max(64).optional(),
});

export const messageBody = z.strictObject({
  to: z.string().min(1).max(64),
  text: z.string().min(1).max(TEMPLATE_TEXT_MAX),
  sender: z.string().min(1).max(20).optional(),
  gateway: z.string().min(1).max(64).default('default'),
  variables: variables.default({}),
});

export const idempotencyHeaders = z.object({
  'idempotency-key': z.string('the Idempotency-Key header is required').trim().min(1, 'the Idempotency-Key header must not be empty').max(200, 'the Idempotency-Key header is at most 200 characters'),
});
