/**
 * The outcome keys of the campaign report and the conversions API, as zod schemas (see responses.ts,
 * which adds them to the CampaignReport schema).
 */
import { z } from 'zod';
import type { ConversionOutcome } from '../../outcomes/conversion.js';
import type { CampaignOutcomes, VariantOutcomes } from '../../outcomes/outcome-types.js';

const rate = z.number().nullable();
const count = z.number().int().min(0);

export const variantOutcomesShape = {
  reached: count, clicks: count, uniqueClicks: count, clickRate: rate, conversions: count, customers: count, conversionRate: rate, revenue: z.number(),
};

const abVerdict = z.object({
  leader: z.string(), other: z.string(), metric: z.enum(['conversionRate', 'replyRate']), leaderRate: rate, otherRate: rate,
  z: z.number(), pValue: z.number(), significant: z.boolean(), note: z.string(),
});

const groupRate = z.object({ contacts: count, converted: count, rate });

export const outcomeReportShape = {
  reached: count.describe('Recipients a message reached: delivered, or submitted and waiting for a receipt. The base of the rates below.'),
  clicks: z.object({
    total: count.describe('Clicks by people (link-preview fetchers and HEAD requests aside).'), unique: count.describe('Distinct recipients who clicked.'),
    rate: rate.describe('unique / reached.'), fetchers: count.describe('Requests by link-preview fetchers and crawlers, kept but not counted.'),
  }),
  response: z.object({ recipients: count.describe('Distinct recipients who clicked or replied.'), rate: rate.describe('recipients / reached.') }),
  conversions: z.object({
    count: count.describe('Orders credited to the campaign.'), customers: count.describe('Distinct contacts among them.'),
    rate: rate.describe('customers / reached.'), holdout: count.describe('Orders credited to the campaign\'s holdout group (not in count).'),
  }),
  revenue: z.object({
    total: z.number(), currency: z.string(), perRecipient: rate.describe('total / reached.'), perCustomer: rate.describe('total / customers.'),
    otherCurrencies: z.record(z.string(), z.number()).describe('Orders in other currencies, summed apart (not in total).'),
  }),
  roi: z.object({ cost: z.number(), revenue: z.number(), ratio: rate.describe('revenue / cost; null when nothing cost anything.') }),
  repeatPurchase: z.object({ customers: count.describe('Customers with two or more credited orders.'), rate: rate.describe('Of all customers.') }),
  abTests: z.object({ conversion: abVerdict.optional(), replies: abVerdict.optional() }).describe('A/B verdicts on conversion rate and reply rate (two-proportion z-test).'),
  lift: z.object({
    sent: groupRate, holdout: groupRate, difference: rate, ci95: z.object({ low: z.number(), high: z.number() }).nullable(),
    relative: rate, significant: z.boolean(), method: z.literal('newcombe-hybrid-score'), windowDays: z.number(), note: z.string(),
  }).optional().describe('Conversion rate of those sent minus those held out, with its 95% interval; present when the campaign had a holdout.'),
  survey: z.object({
    options: z.array(z.object({ key: z.string(), label: z.string(), count })), other: z.array(z.object({ text: z.string(), at: z.string() })),
    responders: count.describe('Distinct recipients who replied at all.'), voters: count.describe('Distinct recipients whose reply named an option (their latest such reply counts).'),
  }).optional(),
  attribution: z.object({ windowDays: z.number(), rule: z.string() }),
};

export const conversionResultResponse = z.discriminatedUnion('result', [
  z.object({ orderId: z.string(), result: z.literal('recorded'), attribution: z.object({ campaignId: z.string(), via: z.enum(['click', 'message', 'holdout']), messageId: z.string().optional(), variant: z.string().optional(), touchedAt: z.string() }).optional() }),
  z.object({ orderId: z.string(), result: z.literal('duplicate'), attribution: z.object({ campaignId: z.string(), via: z.enum(['click', 'message', 'holdout']), messageId: z.string().optional(), variant: z.string().optional(), touchedAt: z.string() }).optional() }),
  z.object({ orderId: z.string(), result: z.literal('conflict'), reason: z.string() }),
  z.object({ orderId: z.string(), result: z.literal('unknown_contact'), reason: z.string() }),
]).meta({ id: 'ConversionResult' });

export const conversionBatchResponse = z.object({
  recorded: count, duplicates: count, conflicts: count, unknownContacts: count, results: z.array(conversionResultResponse),
}).meta({ id: 'ConversionBatchResult' });

// Compile-time: what the handlers send fits the schemas.
type Fits<Value, Schema extends z.ZodType> = [Value] extends [z.input<Schema>] ? true : never;
const fits = <T extends true>(): T | undefined => undefined;
fits<Fits<CampaignOutcomes, z.ZodObject<typeof outcomeReportShape>>>();
fits<Fits<VariantOutcomes, z.ZodObject<typeof variantOutcomesShape>>>();
fits<Fits<ConversionOutcome, typeof conversionResultResponse>>();
