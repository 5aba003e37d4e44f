/**
 * What the REST API answers, as zod schemas: each route names the one it returns, /openapi.json is
 * generated from them, and the type checks at the end keep them in step with the domain types the
 * handlers send.
 */
import { z } from 'zod';
import type { CampaignReport } from '../../campaigns/report.js';
import type { Campaign } from '../../campaigns/campaign.js';
import type { PlanSummary } from '../../campaigns/plan-summary.js';
import { variantSchema } from '../../campaigns/variants.js';
import { contactSchema } from '../../contacts/contact.js';
import type { ImportReport } from '../../contacts/import-contacts.js';
import type { ConsentState } from '../../consent/consent.js';
import { consentEntrySchema, consentOriginSchema } from '../../consent/consent.js';
import { templateSchema } from '../../messages/template-record.js';
import { filterSchema, segmentSchema } from '../../segments/index.js';
import type { OutcomeReport } from '../../outcomes/outcome-types.js';
import { outcomeReportShape, variantOutcomesShape } from './outcome-responses.js';

const counts = z.record(z.string(), z.number().int().min(0));
const isoTime = z.string().describe('ISO 8601 date-time');

export const errorResponse = z
  .object({
    error: z.string().describe('What was wrong, in one sentence.'),
    hint: z.string().optional().describe('What to do about it.'),
    details: z.unknown().optional().describe('For validation errors: [{ path, message }], one per problem.'),
  })
  .meta({ id: 'Error' });

export const consentStateResponse = z
  .object({
    marketing: z.enum(['opted_in', 'opted_out', 'unknown']),
    transactionalAllowed: z.boolean().describe('False when the contact opted out of everything: not even order notices are sent.'),
    lockedByRecipient: z.boolean().describe('True while an opt-out from the recipient or carrier stands; imports and syncs cannot lift it.'),
    optedOutBy: consentOriginSchema.optional().describe('Who recorded the opt-out that stands; any standing opt-out is lifted only by the recipient or an operator with evidence.'),
    updatedAt: z.string().optional(),
    source: z.string().optional(),
  })
  .meta({ id: 'ConsentState' });

export const consentEntryResponse = consentEntrySchema.meta({ id: 'ConsentEntry' });

/** A contact in a list: the record and its current consent. */
export const contactSummaryResponse = contactSchema.extend({ consent: consentStateResponse }).meta({ id: 'ContactSummary' });

/** One contact as GET and PUT /contacts/{phone} return it: the record, its consent and the whole consent ledger. */
export const contactResponse = contactSummaryResponse
  .extend({ consentHistory: z.array(consentEntryResponse).describe('Every consent change, oldest first.') })
  .meta({ id: 'Contact' });

export const contactPageResponse = z.object({
  items: z.array(contactSummaryResponse),
  next: z.string().nullable().describe('Pass as `after` for the next page; null on the last page.'),
});

const rowProblem = z.object({ row: z.number().int(), column: z.string().optional(), reason: z.string(), value: z.string() });
export const importReportResponse = z
  .object({
    rows: z.number().int(), created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(),
    duplicates: z.number().int().describe('Rows whose number appeared earlier in the same file (merged into that contact).'),
    invalid: z.array(rowProblem).describe('Rows skipped, with the reason.'),
    warnings: z.array(rowProblem).describe('Cells dropped while the rest of the row was kept.'),
    consent: z.object({ optedIn: z.number().int(), optedOut: z.number().int(), keptOptedOut: z.number().int() }),
    dryRun: z.boolean(),
  })
  .meta({ id: 'ImportReport' });

export const consentChangeResponse = z.object({ id: z.string(), phone: z.string(), changed: z.boolean(), consent: consentStateResponse });

export const segmentResponse = segmentSchema.meta({ id: 'Segment' });
export const segmentPreviewResponse = z.object({
  name: z.string(), filter: filterSchema, description: z.string().describe('The filter in words.'),
  note: z.string().optional().describe('The segment\'s own description; for a HubSpot list, how it was translated (or why its members are used instead).'),
  count: z.number().int().describe('Contacts the segment matches now.'), total: z.number().int().describe('All contacts.'),
  sample: z.array(contactSchema),
});

