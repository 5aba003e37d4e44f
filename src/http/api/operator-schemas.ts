import { z } from 'zod';
import { CAMPAIGN_SOURCES } from '../../campaigns/campaign.js';

/** Request and response schemas of the operator routes: results, replies, archive, consent requests, personal data. */
const statuses = ['queued', 'sending', 'submitted', 'delivered', 'undelivered', 'failed', 'expired', 'rejected', 'canceled', 'unknown'] as const;
const booleanQuery = z.enum(['true', 'false', '1', '0'], 'must be true or false').transform((v) => v === 'true' || v === '1');
const isoQuery = z.iso.datetime({ offset: true, message: 'must be an ISO date-time such as 2026-12-01T10:00:00+03:00' });

export const campaignListQuery = z.object({
  source: z.enum(CAMPAIGN_SOURCES as [string, ...string[]]).optional(),
  archived: booleanQuery.default(false),
  all: booleanQuery.default(false),
});

export const sendQuery = z.object({ now: booleanQuery.default(false) });

export const messagesQuery = z.object({
  status: z.union([z.enum(statuses), z.array(z.enum(statuses))]).transform((v) => (Array.isArray(v) ? v : [v])).optional(),
  limit: z.coerce.number().int('must be a whole number').min(1).max(5000).default(500),
  after: z.string().min(1).max(200).optional(),
  unmasked: booleanQuery.default(false),
});

export const recipientResultSchema = z.object({
  messageId: z.string(), phone: z.string(), name: z.string(), variant: z.string(), status: z.enum(statuses), errorCode: z.string().nullable(),
  sentAt: z.string().nullable(), deliveredAt: z.string().nullable(), cost: z.number(), reply: z.string().nullable(),
});
export const messagesPageSchema = z.object({ items: z.array(recipientResultSchema), next: z.string().nullable().describe('pass as `after` for the next page; null at the end') });

export const repliesQuery = z.object({
  campaign: z.string().min(1).max(64).optional(),
  since: isoQuery.optional(),
  limit: z.coerce.number().int('must be a whole number').min(1).max(5000).default(100),
  unmasked: booleanQuery.default(false),
});
export const repliesPageSchema = z.object({
  items: z.array(z.object({
    at: z.string(), phone: z.string(), name: z.string(), campaignId: z.string().nullable(), variant: z.string().nullable(),
    kind: z.enum(['reply', 'opt_out', 'opt_in', 'help']), text: z.string(),
  })),
  next: z.string().nullable().describe('pass as `since` for the next page; null at the end'),
});

export const archiveBody = z.strictObject({ olderThanDays: z.number().int().min(0) });
export const archivedSchema = z.object({ archived: z.array(z.string()) });
export const resumeBody = z.strictObject({ maxCost: z.number().positive().optional() });
