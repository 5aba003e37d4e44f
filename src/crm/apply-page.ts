import type { Clock } from '../common/clock.js';
import type { Contact } from '../contacts/contact.js';
import { mergeContact, sameContact } from '../contacts/merge.js';
import type { ConsentEntry, ConsentState } from '../consent/consent.js';
import { UNKNOWN_CONSENT } from '../consent/consent.js';
import { applyConsentEntry } from '../consent/ledger.js';
import type { Store } from '../store/port.js';
import type { CrmPropertyMap, SkipReason } from './map-contact.js';
import { mapCrmContact } from './map-contact.js';
import type { CrmContact } from './port.js';

export interface SyncTally {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: { total: number; reasons: Partial<Record<SkipReason, number>>; examples: Array<{ id: string; reason: SkipReason }> };
  consentChanges: { optedIn: number; optedOut: number; keptOptedOut: number };
  /** Local contacts whose CRM record was merged into another: relinked to the survivor. */
  merged: number;
  /** Local contacts whose CRM record was deleted: marked, consent kept. */
  archived: number;
}

export function emptyTally(): SyncTally {
  return {
    fetched: 0, created: 0, updated: 0, unchanged: 0, skipped: { total: 0, reasons: {}, examples: [] },
    consentChanges: { optedIn: 0, optedOut: 0, keptOptedOut: 0 }, merged: 0, archived: 0,
  };
}

export interface ApplyContext {
  system: string;
  map: CrmPropertyMap;
  defaultCountry: string;
  store: Store;
  clock: Clock;
  newId: () => string;
  /** CRM id → local contact id, kept current as contacts are created and relinked. */
  index: Map<string, string>;
}

const MAX_EXAMPLES = 20;

/** Marker properties a sync writes (list filters and segments read them). */
export const crmMarkers = (system: string) => ({ id: `${system}_id`, archivedAt: `${system}_archived_at`, mergedFrom: `${system}_merged_from`, lists: `${system}_lists` });

/**
 * Applies one page of CRM contacts: merged records relinked to their survivor, each record merged into
 * the local contact (found by CRM id, else by phone), consent recorded with origin `crm`. A sync never
 * lifts an opt-out, whoever made it: only the recipient's START or an operator with evidence can.
 */
export async function applyContactPage(records: readonly CrmContact[], context: ApplyContext, tally: SyncTally): Promise<void> {
  const now = context.clock.now().toISOString();
  const markers = crmMarkers(context.system);
  tally.fetched += records.length;
  const mapped = records.map((record) => ({ record, result: mapCrmContact(record, context.map, { system: context.system, defaultCountry: context.defaultCountry }) }));
  const phones = mapped.flatMap(({ result }) => (result.ok ? [result.fields.phone] : []));
  const linkedIds = records.flatMap((record) => [record.id, ...(record.mergedIds ?? [])]).map((id) => context.index.get(id)).filter((id): id is string => id !== undefined);
  const [byPhone, byId] = await Promise.all([context.store.contacts.getByPhones(phones), context.store.contacts.getMany(linkedIds)]);
  const working = new Map<string, Contact>([...byId.values(), ...byPhone.values()].map((c) => [c.id, c]));
  const originals = new Map(working);
  const consent = await context.store.consent.currentMany([...working.keys()]);
  const entries: ConsentEntry[] = [];

  for (const { record, result } of mapped) {
    for (const mergedId of record.mergedIds ?? []) relinkMerged(mergedId, record.id, context, working, tally);
    if (!result.ok) {
      tally.skipped.total += 1;
      tally.skipped.reasons[result.reason] = (tally.skipped.reasons[result.reason] ?? 0) + 1;
      if (tally.skipped.examples.length < MAX_EXAMPLES) tally.skipped.examples.push({ id: record.id, reason: result.reason });
      continue;
    }
    const byPhoneContact = [...working.values()].find((c) => c.phone === result.fields.phone);
    const linkedId = context.index.get(record.id);
    const linked = linkedId === undefined ? undefined : working.get(linkedId);
    // The number may have changed in the CRM: the linked contact takes it, unless another contact has it.
    const existing = byPhoneContact ?? (linked ? { ...linked, phone: result.fields.phone } : undefined);
    const merged = mergeContact(existing, result.fields, { now, newId: context.newId }).contact;
    for (const name of result.cleared) delete merged.properties[name];
    delete merged.properties[markers.archivedAt];
    working.set(merged.id, merged);
    context.index.set(record.id, merged.id);
    if (result.consent) recordConsent(merged.id, result.consent, { consent, entries, now, context, tally });
  }

  const changed: Contact[] = [];
  for (const [id, contact] of working) {
    const original = originals.get(id);
    const counted = mapped.some(({ result }) => result.ok && result.fields.phone === contact.phone);
    if (!original) {
      if (counted) tally.created += 1;
      changed.push(contact);
    } else if (sameContact(original, contact)) {
      if (counted) tally.unchanged += 1;
    } else {
      if (counted) tally.updated += 1;
      changed.push({ ...contact, updatedAt: now });
    }
  }
  await Promise.all([context.store.contacts.upsertMany(changed), context.store.consent.append(entries)]);
}