export const templateResponse = templateSchema.meta({ id: 'Template' });

const scheduleResponse = z.discriminatedUnion('type', [
  z.object({ type: z.literal('now') }),
  z.object({ type: z.literal('at'), at: isoTime }),
  z.object({ type: z.literal('cron'), cron: z.string(), timezone: z.string() }),
]);

export const campaignResponse = z
  .object({
    id: z.string(), name: z.string(),
    status: z.enum(['draft', 'scheduled', 'sending', 'paused', 'completed', 'canceled']),
    kind: z.enum(['marketing', 'transactional']),
    audience: z.union([z.object({ segment: z.string().optional(), filter: filterSchema }), z.object({ phones: z.array(z.string()) })]),
    variants: z.array(variantSchema),
    campaignVariables: z.record(z.string(), z.string()),
    sender: z.string().describe('The sender id the messages go out with.'),
    gateway: z.string(),
    schedule: scheduleResponse,
    testSentAt: isoTime.optional(), planned: z.object({ recipients: z.number().int(), excluded: counts }).optional(),
    lastRunAt: isoTime.optional(), createdAt: isoTime, updatedAt: isoTime, startedAt: isoTime.optional(), finishedAt: isoTime.optional(),
    messages: counts.describe('Messages by status (queued, submitted, delivered, …).'),
    source: z.enum(['operator', 'message', 'consent_request', 'automation']).optional().describe('Who created it: an operator, POST /messages, a consent request, an automation.'),
    archivedAt: isoTime.optional(), maxCost: z.number().optional().describe('Budget in SMS_CURRENCY.'),
    stopReason: z.object({ code: z.literal('budget_reached'), spent: z.number(), at: isoTime }).optional(),
    survey: z.object({ options: z.array(z.object({ key: z.string(), label: z.string() })) }).optional().describe('Reply options replies are tallied into.'),
    trackLinks: z.boolean().optional().describe('False: links go out as written, untracked.'),
    holdoutPercent: z.number().optional().describe('Percent of the eligible audience kept unsent.'),
    holdoutSeed: z.string().optional().describe('The campaign whose id chooses the holdout (a recurring campaign\'s runs share it).'),
    senderNotes: z.array(z.string()).describe('Where phones will not show `sender` as is (Twilio to US/CA numbers, a Messaging Service that picks its own sender); empty when they will.'),
  })
  .meta({ id: 'Campaign' });

const encodingCounts = z.object({ 'GSM-7': z.number().int(), 'UCS-2': z.number().int() });
export const planSummaryResponse = z
  .object({
    audience: z.number().int().describe('Contacts the audience matched, before exclusions.'),
    toSend: z.number().int(), sendNow: z.number().int(),
    deferred: z.object({ count: z.number().int(), earliest: z.string().nullable(), latest: z.string().nullable() }).describe('Held back by quiet hours.'),
    excluded: counts.describe('Reason → count.'), excludedTotal: z.number().int(),
    heldOut: z.number().int().optional().describe('Eligible recipients kept unsent by the holdout (not an exclusion); present when the campaign has one.'),
    uncertainTimezone: z.number().int(), segments: z.number().int(), cost: z.number(), currency: z.string(),
    encodings: encodingCounts,
    variants: z.record(z.string(), z.object({ recipients: z.number().int(), segments: z.number().int(), cost: z.number() })),
    samples: z.array(z.object({ phone: z.string(), variant: z.string(), text: z.string(), encoding: z.enum(['GSM-7', 'UCS-2']), segments: z.number().int(), sendAfter: z.string().nullable() })),
    pricesConfigured: z.boolean().optional().describe('False when SMS_PRICES is unset: every cost is 0.'),
    linkNote: z.string().optional().describe('Present when the text has links that go out untracked for want of SHORT_LINK_BASE or PUBLIC_URL.'),
    encodingWarnings: z.array(z.object({
      variant: z.string(), nonGsmCharacters: z.array(z.string()), segments: z.number().int(), gsmSafeSegments: z.number().int(), gsmSafeText: z.string(),
    })).optional().describe('Variants sent in UCS-2 only because of characters with GSM-7 stand-ins, with the GSM-safe text and what it saves.'),
  })
  .meta({ id: 'PlanSummary' });

