import type { Contact } from '../../contacts/contact.js';
import { cloneContact } from '../../contacts/contact.js';
import type { ContactRepository, ScanOptions } from '../port.js';

/** Contacts held in maps: the in-memory store, and the working set of the lowdb store. */
export class MemoryContacts implements ContactRepository {
  private readonly byId = new Map<string, Contact>();
  private readonly idByPhone = new Map<string, string>();
  private sortedIds: string[] | null = null;

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
  ) {}

  /** Loads persisted contacts without scheduling a write. */
  load(contacts: Iterable<Contact>): void {
    for (const contact of contacts) this.put(contact);
  }

  all(): IterableIterator<Contact> {
    return this.byId.values();
  }

  async upsertMany(contacts: readonly Contact[]): Promise<void> {
    if (contacts.length === 0) return;
    this.beforeChange();
    for (const contact of contacts) this.put(cloneContact(contact));
    this.afterChange();
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Contact>> {
    const found = new Map<string, Contact>();
    for (const id of ids) {
      const contact = this.byId.get(id);
      if (contact) found.set(id, cloneContact(contact));
    }
    return found;
  }

  async getByPhones(phones: readonly string[]): Promise<Map<string, Contact>> {
    const found = new Map<string, Contact>();
    for (const phone of phones) {
      const id = this.idByPhone.get(phone);
      const contact = id === undefined ? undefined : this.byId.get(id);
      if (contact) found.set(phone, cloneContact(contact));
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
      if (contact) page.push(cloneContact(contact));
    }
    return page;
  }

  async *scan(options: ScanOptions = {}): AsyncIterable<Contact[]> {
    const limit = options.batchSize ?? 1000;
    let afterId: string | undefined;
    for (;;) {
      const page = await this.list(afterId === undefined ? { limit } : { limit, afterId });
      if (page.length === 0) return;
      yield page;
      afterId = page[page.length - 1]?.id;
    }
  }

  async deleteMany(ids: readonly string[]): Promise<void> {
    const found = ids.filter((id) => this.byId.has(id));
    if (found.length === 0) return;
    this.beforeChange();
    for (const id of found) {
      const contact = this.byId.get(id) as Contact;
      this.byId.delete(id);
      if (this.idByPhone.get(contact.phone) === id) this.idByPhone.delete(contact.phone);
    }
    this.sortedIds = null;
    this.afterChange();
  }

  private put(contact: Contact): void {
    const previous = this.byId.get(contact.id);
    if (previous && previous.phone !== contact.phone) this.idByPhone.delete(previous.phone);
    if (!previous) this.sortedIds = null;
    this.byId.set(contact.id, contact);
    this.idByPhone.set(contact.phone, contact.id);
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
