import type { Store, StoreDescription } from '../port.js';
import { MemoryConsent } from './memory-consent.js';
import { MemoryContacts } from './memory-contacts.js';

export type CollectionName = 'contacts' | 'consent';

/**
 * The in-memory store: every change is "durable" at once. It is the reference implementation the
 * store contract suite checks, and the working set behind the lowdb store (which passes a
 * persist hook that writes the changed collection).
 */
export class MemoryStore implements Store {
  readonly contacts: MemoryContacts;
  readonly consent: MemoryConsent;

  constructor(persist: (collection: CollectionName) => Promise<void> = () => Promise.resolve()) {
    this.contacts = new MemoryContacts(() => persist('contacts'));
    this.consent = new MemoryConsent(() => persist('consent'));
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  describe(): StoreDescription {
    return { kind: 'memory', location: 'memory', readOnly: false };
  }
}

export function createMemoryStore(): Store {
  return new MemoryStore();
}
