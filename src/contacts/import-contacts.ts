import type { Clock } from '../common/clock.js';
import type { ConsentEntry, ConsentState, ConsentStatus } from '../consent/consent.js';
import { UNKNOWN_CONSENT } from '../consent/consent.js';
import { applyConsentEntry, hasOptOut } from '../consent/ledger.js';
import type { Store } from '../store/port.js';
import { suppressionLookup } from '../consent/suppression.js';
import type { Contact } from './contact.js';
import type { ColumnMapping } from './columns.js';
import type { SheetRow } from './files/sheet.js';
import { mergeContact, sameContact } from './merge.js';
import type { RowProblem } from './row-to-fields.js';
import { rowToFields } from './row-to-fields.js';

export interface ImportOptions {
  defaultCountry: string;
  /** Consent given for every row that has no consent cell of its own. */
  consent?: { status: ConsentStatus; source: string };
  /** A name for the file in consent sources ("import customers.csv"). */
  sourceName: string;
  dryRun?: boolean;
  /** Rows per store call. */
  batchSize?: number;
}

export interface ImportDeps {
  store: Store;
  clock: Clock;
  newId: () => string;
  onProgress?: (rowsDone: number) => void;
}

export interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Rows whose phone number appeared earlier in the same file (merged into that contact). */
  duplicates: number;
  invalid: Array<{ row: number; reason: string; value: string; column?: string }>;
  /** Cells that were dropped while the rest of the row was kept. */
  warnings: RowProblem[];
  /** `keptOptedOut`: rows saying "yes" for a contact whose opt-out stands (an import never lifts one). */
  consent: { optedIn: number; optedOut: number; keptOptedOut: number };
  dryRun: boolean;
}

interface Pending {
  /** The phone's first row in this file: its merge decides created / updated / unchanged. */
  first: boolean;
  fields: Parameters<typeof mergeContact>[1];
  consent?: { status: ConsentStatus; source: string };
}

interface PhoneState {
  /** The contact as it was before this batch (undefined: new). */
  original: Contact | undefined;
  contact: Contact | undefined;
  consent: ConsentState | undefined;
  lastConsent?: { status: ConsentStatus; source: string };
  first: boolean;
}

/**
 * Imports rows into the store in batches: normalise, dedupe within the file, merge with what is
 * stored, record consent. Invalid rows are reported and skipped; nothing else is lost. Re-importing
 * the same file changes nothing.
 */
export async function importContacts(
  rows: AsyncIterable<SheetRow>,
  mapping: ColumnMapping,
  options: ImportOptions,
  deps: ImportDeps,
): Promise<ImportReport> {
  const report: ImportReport = {
    rows: 0, created: 0, updated: 0, unchanged: 0, duplicates: 0, invalid: [], warnings: [],
    consent: { optedIn: 0, optedOut: 0, keptOptedOut: 0 }, dryRun: Boolean(options.dryRun),
  };
  const batchSize = options.batchSize ?? 5000;
  const seen = new Set<string>();
  // One source string per consent column, not one per row: 100,000 ledger entries share it.
  const sources = new Map<string, string>();
  const sourceOf = (column: string): string => {
    let source = sources.get(column);
    if (source === undefined) sources.set(column, (source = `${options.sourceName} (column "${column}")`));
    return source;
  };
  let batch: Pending[] = [];
  const flushBatch = async (): Promise<void> => {
    if (batch.length === 0) return;
    const work = batch;
    batch = [];
    await writeBatch(work, options, deps, report);
  };

  for await (const { row, cells, error } of rows) {
    report.rows += 1;
    if (error !== undefined) {
      report.invalid.push({ row, reason: 'unreadable_row', value: error });
      continue;
    }
    const result = rowToFields(row, cells, mapping, options.defaultCountry);
    if (!result.ok) {
      report.invalid.push(result.problem);
      continue;
    }
    report.warnings.push(...result.warnings);
    const first = !seen.has(result.fields.phone);
    if (first) seen.add(result.fields.phone);
    else report.duplicates += 1;
    const consent = result.consent ? { status: result.consent.status, source: sourceOf(result.consent.column) } : options.consent;
    batch.push(consent ? { first, fields: result.fields, consent } : { first, fields: result.fields });
    if (batch.length >= batchSize) {
      await flushBatch();
      deps.onProgress?.(report.rows);
    }
  }
  await flushBatch();
  // Batches are applied as they go (each is visible to the next); the import ends once all are durable.
  if (!options.dryRun) await deps.store.flush();
  deps.onProgress?.(report.rows);
  return report;
}

async function writeBatch(
  work: Pending[],
  options: ImportOptions,
  deps: ImportDeps,
  report: ImportReport,
): Promise<void> {
  const now = deps.clock.now().toISOString();
  const phones = [...new Set(work.map((item) => item.fields.phone))];
  const stored = await deps.store.contacts.getByPhones(phones);
  const storedConsent = await deps.store.consent.currentMany([...stored.values()].map((contact) => contact.id));

  // A number on the suppression list (an erased contact who had opted out) comes back opted out.
  const suppressed = suppressionLookup(await deps.store.suppressions.list());
  const current = new Map<string, PhoneState>();
  for (const phone of phones) {
    const contact = stored.get(phone);
    current.set(phone, { original: contact, contact, consent: contact && storedConsent.get(contact.id), first: false });
  }

  // Rows of one phone in this batch merge in file order (later non-empty values win); the outcome
  // and the consent change are decided once, on the result, so a file that repeats a number with
  // different data still re-imports as "unchanged".
  for (const item of work) {
    const state = current.get(item.fields.phone) as PhoneState;
    state.contact = mergeContact(state.contact, item.fields, { now, newId: deps.newId }).contact;
    state.first ||= item.first;
    if (item.consent) state.lastConsent = item.consent;
  }

  const changed: Contact[] = [];
  const entries: ConsentEntry[] = [];
  for (const state of current.values()) {
    const contact = state.contact as Contact;
    const outcome = !state.original ? 'created' : sameContact(state.original, contact) ? 'unchanged' : 'updated';
    if (state.first) report[outcome] += 1;
    const suppression = outcome === 'created' ? suppressed(contact.phone) : undefined;
    if (suppression) {
      const entry: ConsentEntry = {
        id: deps.newId(), contactId: contact.id, status: 'opted_out', scope: suppression.scope, origin: 'recipient',
        source: 'suppression list: this number opted out before its data was erased', at: now,
      };
      entries.push(entry);
      state.consent = applyConsentEntry(state.consent ?? UNKNOWN_CONSENT, entry).state;
    }
    if (outcome === 'unchanged') state.contact = state.original;
    else changed.push(contact);
    if (state.lastConsent) {
      const entry: ConsentEntry = {
        id: deps.newId(), contactId: contact.id, status: state.lastConsent.status, scope: 'marketing',
        origin: 'import', source: state.lastConsent.source, at: now,
      };
      const applied = applyConsentEntry(state.consent ?? UNKNOWN_CONSENT, entry);
      if (applied.effective) {
        entries.push(entry);
        state.consent = applied.state;
        report.consent[entry.status === 'opted_in' ? 'optedIn' : 'optedOut'] += 1;
      } else if (entry.status === 'opted_in' && hasOptOut(applied.state)) {
        report.consent.keptOptedOut += 1;
      }
    }
  }

  if (!options.dryRun) {
    await Promise.all([deps.store.contacts.upsertMany(changed), deps.store.consent.append(entries)]);
  }
}
