import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { OutboxMessage } from '../../delivery/outbox.js';
import { AppError } from '../../common/errors.js';
import { ChunkedJsonFile } from './chunked-json-file.js';
import { Journal } from './journal.js';
import { readSnapshot, snapshotPath, writeSnapshot } from './outbox-snapshot.js';

/** The snapshot before `<campaign>.snap.gz` (outbox-snapshot.ts): read, and replaced at the next compaction. */
interface LegacySnapshot {
  version: 1;
  /** Journals older than this generation are already folded into the snapshot. */
  journalGen: number;
  items: OutboxMessage[];
}

interface Partition {
  gen: number;
  journal: Journal<OutboxMessage>;
  appended: number;
  compacting: Promise<void> | undefined;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,80}$/;
/**
 * A batch this large (a campaign's plan) is folded straight into the snapshot, streamed from memory,
 * instead of journaled: its journal lines would be held as strings all at once (80 MB for 100,000
 * Cyrillic messages), and compaction would rewrite them shortly after anyway.
 */
const SNAPSHOT_BATCH = 5000;
export const PARTITION_FILE = /^([A-Za-z0-9_-]+)\.(?:json|snap\.gz|\d+\.jsonl)$/;

export interface OutboxFilesHooks {
  /** The campaign's rows, each made when reached, to write a snapshot (iterated twice: see writeSnapshot). */
  rowsOf(campaignId: string): Iterable<OutboxMessage>;
  /** How many rows the campaign has. */
  countOf(campaignId: string): number;
  /** Nothing left to send or to hear back about (queued, sending, submitted): its journal is folded early. */
  settled(campaignId: string): boolean;
}

/**
 * The outbox on disk, one partition per campaign (a receipt never rewrites contacts or another
 * campaign): a compact snapshot `<campaign>.snap.gz` (outbox-snapshot.ts) plus an append-only journal
 * `<campaign>.<gen>.jsonl` of row images, fsynced by group commit. When a journal outgrows its
 * campaign, or once the campaign is settled (nothing queued, sending or awaiting a receipt), the
 * partition is compacted: a new journal generation starts, the snapshot is rewritten, old journals are
 * deleted; a finished campaign then takes one compact record per message on disk. Loading replays only
 * journals at or after the snapshot's generation, so a crash at any step never moves a row back.
 */
export class OutboxFiles {
  private readonly partitions = new Map<string, Partition>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  private constructor(
    private readonly dir: string,
    private readonly hooks: OutboxFilesHooks,
  ) {}

  /** `readOnly`: reads only (no torn tail cut, no old journal removed), for commands beside a running service. */
  static async open(dir: string, hooks: OutboxFilesHooks, options: { readOnly?: boolean } = {}): Promise<{ files: OutboxFiles; rows: OutboxMessage[] }> {
    const readOnly = Boolean(options.readOnly);
    if (!readOnly) await mkdir(dir, { recursive: true });
    const files = new OutboxFiles(dir, hooks);
    const names = await readdir(dir);
    const campaigns = new Set(names.map((name) => PARTITION_FILE.exec(name)?.[1]).filter((id): id is string => Boolean(id)));
    const rows: OutboxMessage[] = [];
    for (const campaignId of campaigns) {
      const byId = new Map<string, OutboxMessage>();
      const compact = await readSnapshot(snapshotPath(dir, campaignId));
      const snapshot = compact
        ? { journalGen: compact.journalGen, items: compact.rows }
        : ((await new ChunkedJsonFile<OutboxMessage>(path.join(dir, `${campaignId}.json`)).read()) as LegacySnapshot | null);
      for (const row of snapshot?.items ?? []) byId.set(row.id, row);
      const gens = names
        .map((name) => new RegExp(`^${campaignId}\\.(\\d+)\\.jsonl$`).exec(name)?.[1])
        .filter((gen): gen is string => gen !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      const from = snapshot?.journalGen ?? 0;
      let journal: Journal<OutboxMessage> | undefined;
      let gen = from;
      for (const g of gens) {
        if (g < from) {
          if (readOnly) continue;
          await rm(path.join(dir, `${campaignId}.${g}.jsonl`), { force: true });
          continue;
        }
        const opened = await Journal.open<OutboxMessage>(path.join(dir, `${campaignId}.${g}.jsonl`), { readOnly });
        for (const row of opened.records) byId.set(row.id, row);
        await journal?.close();
        journal = opened.journal;
        gen = g;
      }
      journal ??= readOnly ? Journal.fresh<OutboxMessage>(path.join(dir, `${campaignId}.${gen}.jsonl`)) : (await Journal.open<OutboxMessage>(path.join(dir, `${campaignId}.${gen}.jsonl`))).journal;
      files.partitions.set(campaignId, { gen, journal, appended: journal.size(), compacting: undefined });
      rows.push(...byId.values());
    }
    return { files, rows };
  }

  /** Journals changed rows, per campaign; flush() waits for them. */
  record(rows: readonly OutboxMessage[]): void {
    const byCampaign = new Map<string, OutboxMessage[]>();
    for (const row of rows) {
      const list = byCampaign.get(row.campaignId);
      if (list) list.push(row);
      else byCampaign.set(row.campaignId, [row]);
    }
    for (const [campaignId, list] of byCampaign) this.track(this.appendTo(campaignId, list));
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.failure !== undefined) {
      const cause = this.failure;
      this.failure = undefined;
      throw new AppError('INTERNAL', `Could not write the outbox in ${this.dir}.`, {
        hint: 'Check free disk space and the directory permissions.',
        retryable: true,
        cause,
      });
    }
  }

