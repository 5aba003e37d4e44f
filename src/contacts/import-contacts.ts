import type { Clock } from '../common/clock.js';
import type { ConsentEntry, ConsentState, ConsentStatus } from '../consent/consent.js';
import { UNKNOWN_CONSENT } from '../consent/consent.js';
import { applyConsentEntry, hasOptOut } from '../consent/ledger.js';
import type { Store } from '../store/port.js';
import { suppressionLookup } from '../consent/suppression.js';
import type { Contact } from './contact.js';
import type { ColumnMapping } from './columns.js';
import type { SheetRow } from './files/sheet.js';
import type { MergeOutcome } from './merge.js';
import { PhoneOutcomes } from './phone-outcomes.js';
import { mergeContact, sameContact } from './merge.js';
import { parseConsentCell } from './columns.js';
import { rowKeyer } from './row-key.js';
import type { RowProblem } from './row-to-fields.js';
import { rowToFields } from './row-to-fields.js';

export interface ImportOptions {
  defaultCountry: string;
  /** Consent given for every row that has no consent cell of its own. */
  consent?: { status: ConsentStatus; source: string };
  /** A name for the file in consent sources ("import customers.csv"). */
  sourceName: string;
  dryRun?: boolean;
  /** Rows per store call (default 1,000: smaller batches leave less garbage to outlive a collection, and lower the peak memory). */
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

/** A row read from the file, waiting for its batch. */
interface RawRow {
  row: number;
  cells: string[];
}

/** A row whose fields were computed (the full path). */
interface Pending {
  fields: Parameters<typeof mergeContact>[1];
  consent?: { status: ConsentStatus; source: string };
  /** The row's key when it merged without warnings (a clean row may be skipped next time). */
  key: string | undefined;
}

/** A merged contact not yet written: an update (written once, at the end) or, in a dry run, anything. */
interface Held {
  contact: Contact;
  key: string | undefined;
}

/**
 * Imports rows into the store in batches: normalise, dedupe within the file, merge with what is
 * stored, record consent. Invalid rows are reported and skipped; nothing else is lost. Re-importing
 * the same file changes nothing, and costs little: a row whose key (a hash of its cells) the contact
 * still holds is neither normalised nor merged again (see ContactImportKeys).
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
  const batchSize = options.batchSize ?? 1000;
  const context: ImportContext = {
    options, deps, report, mapping,
    seen: new PhoneOutcomes(),
    held: new Map(),
    keyOf: rowKeyer(mapping, options.defaultCountry),
    consentColumn: mapping.columns.find((column) => column.target === 'consent'),
    sources: new Map(),
    suppressed: suppressionLookup(await deps.store.suppressions.list()),
    writing: Promise.resolve(),
  };
  let batch: RawRow[] = [];
  try {
    for await (const { row, cells, error } of rows) {
      report.rows += 1;
      if (error !== undefined) {
        report.invalid.push({ row, reason: 'unreadable_row', value: error });
        continue;
      }
      batch.push({ row, cells });
      if (batch.length >= batchSize) {
        const work = batch;
        batch = [];
        await importBatch(work, context);
        deps.onProgress?.(report.rows);
      }
    }
    await importBatch(batch, context);
  } catch (error) {
    // Nothing left running behind a failed import.
    await context.writing.catch(() => undefined);
    throw error;
  }
  await context.writing;
  if (!options.dryRun) {
    // Updates are held to the end, so a number repeated across batches is written once, and not at all
    // when the file as a whole changes nothing.
    const held = [...context.held.values()];
    for (let start = 0; start < held.length; start += batchSize) {
      const slice = held.slice(start, start + batchSize);
      await upsert(deps.store, slice.map((item) => item.contact), new Map(slice.flatMap((item) => (item.key === undefined ? [] : [[item.contact.id, item.key] as const]))));
    }
    // New contacts and consent were written batch by batch; the import ends once all is durable.
    await deps.store.flush();
  }
  deps.onProgress?.(report.rows);
  return report;
}

interface ImportContext {
  options: ImportOptions;
  deps: ImportDeps;
  report: ImportReport;
  mapping: ColumnMapping;
  /** Every phone met so far in the file, with what was counted for it. */
  seen: PhoneOutcomes;
  /** Contacts merged but not written yet, by phone. */
  held: Map<string, Held>;
  keyOf: (cells: readonly string[]) => string;
  consentColumn: { index: number; header: string } | undefined;
  /** One source string per consent column, not one per row: 100,000 ledger entries share it. */
  sources: Map<string, string>;
  suppressed: ReturnType<typeof suppressionLookup>;
  /**
   * The write of the batch before, still under way: the next batch is read, looked up by key and
   * normalised meanwhile (work that does not depend on it), and waits for it before it reads the
   * contacts its phones name.
   */
  writing: Promise<void>;
}

