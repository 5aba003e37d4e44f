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
  middleName: z.string().trim().max(100).optional(),
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
  /** Who asked: `recipient` (by phone or e-mail: locked like a STOP reply) or `operator`. */
  by: z.enum(['recipient', 'operator']).default('operator'),
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
  .refine((a) => [a.segment, a.filter, a.phones].filter((v) => v !== undefined).length === 1, 'give exactly one of segment, filter or phones')
  .meta({ description: 'Who gets it: exactly one of a saved `segment`, a `filter`, or a non-empty list of `phones`.', oneOf: exactlyOne(['segment', 'filter', 'phones']) });

const variables = z.record(z.string().min(1).max(64), z.string().max(1000));

/** JSON Schema for "exactly one of these properties" (what a refine checks, stated in /openapi.json). */
function exactlyOne(keys: readonly string[]): object[] {
  return keys.map((key) => ({ required: [key], not: { anyOf: keys.filter((other) => other !== key).map((other) => ({ required: [other] })) } }));
}

const SENDER_RULE = 'The sender id the phone shows: an alphanumeric name (up to 11 characters) or a number. Defaults to SMS_SENDER, else the gateway\'s own configured sender (TWILIO_FROM, VONAGE_FROM, SMSRU_FROM, SMPP_SOURCE_ADDR); without any of them the request is refused (400). Where the gateway or the destination cannot show a name (Twilio to US/CA numbers) the preview says what is used instead.';

export const campaignBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(['marketing', 'transactional']),
    audience: audienceBody,
    text: z.string().min(1).max(TEMPLATE_TEXT_MAX).optional(),
    template: z.string().min(1).max(TEMPLATE_NAME_MAX).optional(),
    variants: z.array(variantSchema).min(1).max(10).optional(),
    variables: variables.default({}),
    sender: z.string().min(1).max(20).optional().describe(SENDER_RULE),
    gateway: z.string().min(1).max(64).default('default').describe('A gateway name (twilio, vonage, smsru, smpp, simulator) or `default` (SMS_GATEWAY, routed by SMS_ROUTES).'),
    schedule: scheduleBody.default({ type: 'now' }),
    /** Budget in SMS_CURRENCY: refused if the preview costs more; sending stops once the actual cost reaches it. */
    maxCost: z.number().positive().optional(),
    trackLinks: z.boolean().default(true).describe('Links in the text go out as tracked short links (SHORT_LINK_BASE/s/<code>, with UTM parameters); false sends them as written.'),
    holdout: z.number().positive().max(50).optional().describe('Percent of the eligible audience kept unsent, to measure lift (chosen per contact, stable).'),
    survey: z.strictObject({
      options: z.array(z.strictObject({ key: z.string().trim().min(1).max(20), label: z.string().trim().min(1).max(100) })).min(2).max(10),
    }).optional().describe('Reply options: replies are tallied into them by key ("1") or label ("Отлично"); STOP still opts out.'),
  })
  .refine((c) => [c.text, c.template, c.variants].filter((v) => v !== undefined).length === 1, { message: 'give the message exactly one way: text, template or variants', path: ['text'] })
  .meta({ description: 'The message is given exactly one way: `text`, a saved `template` (with `variables` for its campaign variables) or A/B `variants`.', oneOf: exactlyOne(['text', 'template', 'variants']) });
export type CampaignBody = z.output<typeof campaignBody>;

export const testSendBody = z.strictObject({
  to: z.array(z.string().min(1).max(64)).min(1).max(10),
  contact: z.string().min(1).max(64).optional(),
});

export const messageBody = z.strictObject({
  to: z.string().min(1).max(64),
  text: z.string().min(1).max(TEMPLATE_TEXT_MAX),
  sender: z.string().min(1).max(20).optional().describe(SENDER_RULE),
  gateway: z.string().min(1).max(64).default('default'),
  variables: variables.default({}),
});

export const idempotencyHeaders = z.object({
  'idempotency-key': z.string('the Idempotency-Key header is required').trim().min(1, 'the Idempotency-Key header must not be empty').max(200, 'the Idempotency-Key header is at most 200 characters'),
});