  async close(): Promise<void> {
    await this.flush();
    for (const partition of this.partitions.values()) await partition.journal.close();
  }

  /** Compacts every partition now: no earlier image of a row stays in a journal (personal data erasure). */
  async compactAll(): Promise<void> {
    for (const campaignId of this.partitions.keys()) await this.compactNow(campaignId);
  }

  /** Compacts one campaign's partition now (archiving); nothing when it has none. */
  async compactNow(campaignId: string): Promise<void> {
    const partition = this.partitions.get(campaignId);
    if (!partition) return;
    await partition.compacting;
    await partition.journal.idle();
    partition.compacting = this.compact(campaignId, partition).finally(() => {
      partition.compacting = undefined;
    });
    await partition.compacting;
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.failure = error;
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private appendTo(campaignId: string, rows: OutboxMessage[]): Promise<void> {
    if (!SAFE_ID.test(campaignId)) return Promise.reject(new AppError('INTERNAL', `Campaign id "${campaignId}" cannot name a file.`));
    let partition = this.partitions.get(campaignId);
    if (!partition) {
      // Created synchronously, so two batches of a new campaign can never open two journals on one file.
      partition = { gen: 0, journal: Journal.fresh<OutboxMessage>(path.join(this.dir, `${campaignId}.0.jsonl`)), appended: 0, compacting: undefined };
      this.partitions.set(campaignId, partition);
    }
    if (rows.length >= SNAPSHOT_BATCH && !partition.compacting) {
      const compacting = this.compact(campaignId, partition).finally(() => {
        partition.compacting = undefined;
      });
      partition.compacting = compacting;
      return compacting;
    }
    partition.appended += rows.length;
    const written = partition.journal.append(rows);
    const size = this.hooks.countOf(campaignId);
    const due = partition.appended > Math.max(5000, size) || (partition.appended > Math.max(1000, size / 50) && this.hooks.settled(campaignId));
    if (!partition.compacting && due) {
      partition.compacting = this.compact(campaignId, partition).finally(() => {
        partition.compacting = undefined;
      });
      this.track(partition.compacting);
    }
    return written;
  }

  private async compact(campaignId: string, partition: Partition): Promise<void> {
    const old = { gen: partition.gen, journal: partition.journal };
    // Switch to a new journal generation first: whatever changes from here on lands in it.
    partition.gen += 1;
    partition.journal = Journal.fresh<OutboxMessage>(path.join(this.dir, `${campaignId}.${partition.gen}.jsonl`));
    partition.appended = 0;
    const rows = this.hooks.rowsOf(campaignId);
    await writeSnapshot(snapshotPath(this.dir, campaignId), partition.gen, rows);
    await rm(path.join(this.dir, `${campaignId}.json`), { force: true });
    await old.journal.close();
    await rm(path.join(this.dir, `${campaignId}.${old.gen}.jsonl`), { force: true });
  }
}
