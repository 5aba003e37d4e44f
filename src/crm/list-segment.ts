import type { Clock } from '../common/clock.js';
import type { Contact } from '../contacts/contact.js';
import type { Condition, FilterNode } from '../segments/filter-types.js';
import type { Segment } from '../segments/filter.js';
import { saveSegment } from '../segments/save-segment.js';
import type { Store } from '../store/port.js';
import { crmMarkers } from './apply-page.js';
import type { CrmPort } from './port.js';

/** `list:123`: a CRM list wherever a segment name is accepted (REST API, CLI, Slack). */
export const LIST_REFERENCE = /^list:([A-Za-z0-9_-]{1,64})$/;

export function listIdOf(reference: string): string | undefined {
  return LIST_REFERENCE.exec(reference.trim())?.[1];
}

export interface ListAudience {
  listId: string;
  listName: string;
  /** `filters`: the list's own filters, translated; `memberships`: the members the CRM lists now. */
  mode: 'filters' | 'memberships';
  filter: FilterNode;
  /** Why the filters could not be used, naming the filter that forced it. */
  reasons: string[];
  /** With memberships: members the CRM lists, and how many of them are not (yet) local contacts. */
  members?: number;
  membersNotLocal?: number;
  at: string;
}

export interface ListDeps {
  crm: CrmPort;
  store: Store;
  clock: Clock;
  /** Properties the sync brings: a filter on any other one cannot be evaluated locally. */
  syncedProperties: readonly string[];
}

const MEMBERSHIP_PAGE = 250;

/**
 * A CRM list as an audience. A dynamic list whose filters translate exactly, on properties the sync
 * brings, becomes its filter tree (it follows the contacts as they change); anything else uses the
 * list's current members, stamped on the local contacts (`<system>_lists`), and says why. Either way
 * only contacts linked to the CRM and not deleted there match, as in the CRM's own list.
 */
export async function resolveCrmList(listId: string, deps: ListDeps): Promise<ListAudience> {
  const list = await deps.crm.getList(listId);
  const markers = crmMarkers(deps.crm.system);
  const linked: FilterNode[] = [
    { field: `properties.${markers.id}`, op: 'is_known' } as Condition,
    { field: `properties.${markers.archivedAt}`, op: 'is_unknown' } as Condition,
  ];
  const unsynced = list.properties.filter((name) => !deps.syncedProperties.includes(name));
  const reasons = [
    ...list.untranslatable,
    ...unsynced.map((name) => `the filter on property ${name} needs it in the local copy: add it to HUBSPOT_SYNC_PROPERTIES and sync again`),
  ];
  const at = deps.clock.now().toISOString();
  if (reasons.length === 0 && list.filter) {
    return { listId, listName: list.name, mode: 'filters', filter: { and: [...linked, list.filter] }, reasons, at };
  }
  const { members, matched } = await stampMemberships(listId, deps);
  const filter: FilterNode = { and: [...linked, { field: `properties.${markers.lists}`, op: 'has_any', value: [listId] } as Condition] };
  return { listId, listName: list.name, mode: 'memberships', filter, reasons, members, membersNotLocal: members - matched, at };
}

/** Marks each linked local contact as in or out of the list, from the CRM's membership pages. */
async function stampMemberships(listId: string, deps: ListDeps): Promise<{ members: number; matched: number }> {
  const members = new Set<string>();
  for (let after: string | undefined; ; ) {
    const page = await deps.crm.listMemberships(listId, { limit: MEMBERSHIP_PAGE, ...(after ? { after } : {}) });
    for (const id of page.recordIds) members.add(id);
    if (!page.next) break;
    after = page.next;
  }
  const key = crmMarkers(deps.crm.system).lists;
  const now = deps.clock.now().toISOString();
  let matched = 0;
  for await (const page of deps.store.contacts.scan({ batchSize: 2000 })) {
    const changed: Contact[] = [];
    for (const contact of page) {
      if (contact.crm?.system !== deps.crm.system) continue;
      const inList = members.has(contact.crm.id);
      if (inList) matched += 1;
      const current = (contact.properties[key] ?? '').split(';').filter(Boolean);
      const next = inList ? [...new Set([...current, listId])] : current.filter((id) => id !== listId);
      if (next.join(';') === current.join(';')) continue;
      const properties = { ...contact.properties };
      if (next.length > 0) properties[key] = next.join(';');
      else delete properties[key];
      changed.push({ ...contact, properties, updatedAt: now });
    }
    await deps.store.contacts.upsertMany(changed);
  }
  return { members: members.size, matched };
}

/** One sentence for a segment's description and the preview: what the audience is and why. */
export function describeListAudience(audience: ListAudience): string {
  const head = `HubSpot list ${audience.listId} "${audience.listName}"`;
  if (audience.mode === 'filters') return `${head}: its filters, translated exactly.`;
  const missing = audience.membersNotLocal ? `, ${audience.membersNotLocal} of them not synced here yet` : '';
  const text = `${head}: its ${audience.members ?? 0} members as of ${audience.at}${missing} (filters not used: ${audience.reasons.join('; ')}).`;
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

/** `segment from-hubspot-list`: the list saved as a segment (default name `hubspot-list-<id>`). */
export async function segmentFromCrmList(listId: string, name: string | undefined, deps: ListDeps): Promise<{ segment: Segment; audience: ListAudience; replaced: boolean }> {
  const audience = await resolveCrmList(listId, deps);
  const { segment, replaced } = await saveSegment(
    { name: name ?? `${deps.crm.system}-list-${listId}`, filter: audience.filter, description: describeListAudience(audience) },
    { store: deps.store, clock: deps.clock },
  );
  return { segment, audience, replaced };
}