function sourceOf(context: ImportContext, column: string): string {
  let source = context.sources.get(column);
  if (source === undefined) context.sources.set(column, (source = `${context.options.sourceName} (column "${column}")`));
  return source;
}

async function importBatch(batch: RawRow[], context: ImportContext): Promise<void> {
  if (batch.length === 0) return;
  const { options, deps, report, seen } = context;
  const keys = batch.map((item) => context.keyOf(item.cells));
  const keyed = deps.store.contacts.importKeys ? await deps.store.contacts.importKeys.lookup(keys) : new Map<string, Contact>();

  // In file order: a row whose key its contact still holds, for a phone not met before, is unchanged
  // (only its consent cell is read); every other row is normalised and merged.
  const claimed = new Set<string>();
  const skipped: Array<{ contact: Contact; consent?: { status: ConsentStatus; source: string } }> = [];
  const pending = new Map<string, Pending[]>();
  batch.forEach((item, i) => {
    const key = keys[i] as string;
    const known = keyed.get(key);
    if (known && !seen.has(known.phone) && !claimed.has(known.phone)) {
      claimed.add(known.phone);
      seen.set(known.phone, 'unchanged');
      report.unchanged += 1;
      const cell = context.consentColumn ? parseConsentCell((item.cells[context.consentColumn.index] ?? '').trim()) : undefined;
      const consent = cell?.ok && cell.value ? { status: cell.value, source: sourceOf(context, context.consentColumn?.header ?? '') } : options.consent;
      skipped.push(consent ? { contact: known, consent } : { contact: known });
      return;
    }
    const result = rowToFields(item.row, item.cells, context.mapping, options.defaultCountry);
    if (!result.ok) {
      report.invalid.push(result.problem);
      return;
    }
    if (result.warnings.length > 0) report.warnings.push(...result.warnings);
    const phone = result.fields.phone;
    if (seen.has(phone) || claimed.has(phone)) report.duplicates += 1;
    claimed.add(phone);
    const consent = result.consent ? { status: result.consent.status, source: sourceOf(context, result.consent.column) } : options.consent;
    const entry: Pending = { fields: result.fields, key: result.warnings.length === 0 ? key : undefined };
    if (consent) entry.consent = consent;
    const list = pending.get(phone);
    if (list) list.push(entry);
    else pending.set(phone, [entry]);
  });

  // A key found or missed while the batch before was being written gives the same outcome: a row
  // whose contact that batch wrote is a repeated phone either way (merged below). The stored contacts
  // must include that batch's.
  await context.writing;
  const now = deps.clock.now().toISOString();
  const phones = [...pending.keys()];
  const stored = phones.length > 0 ? await deps.store.contacts.getByPhones(phones) : new Map<string, Contact>();
  const consentIds = [...stored.values()].map((contact) => contact.id);
  for (const { contact } of skipped) consentIds.push(contact.id);
  const storedConsent = consentIds.length > 0 ? await deps.store.consent.currentMany(consentIds) : new Map<string, ConsentState>();

  const written: Contact[] = [];
  const newKeys = new Map<string, string>();
  const entries: ConsentEntry[] = [];
  for (const { contact, consent } of skipped) applyImportConsent(contact.id, storedConsent.get(contact.id), consent, now, entries, context);

  for (const [phone, rowsOfPhone] of pending) {
    // What the store holds is the contact as it was before this import, unless this import created it.
    const original = stored.get(phone);
    const before = seen.get(phone);
    const held = context.held.get(phone);
    let contact = held?.contact ?? original;
    let key: string | undefined;
    let lastConsent: { status: ConsentStatus; source: string } | undefined;
    // Rows of one phone merge in file order (later non-empty values win); the outcome is decided on the
    // result against the contact as it was before the import, so a file that repeats a number with
    // different data still re-imports as "unchanged".
    for (const item of rowsOfPhone) {
      contact = mergeContact(contact, item.fields, { now, newId: deps.newId }).contact;
      key = item.key;
      if (item.consent) lastConsent = item.consent;
    }
    const merged = contact as Contact;
    const created = before === 'created' || (!before && !original);
    const outcome: MergeOutcome = created ? 'created' : original && sameContact(original, merged) ? 'unchanged' : 'updated';
    if (before) report[before] -= 1;
    report[outcome] += 1;
    seen.set(phone, outcome);

    let consentState = original && storedConsent.get(original.id);
    if (!before && !original) {
      // A number on the suppression list (an erased contact who had opted out) comes back opted out.
      const suppression = context.suppressed(merged.phone);
      if (suppression) {
        const entry: ConsentEntry = {
          id: deps.newId(), contactId: merged.id, status: 'opted_out', scope: suppression.scope, origin: 'recipient',
          source: 'suppression list: this number opted out before its data was erased', at: now,
        };
        entries.push(entry);
        consentState = applyConsentEntry(consentState ?? UNKNOWN_CONSENT, entry).state;
      }
    }
    if (options.dryRun) {
      context.held.set(phone, { contact: merged, key });
    } else if (outcome === 'updated') {
      context.held.set(phone, { contact: merged, key });
    } else {
      context.held.delete(phone);
      // New contacts are written now (consent entries name them); an unchanged one only takes the key.
      if (outcome === 'created' && (!original || !sameContact(original, merged))) written.push(merged);
      if (key !== undefined) newKeys.set(merged.id, key);
    }
    applyImportConsent(merged.id, consentState, lastConsent, now, entries, context);
  }

  if (!options.dryRun) {
    const writing = Promise.all([upsert(deps.store, written, newKeys), deps.store.consent.append(entries)]).then(() => undefined);
    // Awaited by the next batch or at the end; a failure is thrown there (not reported as unhandled before).
    writing.catch(() => undefined);
    context.writing = writing;
  }
}

/** Upserts contacts, giving them (and unchanged ones) their import keys when the store keeps keys. */
async function upsert(store: Store, contacts: readonly Contact[], keys: ReadonlyMap<string, string>): Promise<void> {
  if (store.contacts.importKeys) await store.contacts.importKeys.upsertWithKeys(contacts, keys);
  else await store.contacts.upsertMany(contacts);
}

function applyImportConsent(
  contactId: string,
  state: ConsentState | undefined,
  consent: { status: ConsentStatus; source: string } | undefined,
  at: string,
  entries: ConsentEntry[],
  context: ImportContext,
): void {
  if (!consent) return;
  const entry: ConsentEntry = { id: '', contactId, status: consent.status, scope: 'marketing', origin: 'import', source: consent.source, at };
  const applied = applyConsentEntry(state ?? UNKNOWN_CONSENT, entry);
  if (applied.effective) {
    entry.id = context.deps.newId();
    entries.push(entry);
    context.report.consent[entry.status === 'opted_in' ? 'optedIn' : 'optedOut'] += 1;
  } else if (entry.status === 'opted_in' && hasOptOut(applied.state)) {
    context.report.consent.keptOptedOut += 1;
  }
}
