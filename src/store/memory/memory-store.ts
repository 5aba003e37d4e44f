import type { Template } from '../../messages/template-record.js';
import type { Segment } from '../../segments/filter.js';
import type { GreetingRecord, HoldoutRecord, IntegrationRecord, Store, StoreDescription } from '../port.js';
import { MemoryClicks, MemoryLinks } from './memory-clicks.js';
import type { ClickJournalHooks } from './memory-clicks.js';
import { MemoryConsent } from './memory-consent.js';
import { MemoryConversions } from './memory-conversions.js';
import { MemoryContacts } from './memory-contacts.js';
import { MemoryIdempotency, MemoryNamed, MemoryRecords } from './memory-keyed.js';
import { MemoryOutbox } from './memory-outbox.js';
import { MemoryInbound } from './memory-inbound.js';
import type { Campaign } from '../../campaigns/campaign.js';
import type { BirthdayAutomation } from '../../campaigns/birthday.js';
import type { OutboxMessage } from '../../delivery/outbox.js';
import type { SuppressionRecord } from '../../consent/suppression.js';

export type CollectionName = 'contacts' | 'consent' | 'segments' | 'templates' | 'campaigns' | 'inbound' | 'automations' | 'greetings' | 'idempotency' | 'integrationState' | 'suppressions' | 'links' | 'clicks' | 'holdouts' | 'conversions';

/**
 * Called around every change: `before` may refuse it (a read-only or closed store) by throwing;
 * `after` learns that a collection changed (the lowdb store schedules a write).
 */
export interface ChangeHooks {
  before(collection: CollectionName | 'outbox'): void;
  after(collection: CollectionName): void;
  /** Outbox rows changed: the lowdb store journals them per campaign. */
  outbox(campaignIds: ReadonlySet<string>, rows: readonly OutboxMessage[]): void;
  /** Clicks appended or rewritten: a store that journals them (lowdb) is told instead of `after('clicks')`. */
  clicks?: ClickJournalHooks;
}

const NO_HOOKS: ChangeHooks = { before: () => undefined, after: () => undefined, outbox: () => undefined };

/**
 * The in-memory store: nothing to make durable. It is the reference implementation the store
 * contract suite checks, and the working set behind the lowdb store.
 */
export class MemoryStore implements Store {
  readonly contacts: MemoryContacts;
  readonly consent: MemoryConsent;
  readonly segments: MemoryNamed<Segment>;
  readonly templates: MemoryNamed<Template>;
  readonly outbox: MemoryOutbox;
  readonly campaigns: MemoryRecords<Campaign>;
  readonly inbound: MemoryInbound;
  readonly automations: MemoryRecords<BirthdayAutomation>;
  readonly greetings: MemoryRecords<GreetingRecord>;
  readonly idempotency: MemoryIdempotency;
  readonly integrationState: MemoryRecords<IntegrationRecord>;
  readonly suppressions: MemoryRecords<SuppressionRecord>;
  readonly links: MemoryLinks;
  readonly clicks: MemoryClicks;
  readonly holdouts: MemoryRecords<HoldoutRecord>;
  readonly conversions: MemoryConversions;

  constructor(hooks: ChangeHooks = NO_HOOKS) {
    this.contacts = new MemoryContacts(() => hooks.before('contacts'), () => hooks.after('contacts'));
    this.consent = new MemoryConsent(() => hooks.before('consent'), () => hooks.after('consent'));
    this.segments = new MemoryNamed<Segment>(() => hooks.before('segments'), () => hooks.after('segments'));
    this.templates = new MemoryNamed<Template>(() => hooks.before('templates'), () => hooks.after('templates'));
    this.campaigns = new MemoryRecords<Campaign>(() => hooks.before('campaigns'), () => hooks.after('campaigns'));
    this.inbound = new MemoryInbound(() => hooks.before('inbound'), () => hooks.after('inbound'));
    this.automations = new MemoryRecords<BirthdayAutomation>(() => hooks.before('automations'), () => hooks.after('automations'));
    this.greetings = new MemoryRecords<GreetingRecord>(() => hooks.before('greetings'), () => hooks.after('greetings'));
    this.idempotency = new MemoryIdempotency(() => hooks.before('idempotency'), () => hooks.after('idempotency'));
    this.integrationState = new MemoryRecords<IntegrationRecord>(() => hooks.before('integrationState'), () => hooks.after('integrationState'));
    this.suppressions = new MemoryRecords<SuppressionRecord>(() => hooks.before('suppressions'), () => hooks.after('suppressions'));
    this.links = new MemoryLinks(() => hooks.before('links'), () => hooks.after('links'));
    this.clicks = new MemoryClicks(() => hooks.before('clicks'), () => hooks.after('clicks'), hooks.clicks);
    this.holdouts = new MemoryRecords<HoldoutRecord>(() => hooks.before('holdouts'), () => hooks.after('holdouts'));
    this.conversions = new MemoryConversions(() => hooks.before('conversions'), () => hooks.after('conversions'));
    this.outbox = new MemoryOutbox(() => hooks.before('outbox'), (ids, rows) => hooks.outbox(ids, rows));
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
