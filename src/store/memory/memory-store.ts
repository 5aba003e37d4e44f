import type { Store, StoreDescription } from '../port.js';
import { MemoryConsent } from './memory-consent.js';
import { MemoryContacts } from './memory-contacts.js';

export type CollectionName = 'contacts' | 'consent';

/**
 * Called around every change: `before` may refuse it (a read-only or closed store) by throwing;
 * `after` learns that a collection changed (the lowdb store schedules a write).
 */
export interface ChangeHooks {
  before(collection: CollectionName): void;
  after(collection: CollectionName): void;
}

const NO_HOOKS: ChangeHooks = { before: () => undefined, after: () => undefined };

/**
 * The in-memory store: nothing to make durable. It is the reference implementation the store
 * contract suite checks, and the working set behind the lowdb store.
 */
export class MemoryStore implements Store {
  readonly contacts: MemoryContacts;
  readonly consent: MemoryConsent;

  constructor(hooks: ChangeHooks = NO_HOOKS) {
    this.contacts = new MemoryContacts(() => hooks.before('contacts'), () => hooks.after('contacts'));
    this.consent = new MemoryConsent(() => hooks.before('consent'), () => hooks.after('consent'));
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
