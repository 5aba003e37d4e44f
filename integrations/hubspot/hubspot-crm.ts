import type { CrmContact, CrmList, CrmListKind, CrmPort, PropertySetupResult } from '../../src/crm/port.js';
import { CrmError } from '../../src/crm/port.js';
import type { HubSpotClient } from './client.js';
import { mapHubSpotError } from './map-error.js';
import { contactPageSchema, listResponseSchema, membershipPageSchema, propertyListSchema, tokenInfoSchema } from './payloads.js';
import type { contactRecordSchema } from './payloads.js';
import { PROPERTY_GROUP, missingProperties } from './properties.js';
import { rawRequest } from './raw-request.js';
import { closedWonDeals } from './deals.js';
import { translateListFilters } from './list-filters.js';
import type { z } from 'zod';

/** Scopes the sync, lists and setup need; `doctor` names the ones the token lacks. */
export const REQUIRED_SCOPES = ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.schemas.contacts.write', 'crm.lists.read'];

const MERGED_IDS = 'hs_merged_object_ids';

export interface HubSpotCrmOptions {
  /** The private app token, for the scope check. */
  accessToken: string;
}

/** The CRM port on HubSpot: every call through `client.call`, so the shared request budget applies. */
export function createHubSpotCrm(client: HubSpotClient, options: HubSpotCrmOptions): CrmPort & { client: HubSpotClient } {
  const guarded = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw mapHubSpotError(error, what);
    }
  };

  return {
    system: 'hubspot',
    client,

    closedWonDeals: (request) => guarded('reading won deals', () => closedWonDeals(client, request)),

    // GET /crm/v3/objects/contacts (CONTRACTS Part A §2): cursor paging with paging.next.after.
    listContacts: (request) =>
      guarded('reading contacts', async () => {
        const withMerged = [...new Set([...request.properties, MERGED_IDS])];
        const page = await client.call('default', (sdk) =>
          sdk.crm.contacts.basicApi.getPage(request.limit, request.after, withMerged, undefined, undefined, request.archived ?? false),
        );
        const parsed = contactPageSchema.parse(page);
        return { contacts: parsed.results.map(toCrmContact), ...(parsed.paging?.next?.after ? { next: parsed.paging.next.after } : {}) };
      }),

    // POST /crm/v3/objects/contacts/search: lastmodifieddate >= since, oldest first (CONTRACTS Part A §2).
    contactsChangedSince: (request) =>
      guarded('searching changed contacts', async () => {
        const withMerged = [...new Set([...request.properties, MERGED_IDS, 'lastmodifieddate'])];
        const body = {
          filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(Date.parse(request.since)) }] }],
          sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
          properties: withMerged,
          limit: request.limit,
          after: request.after ?? '0',
        };
        // Raw: the SDK types `sorts` as strings, the documented body sorts with { propertyName, direction }.
        const page = await client.call('search', (sdk) => rawRequest(sdk, { method: 'POST', path: '/crm/v3/objects/contacts/search', body }));
        const parsed = contactPageSchema.parse(page);
        return {
          contacts: parsed.results.map(toCrmContact),
          total: parsed.total ?? parsed.results.length,
          ...(parsed.paging?.next?.after ? { next: parsed.paging.next.after } : {}),
        };
      }),

    // GET /crm/v3/lists/{listId}?includeFilters=true, read raw: the generated models drop filter fields.
    getList: (listId) =>
      guarded(`reading list ${listId}`, async () => {
        const body = await client.call('default', (sdk) => rawRequest(sdk, { method: 'GET', path: `/crm/v3/lists/${encodeURIComponent(listId)}?includeFilters=true` }));
        return toCrmList(listResponseSchema.parse(body).list);
      }),

    // GET /crm/v3/lists/{listId}/memberships: record ids ascending, paging.next.after.
    listMemberships: (listId, request) =>
      guarded(`reading the members of list ${listId}`, async () => {
        const query = new URLSearchParams({ limit: String(request.limit), ...(request.after ? { after: request.after } : {}) });
        const body = await client.call('default', (sdk) => rawRequest(sdk, { method: 'GET', path: `/crm/v3/lists/${encodeURIComponent(listId)}/memberships?${query.toString()}` }));
        const parsed = membershipPageSchema.parse(body);
        return { recordIds: parsed.results.map((r) => r.recordId), ...(parsed.paging?.next?.after ? { next: parsed.paging.next.after } : {}) };
      }),

    ensureContactProperties: () => guarded('setting up contact properties', () => ensureProperties(client)),

    verifyCredentials: async () => {
      try {
        const body = await client.call('default', (sdk) => rawRequest(sdk, { method: 'POST', path: '/oauth/v2/private-apps/get/access-token-info', body: { tokenKey: options.accessToken } }));
        const info = tokenInfoSchema.parse(body);
        const missingScopes = REQUIRED_SCOPES.filter((scope) => !info.scopes.includes(scope));
        const portal = info.hubId ? `portal ${info.hubId}` : 'token valid';
        return missingScopes.length === 0
          ? { ok: true, detail: `${portal}, scopes ok`, missingScopes }
          : { ok: false, detail: `${portal}, missing scopes: ${missingScopes.join(', ')} (add them to the private app, then use its new token)`, missingScopes };
      } catch (error) {
        const mapped = mapHubSpotError(error, 'checking the token');
        return { ok: false, detail: `${mapped.message}${mapped.hint ? ` ${mapped.hint}` : ''}`, missingScopes: [] };
      }
    },

    usage: () => client.budget.stats(),
  };
}

