import type { ConsentEntry, ConsentState } from '../../consent/consent.js';
import { UNKNOWN_CONSENT } from '../../consent/consent.js';
import { applyConsentEntry, deriveConsent } from '../../consent/ledger.js';
import type { ConsentRepository, ConsentSummary } from '../port.js';

/** The consent ledger in memory, with each contact's derived state kept up to date. */
export class MemoryConsent implements ConsentRepository {
  private readonly entriesByContact = new Map<string, ConsentEntry[]>();
  private readonly stateByContact = new Map<string, ConsentState>();

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
  ) {}

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
    for (const entry of entries) {
      const list = this.entriesByContact.get(entry.contactId);
      const latest = list?.[list.length - 1];
      this.put({ ...entry });
      // The usual case, a change newer than the ledger's last, applies on top; a back-dated one re-derives.
      if (latest && latest.at > entry.at) outOfOrder.add(entry.contactId);
      else if (!outOfOrder.has(entry.contactId)) {
        const current = this.stateByContact.get(entry.contactId) ?? UNKNOWN_CONSENT;
        this.stateByContact.set(entry.contactId, applyConsentEntry(current, entry).state);
      }
    }
    for (const contactId of outOfOrder) this.refresh(contactId);
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
    this.entriesByContact.delete(contactId);
    this.stateByContact.delete(contactId);
    this.afterChange();
  }

  private put(entry: ConsentEntry): string {
    const list = this.entriesByContact.get(entry.contactId);
    if (list) list.push(entry);
    else this.entriesByContact.set(entry.contactId, [entry]);
    return entry.contactId;
  }

  private refresh(contactId: string): void {
    this.stateByContact.set(contactId, deriveConsent(this.entriesByContact.get(contactId) ?? []));
  }
}
