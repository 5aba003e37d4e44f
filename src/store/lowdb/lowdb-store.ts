import fs from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import type { Contact } from '../../contacts/contact.js';
import type { ConsentEntry } from '../../consent/consent.js';
import type { ContactRecord } from '../memory/memory-contacts.js';
import type { ConsentRecord } from '../memory/memory-consent.js';
import type { Template } from '../../messages/template-record.js';
import type { Campaign } from '../../campaigns/campaign.js';
import type { BirthdayAutomation } from '../../campaigns/birthday.js';
import type { InboundRecord } from '../../campaigns/report.js';
import type { Segment } from '../../segments/filter.js';
import { AppError } from '../../common/errors.js';
import type { ClickRecord, GreetingRecord, HoldoutRecord, IdempotencyRecord, IntegrationRecord, ShortLink, Store, StoreDescription, StoreUsage } from '../port.js';
import type { CollectionName } from '../memory/memory-store.js';
import { MemoryStore } from '../memory/memory-store.js';
import type { Envelope } from './chunked-json-file.js';
import { ChunkedJsonFile } from './chunked-json-file.js';
import { GroupCommit } from './group-commit.js';
import { JournaledCollection } from './journaled-collection.js';
import { OutboxFiles } from './outbox-files.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { dataDirBytes, orphanClaims } from './open-checks.js';
import { scrubFiles } from './scrub-files.js';
import { ClickJournal } from './click-journal.js';
import type { SuppressionRecord } from '../../consent/suppression.js';
import type { OutboxMessage } from '../../delivery/outbox.js';
import type { ConversionRecord } from '../../outcomes/conversion.js';

export interface LowdbStoreOptions {
  dataDir: string;
  /** The size budget: past this many bytes of data files, sending and planning refuse (reading never does). */
  maxBytes: number;
  /** Read-only stores take no lock and refuse changes; for CLI reads while the service runs. */
  readOnly?: boolean;
}

/** The whole content of a store, collection by collection. */
export interface StoreExport {
  contacts: Contact[];
  consent: ConsentEntry[];
  segments: Segment[];
  templates: Template[];
  campaigns: Campaign[];
  inbound: InboundRecord[];
  automations: BirthdayAutomation[];
  greetings: GreetingRecord[];
  idempotency: IdempotencyRecord[];
  integrationState: IntegrationRecord[];
  suppressions: SuppressionRecord[];
  outbox: OutboxMessage[];
  links: ShortLink[];
  clicks: ClickRecord[];
  holdouts: HoldoutRecord[];
  conversions: ConversionRecord[];
}

export const COLLECTION_FILES: Record<CollectionName, string> = {
  contacts: 'contacts.json',
  consent: 'consent.json',
  segments: 'segments.json',
  templates: 'templates.json',
  campaigns: 'campaigns.json',
  inbound: 'inbound.json',
  automations: 'automations.json',
  greetings: 'greetings.json',
  idempotency: 'idempotency.json',
  integrationState: 'integration-state.json',
  suppressions: 'suppressions.json',
  links: 'links.json',
  clicks: 'clicks.json',
  holdouts: 'holdouts.json',
  conversions: 'conversions.json',
};

/** Collections kept as a snapshot plus an append-only journal (JournaledCollection), not rewritten whole. */
const JOURNALED_NAMES = ['contacts', 'consent'] as const;
const JOURNALED: ReadonlySet<string> = new Set(JOURNALED_NAMES);

/**
 * The embedded default store: the working set lives in memory (MemoryStore); each collection is one
 * lowdb file under the data dir, written compactly and atomically (ChunkedJsonFile) in the
 * background by group commit, so a burst of changes costs one write, not one per item.
 */
