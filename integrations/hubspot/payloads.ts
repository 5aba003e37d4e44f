import { z } from 'zod';

/**
 * HubSpot payloads, parsed at the edge (`.nullish()` where HubSpot omits or nulls) and mapped to the
 * CRM port's types. Only the fields sms-bridge reads are named; the rest pass through untouched.
 */
const instant = z.union([z.date(), z.string(), z.number()]).transform((value) => new Date(value).toISOString());

export const contactRecordSchema = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullish()).default({}),
  updatedAt: instant.nullish(),
  archived: z.boolean().nullish(),
  archivedAt: instant.nullish(),
});

export const contactPageSchema = z.object({
  results: z.array(contactRecordSchema),
  paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
  total: z.number().nullish(),
});

/** `GET /crm/v3/lists/{listId}?includeFilters=true` → `{ list }` (CONTRACTS Part A §1). */
export const listResponseSchema = z.object({
  list: z.object({
    listId: z.union([z.string(), z.number()]).transform(String),
    name: z.string(),
    objectTypeId: z.string().nullish(),
    processingType: z.string(),
    size: z.number().nullish(),
    filterBranch: z.unknown().optional(),
  }),
});

export const membershipPageSchema = z.object({
  results: z.array(z.object({ recordId: z.union([z.string(), z.number()]).transform(String) })),
  paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
});

/** `POST /oauth/v2/private-apps/get/access-token-info` (developers.hubspot.com/docs/api/private-apps). */
export const tokenInfoSchema = z.object({
  hubId: z.number().nullish(),
  appId: z.number().nullish(),
  scopes: z.array(z.string()).default([]),
});

export const propertyListSchema = z.object({ results: z.array(z.object({ name: z.string() })) });