function recordConsent(
  contactId: string,
  status: 'opted_in' | 'opted_out',
  state: { consent: Map<string, ConsentState>; entries: ConsentEntry[]; now: string; context: ApplyContext; tally: SyncTally },
): void {
  const current = state.consent.get(contactId) ?? UNKNOWN_CONSENT;
  if (status === 'opted_in' && current.marketing === 'opted_out') {
    state.tally.consentChanges.keptOptedOut += 1;
    return;
  }
  const entry: ConsentEntry = { id: state.context.newId(), contactId, status, scope: 'marketing', origin: 'crm', source: state.context.system, at: state.now };
  const applied = applyConsentEntry(current, entry);
  if (!applied.effective) return;
  state.entries.push(entry);
  state.consent.set(contactId, applied.state);
  state.tally.consentChanges[status === 'opted_in' ? 'optedIn' : 'optedOut'] += 1;
}

/** A record merged into `survivorId`: its local contact (and with it its consent ledger) now points to the survivor. */
function relinkMerged(mergedId: string, survivorId: string, context: ApplyContext, working: Map<string, Contact>, tally: SyncTally): void {
  const localId = context.index.get(mergedId);
  const contact = localId === undefined ? undefined : working.get(localId);
  if (!contact || contact.crm?.id === survivorId) return;
  const markers = crmMarkers(context.system);
  working.set(contact.id, {
    ...contact,
    crm: { system: context.system, id: survivorId },
    properties: { ...contact.properties, [markers.id]: survivorId, [markers.mergedFrom]: mergedId },
  });
  context.index.delete(mergedId);
  if (!context.index.has(survivorId)) context.index.set(survivorId, contact.id);
  tally.merged += 1;
}

/** Deleted CRM records: the local contact is marked (segments built from CRM lists leave it out); its consent stays. */
export async function applyArchivedPage(records: readonly CrmContact[], context: ApplyContext, tally: SyncTally): Promise<void> {
  const markers = crmMarkers(context.system);
  const ids = records.map((record) => context.index.get(record.id)).filter((id): id is string => id !== undefined);
  const contacts = await context.store.contacts.getMany(ids);
  const now = context.clock.now().toISOString();
  const changed: Contact[] = [];
  for (const record of records) {
    const localId = context.index.get(record.id);
    const contact = localId === undefined ? undefined : contacts.get(localId);
    if (!contact || contact.crm?.id !== record.id || contact.properties[markers.archivedAt] !== undefined) continue;
    changed.push({ ...contact, properties: { ...contact.properties, [markers.archivedAt]: record.archivedAt ?? now }, updatedAt: now });
    tally.archived += 1;
  }
  await context.store.contacts.upsertMany(changed);
}