export class LowdbStore implements Store {
  private readonly memory: MemoryStore;
  private readonly files = new Map<CollectionName, { db: Low<Envelope<unknown>>; adapter: ChunkedJsonFile<unknown> }>();
  private readonly commits = new Map<CollectionName, GroupCommit>();
  private readonly writeCounts: Record<CollectionName, number> = { contacts: 0, consent: 0, segments: 0, templates: 0, campaigns: 0, inbound: 0, automations: 0, greetings: 0, idempotency: 0, integrationState: 0, suppressions: 0, links: 0, clicks: 0, holdouts: 0, conversions: 0 };
  private outboxFiles: OutboxFiles | undefined;
  private clickJournal: ClickJournal | undefined;
  private readonly journals: { contacts?: JournaledCollection<ContactRecord>; consent?: JournaledCollection<ConsentRecord> } = {};
  private releaseLock: (() => void) | undefined;
  private closed = false;
  private readonly writeErrors = new Map<CollectionName, unknown>();

  private constructor(private readonly options: LowdbStoreOptions) {
    this.memory = new MemoryStore({
      before: () => this.checkWritable(),
      // Contacts and consent are journaled (below), not rewritten whole.
      after: (collection) => (JOURNALED.has(collection) ? undefined : this.schedule(collection)),
      outbox: (_campaigns, rows) => this.outboxFiles?.record(rows),
      // Clicks can run to hundreds of thousands: appended to a journal, not rewritten per batch.
      clicks: {
        appended: (records) => this.clickJournal?.append(records),
        rewritten: () => this.clickJournal?.rewrite(() => this.memory.clicks.all()),
      },
      contacts: (records) => this.journals.contacts?.record(records),
      consent: (records) => this.journals.consent?.record(records),
    });
  }

  get contacts(): Store['contacts'] {
    return this.memory.contacts;
  }

  get consent(): Store['consent'] {
    return this.memory.consent;
  }

  get segments(): Store['segments'] {
    return this.memory.segments;
  }

  get templates(): Store['templates'] {
    return this.memory.templates;
  }

  get outbox(): Store['outbox'] {
    return this.memory.outbox;
  }

  get campaigns(): Store['campaigns'] {
    return this.memory.campaigns;
  }

  get inbound(): Store['inbound'] {
    return this.memory.inbound;
  }

  get automations(): Store['automations'] {
    return this.memory.automations;
  }

  get greetings(): Store['greetings'] {
    return this.memory.greetings;
  }

  get idempotency(): Store['idempotency'] {
    return this.memory.idempotency;
  }

  get integrationState(): Store['integrationState'] {
    return this.memory.integrationState;
  }

  get suppressions(): Store['suppressions'] {
    return this.memory.suppressions;
  }

  get links(): Store['links'] {
    return this.memory.links;
  }

  get clicks(): Store['clicks'] {
    return this.memory.clicks;
  }

  get holdouts(): Store['holdouts'] {
    return this.memory.holdouts;
  }

  get conversions(): Store['conversions'] {
    return this.memory.conversions;
  }

  /** Same-length overwrites, so the inbox's byte offsets and checkpoints stay valid (see scrub-files.ts). */
  async scrub(phones: readonly string[], rawTexts: readonly string[] = []): Promise<void> {
    this.checkWritable();
    await this.flush();
    await this.outboxFiles?.compactAll();
    // An erased contact's earlier images (names, properties) must not stay in a journal.
    for (const name of JOURNALED_NAMES) await this.journals[name]?.compactNow();
    await scrubFiles(this.options.dataDir, phones, 'digits');
    // Raw gateway events (the engine's inbox, integrations' sink inboxes) keep reply texts as received.
    await scrubFiles(this.options.dataDir, rawTexts, 'all', (file) => path.basename(file) === 'events.jsonl');
  }

  async compactCampaign(campaignId: string): Promise<void> {
    this.checkWritable();
    await this.outboxFiles?.flush();
    await this.outboxFiles?.compactNow(campaignId);
  }

  static async open(options: LowdbStoreOptions): Promise<LowdbStore> {
    const store = new LowdbStore(options);
    await store.init();
    return store;
  }

  describe(): StoreDescription {
    return { kind: 'lowdb', location: this.options.dataDir, readOnly: Boolean(this.options.readOnly) };
  }

