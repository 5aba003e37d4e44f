import type { Template } from '../../messages/template-record.js';
import type { Segment } from '../../segments/filter.js';
import type { Store, StoreDescription } from '../port.js';
import { MemoryConsent } from './memory-consent.js';
import { MemoryContacts } from './memory-contacts.js';
import { MemoryMessages } from './memory-messages.js';
import { MemoryNamed } from './memory-named.js';

export type CollectionName = 'contacts' | 'consent' | 'segments' | 'templates';

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
  readonly segments: MemoryNamed<Segment>;
  readonly templates: MemoryNamed<Template>;
  readonly messages = new MemoryMessages();

  constructor(hooks: ChangeHooks = NO_HOOKS) {
    this.contacts = new MemoryContacts(() => hooks.before('contacts'), () => hooks.after('contacts'));
    this.consent = new MemoryConsent(() => hooks.before('consent'), () => hooks.after('consent'));
    this.segments = new MemoryNamed<Segment>(() => hooks.before('segments'), () => hooks.after('segments'));
    this.templates = new MemoryNamed<Template>(() => hooks.before('templates'), () => hooks.after('templates'));
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