function toCrmContact(record: z.output<typeof contactRecordSchema>): CrmContact {
  const properties: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(record.properties)) properties[key] = value ?? null;
  const merged = properties[MERGED_IDS];
  const updatedAt = record.updatedAt ?? (properties['lastmodifieddate'] ? new Date(properties['lastmodifieddate']).toISOString() : new Date(0).toISOString());
  return {
    id: record.id,
    properties,
    updatedAt,
    ...(record.archived ? { archived: true } : {}),
    ...(record.archivedAt ? { archivedAt: record.archivedAt } : {}),
    ...(merged ? { mergedIds: merged.split(';').map((id) => id.trim()).filter(Boolean) } : {}),
  };
}

const KINDS: Record<string, CrmListKind> = { DYNAMIC: 'dynamic', MANUAL: 'manual', SNAPSHOT: 'snapshot' };

function toCrmList(list: z.output<typeof listResponseSchema>['list']): CrmList {
  const kind = KINDS[list.processingType] ?? 'manual';
  const base = { id: list.listId, name: list.name, kind, ...(list.size != null ? { size: list.size } : {}) };
  if (list.objectTypeId && list.objectTypeId !== '0-1') {
    return { ...base, untranslatable: [`the list holds objects of type ${list.objectTypeId}, not contacts`], properties: [] };
  }
  if (kind !== 'dynamic') {
    return { ...base, untranslatable: [`the list is ${list.processingType}: its members are chosen by hand, not by its filters`], properties: [] };
  }
  const translated = translateListFilters(list.filterBranch);
  return { ...base, ...(translated.filter ? { filter: translated.filter } : {}), untranslatable: translated.untranslatable, properties: translated.properties };
}

async function ensureProperties(client: HubSpotClient): Promise<PropertySetupResult[]> {
  // GET /crm/v3/properties/contacts: one read tells which of ours exist.
  const existing = propertyListSchema.parse(await client.call('default', (sdk) => rawRequest(sdk, { method: 'GET', path: '/crm/v3/properties/contacts' })));
  const { missing, present } = missingProperties(new Set(existing.results.map((p) => p.name)));
  if (missing.length === 0) return present;
  // GET/POST /crm/v3/properties/contacts/groups: the group must exist before properties name it.
  const groups = propertyListSchema.parse(await client.call('default', (sdk) => rawRequest(sdk, { method: 'GET', path: '/crm/v3/properties/contacts/groups' })));
  if (!groups.results.some((group) => group.name === PROPERTY_GROUP.name)) {
    await client.call('default', (sdk) => rawRequest(sdk, { method: 'POST', path: '/crm/v3/properties/contacts/groups', body: PROPERTY_GROUP }));
  }
  const created: PropertySetupResult[] = [];
  for (const property of missing) {
    await client.call('default', (sdk) => rawRequest(sdk, { method: 'POST', path: '/crm/v3/properties/contacts', body: property }));
    created.push({ name: property.name, outcome: 'created' });
  }
  return [...created, ...present];
}

export { CrmError };
