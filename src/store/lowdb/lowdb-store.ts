import fs from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import type { Contact } from '../../contacts/contact.js';
import type { ConsentEntry } from '../../consent/consent.js';
import type { Template } from '../../messages/template-record.js';
import type { Campaign } from '../../campaigns/campaign.js';
import type { BirthdayAutomation } from '../../campaigns/birthday.js';
import type { InboundRecord } from '../../campaigns/report.js';
import type { Segment } from '../../segments/filter.js';
import { AppError } from '../../common/errors.js';
import type { ClickRecord, GreetingRecord, HoldoutRecord, IdempotencyRecord, IntegrationRecord, ShortLink, Store, StoreDescription } from '../port.js';
import type { CollectionName } from '../memory/memory-store.js';
import { MemoryStore } from '../memory/memory-store.js';
import type { Envelope } from './chunked-json-file.js';
import { ChunkedJsonFile } from './chunked-json-file.js';
import { GroupCommit } from './group-commit.js';
import { OutboxFiles } from './outbox-files.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { checkBudget, orphanClaims } from './open-checks.js';
import { scrubFiles } from './scrub-files.js';
import { ClickJournal } from './click-journal.js';
import type { SuppressionRecord } from '../../consent/suppression.js';
import type { ConversionRecord } from '../../outcomes/conversion.js';

export interface LowdbStoreOptions {
  dataDir: string;
  /** Past this many bytes of data files the store refuses to open and points to PostgreSQL. */
  maxBytes: number;
  /** Read-only stores take no lock and refuse changes; for CLI reads while the service runs. */
  readOnly?: boolean;
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
  private releaseLock: (() => void) | undefined;
  private closed = false;
  private readonly writeErrors = new Map<CollectionName, unknown>();

  private constructor(private readonly options: LowdbStoreOptions) {
    this.memory = new MemoryStore({
      before: () => this.checkWritable(),
      after: (collection) => this.schedule(collection),
      outbox: (_campaigns, rows) => this.outboxFiles?.record(rows),
      // Clicks can run to hundreds of thousands: appended to a journal, not rewritten per batch.
      clicks: {
        appended: (records) => this.clickJournal?.append(records),
        rewritten: () => this.clickJournal?.rewrite(() => this.memory.clicks.all()),
      },
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
    await scrubFiles(this.options.dataDir, phones, 'digits');
    // Raw gateway events (the engine's inbox, integrations' sink inboxes) keep reply texts as received.
    await scrubFiles(this.options.dataDir, rawTexts, 'all', (file) => path.basename(file) === 'events.jsonl');
  }

  static async open(options: LowdbStoreOptions): Promise<LowdbStore> {
    const store = new LowdbStore(options);
    await store.init();
    return store;
  }

  describe(): StoreDescription {
    return { kind: 'lowdb', location: this.options.dataDir, readOnly: Boolean(this.options.readOnly) };
  }

  /** How many times each collection file was written since the store opened (for tests and metrics). */
  writes(): Record<CollectionName, number> {
    return { ...this.writeCounts };
  }

  async flush(): Promise<void> {
    await Promise.all([...this.commits.values()].map((commit) => commit.idle().catch(() => undefined)));
    await this.outboxFiles?.flush();
    await this.clickJournal?.flush().then(
      () => this.writeErrors.delete('clicks'),
      (error: unknown) => this.writeErrors.set('clicks', error),
    );
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
    this.closed = true;
    this.releaseLock?.();
  }

  private async init(): Promise<void> {
    const { dataDir, readOnly } = this.options;
    if (!readOnly) fs.mkdirSync(dataDir, { recursive: true });
    checkBudget(dataDir, this.options.maxBytes);
    if (!readOnly) this.releaseLock = await acquireDataDirLock(dataDir);
    try {
      for (const name of Object.keys(COLLECTION_FILES) as CollectionName[]) {
        const file = path.join(dataDir, COLLECTION_FILES[name]);
        const adapter = new ChunkedJsonFile<unknown>(file);
        const db = new Low<Envelope<unknown>>(adapter, { version: 1, items: [] });
        await db.read();
        this.files.set(name, { db, adapter });
        this.commits.set(name, new GroupCommit(() => this.write(name)));
      }
      if (!readOnly || fs.existsSync(path.join(dataDir, 'outbox'))) {
        const opened = await OutboxFiles.open(path.join(dataDir, 'outbox'), (id) => this.memory.outbox.rowsOf(id), { readOnly: Boolean(readOnly) });
        this.outboxFiles = readOnly ? undefined : opened.files;
        this.memory.outbox.load(readOnly ? opened.rows : orphanClaims(opened.rows));
      }
    } catch (error) {
      this.releaseLock?.();
      throw error;
    }
    this.memory.contacts.load(this.items<Contact>('contacts'));
    this.memory.consent.load(this.items<ConsentEntry>('consent'));
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
        return [...this.memory.contacts.all()];
      case 'consent':
        return this.memory.consent.all();
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
    const file = this.files.get(name);
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
