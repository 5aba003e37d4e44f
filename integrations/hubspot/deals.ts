import { z } from 'zod';
import type { CrmDeal, CrmDealPage } from '../../src/crm/port.js';
import type { HubSpotClient } from './client.js';
import { rawRequest } from './raw-request.js';

const dealSearchSchema = z.object({
  results: z.array(z.object({
    id: z.string(),
    properties: z.object({ amount: z.string().nullish(), closedate: z.string().nullish(), deal_currency_code: z.string().nullish() }).loose(),
  })),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

const associationSchema = z.object({
  results: z.array(z.object({ from: z.object({ id: z.string() }), to: z.array(z.object({ toObjectId: z.union([z.string(), z.number()]) })) })),
});

/**
 * Deals closed won at or after `since`, oldest close first, each with the ids of its associated contacts.
 * Search: POST /crm/v3/objects/deals/search with `hs_is_closed_won = true` (true for the won stage of
 * every pipeline, where `dealstage = closedwon` names the default pipeline's only) and `closedate >= since`
 * (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/deals/search-deals).
 * Contacts: POST /crm/v4/associations/deals/contacts/batch/read, one call per page of deals.
 */
export async function closedWonDeals(client: HubSpotClient, request: { since: string; after?: string; limit: number }): Promise<CrmDealPage> {
  const body = {
    filterGroups: [{ filters: [
      { propertyName: 'hs_is_closed_won', operator: 'EQ', value: 'true' },
      { propertyName: 'closedate', operator: 'GTE', value: String(Date.parse(request.since)) },
    ] }],
    sorts: [{ propertyName: 'closedate', direction: 'ASCENDING' }],
    properties: ['amount', 'closedate', 'deal_currency_code'],
    limit: request.limit,
    ...(request.after ? { after: request.after } : {}),
  };
  const page = dealSearchSchema.parse(await client.call('search', (sdk) => rawRequest(sdk, { method: 'POST', path: '/crm/v3/objects/deals/search', body })));
  const contactsOf = new Map<string, string[]>();
  if (page.results.length > 0) {
    const links = associationSchema.parse(await client.call('default', (sdk) => rawRequest(sdk, {
      method: 'POST', path: '/crm/v4/associations/deals/contacts/batch/read', body: { inputs: page.results.map((d) => ({ id: d.id })) },
    })));
    for (const link of links.results) contactsOf.set(link.from.id, link.to.map((to) => String(to.toObjectId)));
  }
  const deals: CrmDeal[] = page.results.map((d) => ({
    id: d.id, amount: d.properties.amount ?? null, closedAt: d.properties.closedate ?? null, currency: d.properties.deal_currency_code ?? null, contactIds: contactsOf.get(d.id) ?? [],
  }));
  return { deals, ...(page.paging?.next?.after ? { next: page.paging.next.after } : {}) };
}