  /** Every item of every collection, as loaded (the outbox: every row of every campaign), for `store copy`. */
  exportAll(): StoreExport {
    const m = this.memory;
    return {
      contacts: [...m.contacts.all()], consent: m.consent.all(), segments: m.segments.all(), templates: m.templates.all(), campaigns: m.campaigns.all(),
      inbound: m.inbound.all(), automations: m.automations.all(), greetings: m.greetings.all(), idempotency: m.idempotency.all(),
      integrationState: m.integrationState.all(), suppressions: m.suppressions.all(), outbox: m.outbox.campaigns().flatMap((id) => m.outbox.rowsOf(id)),
      links: m.links.all(), clicks: m.clicks.all(), holdouts: m.holdouts.all(), conversions: m.conversions.all(),
    };
  }

  usage(): StoreUsage {
    return { bytes: dataDirBytes(this.options.dataDir), maxBytes: this.options.maxBytes };
  }

  /** How many times each collection file was written since the store opened (for tests and metrics). */
  writes(): Record<CollectionName, number> {
    return { ...this.writeCounts, contacts: this.journals.contacts?.writes ?? 0, consent: this.journals.consent?.writes ?? 0 };
  }

  async flush(): Promise<void> {
    await Promise.all([...this.commits.values()].map((commit) => commit.idle().catch(() => undefined)));
    await this.outboxFiles?.flush();
    await this.clickJournal?.flush().then(
      () => this.writeErrors.delete('clicks'),
      (error: unknown) => this.writeErrors.set('clicks', error),
    );
    for (const name of JOURNALED_NAMES) {
      await this.journals[name]?.flush().then(
        () => this.writeErrors.delete(name),
        (error: unknown) => this.writeErrors.set(name, error),
      );
    }
    const [failure] = this.writeErrors.values();
    if (this.writeErrors.size > 0) {
      throw new AppError('INTERNAL', `Could not write ${[...this.writeErrors.keys()].join(', ')} in ${this.options.dataDir}.`, {
        hint: 'Check free disk space and the directory permissions; changes since the last good write are only in memory.',
        retryable: true,
        cause: failure,
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    await this.outboxFiles?.close();
    await this.clickJournal?.close();
    for (const name of JOURNALED_NAMES) await this.journals[name]?.close();
    this.closed = true;
    this.releaseLock?.();
  }

  private async init(): Promise<void> {
    const { dataDir, readOnly } = this.options;
    if (!readOnly) fs.mkdirSync(dataDir, { recursive: true });
    if (!readOnly) this.releaseLock = await acquireDataDirLock(dataDir);
    try {
      {
        const contacts = await JournaledCollection.open<ContactRecord>(dataDir, 'contacts', () => ({ count: this.memory.contacts.size(), items: this.memory.contacts.records() }), (record) => this.memory.contacts.apply(record), { readOnly: Boolean(readOnly) });
        const consent = await JournaledCollection.open<ConsentRecord>(dataDir, 'consent', () => ({ count: this.memory.consent.size(), items: this.memory.consent.entries() }), (record) => this.memory.consent.apply(record), { readOnly: Boolean(readOnly) });
        this.memory.consent.settle();
        if (!readOnly) {
          this.journals.contacts = contacts;
          this.journals.consent = consent;
        }
      }
      for (const name of Object.keys(COLLECTION_FILES) as CollectionName[]) {
        if (JOURNALED.has(name)) continue;
        const file = path.join(dataDir, COLLECTION_FILES[name]);
        const adapter = new ChunkedJsonFile<unknown>(file);
        const db = new Low<Envelope<unknown>>(adapter, { version: 1, items: [] });
        await db.read();
        this.files.set(name, { db, adapter });
        this.commits.set(name, new GroupCommit(() => this.write(name)));
      }
      if (!readOnly || fs.existsSync(path.join(dataDir, 'outbox'))) {
        const outbox = this.memory.outbox;
        const hooks = { rowsOf: (id: string) => ({ [Symbol.iterator]: () => outbox.eachRow(id) }), countOf: (id: string) => outbox.countOf(id), settled: (id: string) => outbox.settled(id) };
        const opened = await OutboxFiles.open(path.join(dataDir, 'outbox'), hooks, { readOnly: Boolean(readOnly) });
        this.outboxFiles = readOnly ? undefined : opened.files;
        this.memory.outbox.load(readOnly ? opened.rows : orphanClaims(opened.rows));
      }
    } catch (error) {
      this.releaseLock?.();
      throw error;
    }
    this.memory.segments.load(this.items<Segment>('segments'));
    this.memory.templates.load(this.items<Template>('templates'));
    this.memory.campaigns.load(this.items<Campaign>('campaigns'));
    this.memory.inbound.load(this.items<InboundRecord>('inbound'));
    this.memory.automations.load(this.items<BirthdayAutomation>('automations'));
    this.memory.greetings.load(this.items<GreetingRecord>('greetings'));
    this.memory.idempotency.load(this.items<IdempotencyRecord>('idempotency'));
    this.memory.integrationState.load(this.items<IntegrationRecord>('integrationState'));
    this.memory.suppressions.load(this.items<SuppressionRecord>('suppressions'));
    this.memory.links.load(this.items<ShortLink>('links'));
    let journaled: Awaited<ReturnType<typeof ClickJournal.open>>;
    try {
      journaled = await ClickJournal.open(path.join(dataDir, 'clicks.jsonl'), { readOnly: Boolean(readOnly) });
    } catch (error) {
      this.releaseLock?.();
      throw error;
    }
    this.clickJournal = readOnly ? undefined : journaled.journal;
    // Earlier snapshots (clicks.json) and the journal: one record per id, the journal's line last written winning.
    const clicks = new Map<string, ClickRecord>();
    for (const record of [...this.items<ClickRecord>('clicks'), ...journaled.records]) clicks.set(record.id, record);
    this.memory.clicks.load(clicks.values());
    this.memory.holdouts.load(this.items<HoldoutRecord>('holdouts'));
    this.memory.conversions.load(this.items<ConversionRecord>('conversions'));
    // The loaded arrays now live in the maps; keep one copy in memory, not two.
    for (const { db } of this.files.values()) db.data = { version: 1, items: [] };
  }

  private items<T>(name: CollectionName): T[] {
    return (this.files.get(name)?.db.data.items ?? []) as T[];
  }

  private checkWritable(): void {
    if (this.closed) throw new AppError('INTERNAL', 'The store is closed.');
    if (this.options.readOnly) {
      throw new AppError('STORE_LOCKED', `The data directory ${this.options.dataDir} is open read-only.`, {
        hint: 'Another sms-bridge process holds it. Use the running service (its REST API) or stop it, then try again.',
      });
    }
  }

  /** Writes the collection in the background, group-committed; flush() waits for it. */
  private schedule(collection: CollectionName): void {
    this.commits
      .get(collection)
      ?.request()
      // Each write holds the whole collection, so a later good write heals an earlier failure.
      .then(() => this.writeErrors.delete(collection))
      .catch((error: unknown) => this.writeErrors.set(collection, error));
  }

  private snapshot(name: CollectionName): unknown[] {
    switch (name) {
      case 'contacts':
      case 'consent':
        return [];
      case 'segments':
        return this.memory.segments.all();
      case 'templates':
        return this.memory.templates.all();
      case 'campaigns':
        return this.memory.campaigns.all();
      case 'inbound':
        return this.memory.inbound.all();
      case 'automations':
        return this.memory.automations.all();
      case 'greetings':
        return this.memory.greetings.all();
      case 'idempotency':
        return this.memory.idempotency.all();
      case 'integrationState':
        return this.memory.integrationState.all();
      case 'suppressions':
        return this.memory.suppressions.all();
      case 'links':
        return this.memory.links.all();
      case 'clicks':
        return this.memory.clicks.all();
      case 'holdouts':
        return this.memory.holdouts.all();
      case 'conversions':
        return this.memory.conversions.all();
    }
  }

  private async write(name: CollectionName): Promise<number> {
    const file = JOURNALED.has(name) ? undefined : this.files.get(name);
    if (!file) return 0;
    const items: unknown[] = this.snapshot(name);
    file.db.data = { version: 1, items };
    try {
      await file.db.write();
      this.writeCounts[name] += 1;
    } finally {
      file.db.data = { version: 1, items: [] };
    }
    return file.adapter.lastBusyMs;
  }
}
