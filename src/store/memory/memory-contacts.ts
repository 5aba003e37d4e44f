import type { Contact } from '../../contacts/contact.js';
import type { ContactImportKeys, ContactRepository, ScanOptions } from '../port.js';
import { keysetPages } from '../keyset-pages.js';

/** A line of the contacts journal: a whole contact (put, with its import key if any), a deletion, or a new import key. */
export type ContactRecord = (Contact & { importKey?: string }) | { deleted: string } | { keyed: string; importKey: string };

const EMPTY_LIST: string[] = Object.freeze([]) as unknown as string[];
const EMPTY_PROPERTIES: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Strings that repeat across contacts (names, cities, zones, dates, interests) stored once: 100,000
 * contacts parsed from a file or a journal otherwise hold 100,000 copies of "Europe/Moscow".
 */
class Interner {
  private readonly pool = new Map<string, string>();

  get(value: string): string {
    const known = this.pool.get(value);
    if (known !== undefined) return known;
    // Bounded: past this, new strings are kept as they are (still correct, just not shared).
    if (this.pool.size < 200_000) this.pool.set(value, value);
    return value;
  }

  list(values: readonly string[]): string[] {
    return values.length === 0 ? EMPTY_LIST : values.map((value) => this.get(value));
  }
}

/** A contact as held: with the key of the import row it last took in, if it still holds one. */
type StoredContact = Contact & { importKey: string | undefined };

