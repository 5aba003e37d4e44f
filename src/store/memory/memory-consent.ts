import type { ConsentEntry, ConsentState } from '../../consent/consent.js';
import { UNKNOWN_CONSENT } from '../../consent/consent.js';
import { applyConsentEntry, deriveConsent } from '../../consent/ledger.js';
import type { ConsentRepository, ConsentSummary } from '../port.js';

/** A line of the consent journal: a ledger entry, or a contact whose whole ledger was removed (erasure). */
export type ConsentRecord = ConsentEntry | { forget: string };

/** The consent ledger in memory, with each contact's derived state kept up to date. */
export class MemoryConsent implements ConsentRepository {
  private readonly entriesByContact = new Map<string, ConsentEntry[]>();
  private readonly stateByContact = new Map<string, ConsentState>();
  private readonly strings = new Map<string, string>();
  private readonly unsettled = new Set<string>();
  /** Live entries, kept as they change: the journal asks after every append whether to compact. */
  private count = 0;

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
    /** Told every change as journal records (the lowdb store appends them to its consent journal). */
    private readonly journal: (records: ConsentRecord[]) => void = () => undefined,
  ) {}

  /** Replays journal records (entries and forgotten contacts, in order) without scheduling a write. */
  replay(records: Iterable<ConsentRecord>): void {
    for (const record of records) this.apply(record);
    this.settle();
  }

  /** Applies one journal record without scheduling a write; settle() derives the states after the last. */
  apply(record: ConsentRecord): void {
    if ('forget' in record) {
      this.count -= this.entriesByContact.get(record.forget)?.length ?? 0;
      this.entriesByContact.delete(record.forget);
      this.stateByContact.delete(record.forget);
      this.unsettled.delete(record.forget);
    } else this.unsettled.add(this.put(record));
  }

  /** Derives the current state of every contact whose ledger was loaded since the last call. */
  settle(): void {
    for (const contactId of this.unsettled) this.refresh(contactId);
    this.unsettled.clear();
  }

  /** How many ledger entries are live. */
  size(): number {
    return this.count;
  }

  /** Every entry, for a snapshot, without building one big array. */
  *entries(): IterableIterator<ConsentEntry> {
    for (const list of this.entriesByContact.values()) yield* list;
  }

  load(entries: Iterable<ConsentEntry>): void {
    const touched = new Set<string>();
    for (const entry of entries) touched.add(this.put(entry));
    for (const contactId of touched) this.refresh(contactId);
  }

  all(): ConsentEntry[] {
    return [...this.entriesByContact.values()].flat();
  }

  async append(entries: readonly ConsentEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.beforeChange();
    const outOfOrder = new Set<string>();
    const stored: ConsentEntry[] = [];
    for (const entry of entries) {
      const list = this.entriesByContact.get(entry.contactId);
      const latest = list?.[list.length - 1];
      const copy = { ...entry };
      stored.push(copy);
      this.put(copy);
      // The usual case, a change newer than the ledger's last, applies on top; a back-dated one re-derives.
      if (latest && latest.at > entry.at) outOfOrder.add(entry.contactId);
      else if (!outOfOrder.has(entry.contactId)) {
        const current = this.stateByContact.get(entry.contactId) ?? UNKNOWN_CONSENT;
        this.stateByContact.set(entry.contactId, applyConsentEntry(current, entry).state);
      }
    }
    for (const contactId of outOfOrder) this.refresh(contactId);
    this.journal(stored);
    this.afterChange();
  }

  async history(contactId: string): Promise<ConsentEntry[]> {
    return (this.entriesByContact.get(contactId) ?? []).map((entry) => ({ ...entry }));
  }

  async currentMany(contactIds: readonly string[]): Promise<Map<string, ConsentState>> {
    const found = new Map<string, ConsentState>();
    for (const id of contactIds) {
      const state = this.stateByContact.get(id);
      if (state) found.set(id, { ...state });
    }
    return found;
  }

  async summary(): Promise<ConsentSummary> {
    const summary: ConsentSummary = { optedIn: 0, optedOutMarketing: 0, optedOutAll: 0 };
    for (const state of this.stateByContact.values()) {
      if (!state.transactionalAllowed) summary.optedOutAll += 1;
      else if (state.marketing === 'opted_out') summary.optedOutMarketing += 1;
      else if (state.marketing === 'opted_in') summary.optedIn += 1;
    }
    return summary;
  }

  async forget(contactId: string): Promise<void> {
    if (!this.entriesByContact.has(contactId)) return;
    this.beforeChange();
    this.count -= this.entriesByContact.get(contactId)?.length ?? 0;
    this.entriesByContact.delete(contactId);
    this.stateByContact.delete(contactId);
    this.journal([{ forget: contactId }]);
    this.afterChange();
  }

  private put(entry: ConsentEntry): string {
    // Sources, times and enums repeat across a whole import: keep one copy of each.
    entry.source = this.intern(entry.source);
    entry.at = this.intern(entry.at);
    entry.status = this.intern(entry.status) as ConsentEntry['status'];
    entry.scope = this.intern(entry.scope) as ConsentEntry['scope'];
    entry.origin = this.intern(entry.origin) as ConsentEntry['origin'];
    const list = this.entriesByContact.get(entry.contactId);
    if (list) list.push(entry);
    else this.entriesByContact.set(entry.contactId, [entry]);
    this.count += 1;
    return entry.contactId;
  }

  private intern(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size < 100_000) this.strings.set(value, value);
    return value;
  }

  private refresh(contactId: string): void {
    this.stateByContact.set(contactId, deriveConsent(this.entriesByContact.get(contactId) ?? []));
  }
}
