import type { Contact } from '../contacts/contact.js';
import type { ConsentEntry, ConsentState } from '../consent/consent.js';
import type { Template } from '../messages/template-record.js';
import type { Segment } from '../segments/filter.js';

/**
 * The store port. Every method is async and batch-first, so that an embedded store and a
 * PostgreSQL store (one transaction per call) implement it alike and callers never loop over items
 * with one round trip each.
 *
 * A change resolves once it is applied: every later read sees it. `flush()` resolves once every
 * change applied so far is durable, so a caller that must not lose a change (a webhook before it
 * answers 2xx, a command before it exits) awaits `flush()`; concurrent callers share one write.
 * A store whose calls are durable when they resolve (PostgreSQL) flushes at once.
 */
export interface Store {
  readonly contacts: ContactRepository;
  readonly consent: ConsentRepository;
  readonly segments: NamedRepository<Segment>;
  readonly templates: NamedRepository<Template>;
  readonly messages: MessageRepository;
  /** Resolves once every change applied so far is durable; rejects if writing it failed. */
  flush(): Promise<void>;
  /** Flushes and releases the store (and its lock). */
  close(): Promise<void>;
  /** What kind of store this is and where it keeps its data, for `doctor` and logs. */
  describe(): StoreDescription;
}

export interface StoreDescription {
  kind: 'memory' | 'lowdb' | 'postgres';
  location: string;
  readOnly: boolean;
}

export interface ScanOptions {
  /** Items per yielded page. */
  batchSize?: number;
}

export interface ContactRepository {
  /** Inserts or replaces whole contacts, keyed by id. Merging is the caller's job (see mergeContact). */
  upsertMany(contacts: readonly Contact[]): Promise<void>;
  getMany(ids: readonly string[]): Promise<Map<string, Contact>>;
  /** Looks contacts up by E.164 number; the map is keyed by phone. */
  getByPhones(phones: readonly string[]): Promise<Map<string, Contact>>;
  count(): Promise<number>;
  /** Every contact, in pages, in a stable order (by id). */
  scan(options?: ScanOptions): AsyncIterable<Contact[]>;
  /** One page of contacts in a stable order, after the given id (exclusive). */
  list(options: { limit: number; afterId?: string }): Promise<Contact[]>;
}

export interface ConsentRepository {
  /** Appends ledger entries; the derived state of each touched contact is updated with them. */
  append(entries: readonly ConsentEntry[]): Promise<void>;
  /** The ledger of one contact, oldest first. */
  history(contactId: string): Promise<ConsentEntry[]>;
  /** Current state for each id; contacts with no entries are absent from the map. */
  currentMany(contactIds: readonly string[]): Promise<Map<string, ConsentState>>;
  /** Counts of current states across all contacts, for summaries. */
  summary(): Promise<ConsentSummary>;
}

export interface ConsentSummary {
  optedIn: number;
  optedOutMarketing: number;
  optedOutAll: number;
}

/** Small, slowly changing things saved under a unique name (segments, templates). */
export interface NamedRepository<T extends { name: string }> {
  /** Inserts or replaces by name. */
  put(item: T): Promise<void>;
  get(name: string): Promise<T | undefined>;
  /** All items, by name. */
  list(): Promise<T[]>;
  /** Returns false when there was nothing by that name. */
  delete(name: string): Promise<boolean>;
}

/** Messages planned or sent (the outbox). Read here for frequency caps; the sending engine writes it. */
export interface MessageRepository {
  /**
   * When each contact's marketing messages were (or are planned to be) sent, since `since`, counting
   * every message that was not excluded, canceled or rejected.
   */
  marketingSendTimes(contactIds: readonly string[], since: Date): Promise<Map<string, Date[]>>;
}