/** A copy of a stored contact, as it was written: absent fields absent, nothing shared. */
export function expand(stored: Contact): Contact {
  const contact: Contact = {
    id: stored.id,
    phone: stored.phone,
    interests: [...stored.interests],
    tags: [...stored.tags],
    properties: { ...stored.properties },
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
  if (stored.firstName !== undefined) contact.firstName = stored.firstName;
  if (stored.lastName !== undefined) contact.lastName = stored.lastName;
  if (stored.middleName !== undefined) contact.middleName = stored.middleName;
  if (stored.gender !== undefined) contact.gender = stored.gender;
  if (stored.birthDate !== undefined) contact.birthDate = stored.birthDate;
  if (stored.city !== undefined) contact.city = stored.city;
  if (stored.country !== undefined) contact.country = stored.country;
  if (stored.timezone !== undefined) contact.timezone = stored.timezone;
  if (stored.timezoneSource !== undefined) contact.timezoneSource = stored.timezoneSource;
  if (stored.crm !== undefined) contact.crm = { ...stored.crm };
  return contact;
}

/** Contacts held in maps: the in-memory store, and the working set of the lowdb store. */
export class MemoryContacts implements ContactRepository {
  private readonly byId = new Map<string, StoredContact>();
  private readonly idByPhone = new Map<string, string>();
  private sortedIds: string[] | null = null;
  private readonly strings = new Interner();
  /** Import keys (see ContactImportKeys), to the contact holding each; the contact holds its own (StoredContact). */
  private readonly idByKey = new Map<string, string>();

  readonly importKeys: ContactImportKeys = {
    lookup: async (keys) => {
      const found = new Map<string, Contact>();
      for (const key of keys) {
        const id = this.idByKey.get(key);
        const stored = id === undefined ? undefined : this.byId.get(id);
        if (stored?.importKey === key) found.set(key, expand(stored));
      }
      return found;
    },
    upsertWithKeys: async (contacts, keys) => {
      const records: ContactRecord[] = [];
      const written = new Set<string>();
      if (contacts.length === 0 && keys.size === 0) return;
      this.beforeChange();
      for (const contact of contacts) {
        const stored = this.put(contact);
        const key = keys.get(stored.id);
        if (key !== undefined) this.setKey(stored.id, key);
        written.add(stored.id);
        records.push(stored);
      }
      for (const [id, key] of keys) {
        if (written.has(id) || !this.byId.has(id) || this.byId.get(id)?.importKey === key) continue;
        this.setKey(id, key);
        records.push({ keyed: id, importKey: key });
      }
      if (records.length > 0) this.journal(records);
      this.afterChange();
    },
  };

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
    /** Told every change as journal records (the lowdb store appends them to its contacts journal). */
    private readonly journal: (records: ContactRecord[]) => void = () => undefined,
  ) {}

  /** Loads persisted contacts without scheduling a write. */
  load(contacts: Iterable<Contact>): void {
    for (const contact of contacts) this.put(contact);
  }

  /** Replays journal records (puts and deletes, in order) without scheduling a write. */
  replay(records: Iterable<ContactRecord>): void {
    for (const record of records) this.apply(record);
  }

  /** Applies one journal record without scheduling a write. */
  apply(record: ContactRecord): void {
    if ('deleted' in record) this.remove(record.deleted);
    else if ('keyed' in record) this.setKey(record.keyed, record.importKey);
    else {
      this.put(record);
      if (record.importKey !== undefined) this.setKey(record.id, record.importKey);
    }
  }

  /** How many contacts are live (no copies made). */
  size(): number {
    return this.byId.size;
  }

  /** Every contact as written (copies), for a snapshot. */
  *all(): IterableIterator<Contact> {
    for (const stored of this.byId.values()) yield expand(stored);
  }

  /** Every contact with its import key, as journal records: what a snapshot holds. */
  records(): IterableIterator<ContactRecord> {
    return this.byId.values();
  }

  async upsertMany(contacts: readonly Contact[]): Promise<void> {
    if (contacts.length === 0) return;
    this.beforeChange();
    const stored: Contact[] = [];
    for (const contact of contacts) stored.push(this.put(contact));
    this.journal(stored);
    this.afterChange();
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Contact>> {
    const found = new Map<string, Contact>();
    for (const id of ids) {
      const contact = this.byId.get(id);
      if (contact) found.set(id, expand(contact));
    }
    return found;
  }

  async getByPhones(phones: readonly string[]): Promise<Map<string, Contact>> {
    const found = new Map<string, Contact>();
    for (const phone of phones) {
      const id = this.idByPhone.get(phone);
      const contact = id === undefined ? undefined : this.byId.get(id);
      if (contact) found.set(phone, expand(contact));
    }
    return found;
  }

  async count(): Promise<number> {
    return this.byId.size;
  }

  async list(options: { limit: number; afterId?: string }): Promise<Contact[]> {
    const ids = this.ids();
    const start = options.afterId === undefined ? 0 : upperBound(ids, options.afterId);
    const page: Contact[] = [];
    for (let i = start; i < ids.length && page.length < options.limit; i += 1) {
      const contact = this.byId.get(ids[i] as string);
      if (contact) page.push(expand(contact));
    }
    return page;
  }

  async *scan(options: ScanOptions = {}): AsyncIterable<Contact[]> {
    yield* keysetPages((page) => this.list(page), options.batchSize ?? 1000);
  }

  async deleteMany(ids: readonly string[]): Promise<void> {
    const found = ids.filter((id) => this.byId.has(id));
    if (found.length === 0) return;
    this.beforeChange();
    for (const id of found) this.remove(id);
    this.journal(found.map((id) => ({ deleted: id })));
    this.afterChange();
  }

  private setKey(id: string, key: string): void {
    const stored = this.byId.get(id);
    if (!stored) return;
    this.dropKey(stored);
    const holder = this.idByKey.get(key);
    // A key names one contact: the newest holder keeps it.
    const previous = holder === undefined ? undefined : this.byId.get(holder);
    if (previous) previous.importKey = undefined;
    stored.importKey = key;
    this.idByKey.set(key, id);
  }

  private dropKey(stored: StoredContact): void {
    const key = stored.importKey;
    if (key === undefined) return;
    stored.importKey = undefined;
    if (this.idByKey.get(key) === stored.id) this.idByKey.delete(key);
  }

  private remove(id: string): void {
    const contact = this.byId.get(id);
    if (!contact) return;
    this.dropKey(contact);
    this.byId.delete(id);
    if (this.idByPhone.get(contact.phone) === id) this.idByPhone.delete(contact.phone);
    this.sortedIds = null;
  }

  private put(contact: Contact): StoredContact {
    const previous = this.byId.get(contact.id);
    // Any change of a contact ends what its import key promised.
    if (previous) this.dropKey(previous);
    if (previous && previous.phone !== contact.phone) this.idByPhone.delete(previous.phone);
    if (!previous) this.sortedIds = null;
    const compact = this.compact(contact);
    this.byId.set(compact.id, compact);
    this.idByPhone.set(compact.phone, compact.id);
    return compact;
  }

  /**
   * The stored form: one fixed key order (one hidden class for most contacts), repeated strings shared,
   * empty lists and properties shared; absent fields are held as `undefined` (deleting them would turn the
   * object into a slow dictionary). Never handed out: reads return copies without them (expand).
   */
  private compact(contact: Contact): StoredContact {
    const s = this.strings;
    const opt = (value: string | undefined): string | undefined => (value === undefined ? undefined : s.get(value));
    const compact: StoredContact = {
      id: contact.id,
      phone: contact.phone,
      firstName: opt(contact.firstName),
      lastName: opt(contact.lastName),
      middleName: opt(contact.middleName),
      gender: contact.gender,
      birthDate: opt(contact.birthDate),
      city: opt(contact.city),
      country: opt(contact.country),
      timezone: opt(contact.timezone),
      timezoneSource: contact.timezoneSource,
      interests: s.list(contact.interests),
      tags: s.list(contact.tags),
      properties: Object.keys(contact.properties).length === 0 ? EMPTY_PROPERTIES : { ...contact.properties },
      crm: contact.crm === undefined ? undefined : { ...contact.crm },
      createdAt: s.get(contact.createdAt),
      updatedAt: s.get(contact.updatedAt),
      importKey: undefined,
    };
    return compact;
  }

  private ids(): string[] {
    this.sortedIds ??= [...this.byId.keys()].sort();
    return this.sortedIds;
  }
}

/** Index of the first element greater than `value` in a sorted array. */
function upperBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as string) <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