/** The preview: the plan summary, and the sender with what phones will show instead of it. */
export const campaignPreviewResponse = planSummaryResponse
  .extend({ sender: z.object({ id: z.string(), notes: z.array(z.string()).describe('Where phones will not show the sender as is; empty when they will.') }) })
  .meta({ id: 'CampaignPreview' });

export const testSendResponse = z.object({
  id: z.string(), ok: z.boolean().describe('True when at least one number got the message.'),
  results: z.array(z.object({ phone: z.string(), ok: z.boolean(), detail: z.string() })),
});

export const sendResponse = z.object({
  id: z.string(), status: campaignResponse.shape.status, planned: z.object({ recipients: z.number().int(), excluded: counts }).optional(),
});

export const statusResponse = z.object({ id: z.string(), status: campaignResponse.shape.status });

const rate = z.number().nullable();
const variantReport = z.object({
  name: z.string(), audience: z.number().int(), submitted: z.number().int(), delivered: z.number().int(), undelivered: z.number().int(), failed: z.number().int(),
  unknown: z.number().int(), pending: z.number().int(), replies: z.number().int(), optOuts: z.number().int(), segments: z.number().int(), cost: z.number(),
  deliveryRate: rate, replyRate: rate,
  ...variantOutcomesShape,
});
export const campaignReportResponse = z
  .object({
    id: z.string(), name: z.string(), status: z.string(), kind: z.string(), audience: z.number().int(), excluded: counts,
    submitted: z.number().int(), delivered: z.number().int(), undelivered: z.number().int(),
    partiallyDelivered: z.number().int().describe('Long messages some of whose parts were delivered and some not (counted as undelivered too).'),
    failed: z.number().int(), failedByCode: counts,
    unknown: z.number().int(), pending: z.number().int(), canceled: z.number().int(), replies: z.number().int(), optOuts: z.number().int(),
    segments: z.number().int(), cost: z.number(), currency: z.string().optional(),
    deliveryRate: rate.describe('delivered / submitted; null when nothing was submitted.'), replyRate: rate.describe('replies / delivered; null when nothing was delivered.'),
    firstSentAt: z.string().nullable(), lastSentAt: z.string().nullable(),
    timeToDelivery: z.object({ medianMs: z.number().nullable(), p95Ms: z.number().nullable(), samples: z.number().int() }),
    variants: z.array(variantReport),
    abTest: z.object({ leader: z.string(), metric: z.enum(['deliveryRate', 'replyRate']), z: z.number(), pValue: z.number(), significant: z.boolean(), note: z.string() }).optional(),
    ...outcomeReportShape,
  })
  .meta({ id: 'CampaignReport' });

export const messageAcceptedResponse = z.object({
  id: z.string().describe('The one-recipient campaign that carries the message.'), messageId: z.string(), status: z.string(),
});

export const openApiResponse = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });

// Compile-time: what the handlers send fits the schemas they declare.
type Fits<Value, Schema extends z.ZodType> = [Value] extends [z.input<Schema>] ? true : never;
const fits = <T extends true>(): T | undefined => undefined;
fits<Fits<ConsentState, typeof consentStateResponse>>();
fits<Fits<ImportReport, typeof importReportResponse>>();
fits<Fits<Campaign & { messages: Record<string, number>; senderNotes: string[] }, typeof campaignResponse>>();
fits<Fits<PlanSummary, typeof planSummaryResponse>>();
fits<Fits<CampaignReport, typeof campaignReportResponse>>();
fits<Fits<OutcomeReport, typeof campaignReportResponse>>();
