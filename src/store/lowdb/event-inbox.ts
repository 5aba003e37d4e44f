import { mkdir, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { systemClock } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';
import { AppError } from '../../common/errors.js';
import { Checkpoints, corrupt, parseEntry, readCursor, replaceFile, scanLines, syncDir, tempOf, writeAll } from './inbox-file.js';

export interface InboxEntry<T> {
  seq: number;
  /** When the entry was appended (ISO). */
  at: string;
  event: T;
}

export interface EventInboxOptions {
  clock?: Clock;
  /** Called after each fdatasync of an append batch (tests count group commits with it). */
  onSync?: (batch: { events: number; bytes: number }) => void;
  /** compact() rewrites only when the processed prefix is at least this big (and at least half the file). */
  compactMinBytes?: number;
}

/** `<dataDir>/inbox/events.jsonl`: where the service keeps its inbox. */
export function inboxPath(dataDir: string): string {
  return path.join(dataDir, 'inbox', 'events.jsonl');
}

/** Appends waiting for the next write: one promise for all of them. */
interface Batch {
  parts: { firstSeq: number; text: string }[];
  events: number;
  lastSeq: number;
  done: Promise<void>;
  settle(error?: unknown): void;
}

function newBatch(): Batch {
  let settle!: Batch['settle'];
  const done = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  done.catch(() => undefined); // each caller awaits its own `then`; nobody waiting is not a crash
  return { parts: [], events: 0, lastSeq: 0, done, settle };
}

/**
 * A durable, append-only JSON-lines inbox for receipts and replies (CONTRACTS.md Part C: acknowledge a
 * webhook only after the batch holding its event is fdatasynced). One line per event:
 * `{"seq":N,"at":"…","event":{…}}`. One process owns the file (the data dir's pid lock).
 *
 * - Group commit: appends made while a write is running share the next write and its one fdatasync.
 * - Seqs are increasing across restarts (max of the last seq in the file and the cursor, plus one);
 *   they may have gaps (a failed write's seqs are never reused once handed out).
 * - A crash mid-append leaves a torn last line (or a few unparsable ones): open ignores and truncates
 *   that tail. Those events were never acknowledged; the gateway retries them, and receipts are
 *   deduplicated by key downstream. Garbage followed by good lines is corruption and fails loudly.
 * - Memory: the file is never held in memory. Open scans it once in 64 KiB chunks; the inbox keeps only
 *   sparse (seq → byte offset) checkpoints, one per ~64 KiB, and readAfter starts at the nearest
 *   one (so it reads at most ~64 KiB it does not return). Readers only ever see durable (synced) entries.
 * - After a failed write or fdatasync the inbox refuses further appends (Linux may drop the dirty pages
 *   and report the next fsync as fine); reopening rescans the file and recovers.
 * - Reads, appends' writes and compaction run one at a time on one queue; cursor writes on another.
 */
export class EventInbox<T> {
  private pending: Batch | null = null;
  private flushQueued = false;
  private queue: Promise<unknown> = Promise.resolve();
  private cursorQueue: Promise<unknown> = Promise.resolve();
  private failure: unknown = undefined;
  private closed = false;

  private constructor(
    private readonly file: string,
    private handle: FileHandle,
    /** Bytes of the file that are written and synced. */
    private size: number,
    /** The last durable seq in the file (0 when none). */
    private lastSeq: number,
    private nextSeq: number,
    private committed: number,
    private readonly checkpoints: Checkpoints,
    private readonly options: EventInboxOptions,
  ) {}

  static async open<T>(file: string, options: EventInboxOptions = {}): Promise<EventInbox<T>> {
    await mkdir(path.dirname(file), { recursive: true });
    await rm(tempOf(file), { force: true });
    const committed = await readCursor(`${file}.cursor`);
    const handle = await open(file, 'a+');
    try {
      const { size } = await handle.stat();
      const checkpoints = new Checkpoints();
      let lastSeq = 0;
      let validEnd = 0;
      let torn = false;
      for await (const line of scanLines(handle, 0, size)) {
        const entry = parseEntry(line.text);
        torn ||= !entry;
        if (!entry) continue;
        if (torn || entry.seq <= lastSeq) throw corrupt(file, line.start);
        checkpoints.add(entry.seq, line.start);
        lastSeq = entry.seq;
        validEnd = line.end;
      }
      if (validEnd < size) {
        await handle.truncate(validEnd);
        await handle.datasync();
      }
      await syncDir(path.dirname(file));
      const nextSeq = Math.max(lastSeq, committed) + 1;
      return new EventInbox<T>(file, handle, validEnd, lastSeq, nextSeq, committed, checkpoints, options);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Appends events; resolves with their seqs once the write holding them is fdatasynced. */
  append(events: readonly T[]): Promise<number[]> {
    if (this.closed) return Promise.reject(new AppError('INTERNAL', 'The event inbox is closed.'));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (events.length === 0) return Promise.resolve([]);
    const at = (this.options.clock ?? systemClock).now().toISOString();
    const firstSeq = this.nextSeq;
    let text = '';
    for (let i = 0; i < events.length; i += 1) {
      const event = JSON.stringify(events[i]);
      if (event === undefined) return Promise.reject(new TypeError('An inbox event must be JSON-serialisable.'));
      text += `{"seq":${firstSeq + i},"at":${JSON.stringify(at)},"event":${event}}\n`;
    }
    this.nextSeq += events.length;
    const seqs = Array.from({ length: events.length }, (_, i) => firstSeq + i);
    const batch = (this.pending ??= newBatch());
    batch.parts.push({ firstSeq, text });
    batch.events += events.length;
    batch.lastSeq = firstSeq + events.length - 1;
    if (!this.flushQueued) {
      this.flushQueued = true;
      void this.enqueue(() => this.flush());
    }
    return batch.done.then(() => seqs);
  }

  /** Up to `limit` durable entries with seq > `seq`, oldest first. */
  readAfter(seq: number, limit: number): Promise<InboxEntry<T>[]> {
    return this.enqueue(async () => {
      const entries: InboxEntry<T>[] = [];
      if (limit <= 0) return entries;
      for await (const line of scanLines(this.handle, this.checkpoints.startFor(seq), this.size)) {
        const entry = parseEntry(line.text) as InboxEntry<T> | undefined;
        if (!entry) throw corrupt(this.file, line.start);
        if (entry.seq > seq && entries.push(entry) >= limit) break;
      }
      return entries;
    });
  }

  /** The last processed seq, as persisted. */
  cursor(): number {
    return this.committed;
  }

  /** Marks everything ≤ seq processed: writes `<file>.cursor` atomically (temp, fsync, rename). */
  commit(seq: number): Promise<void> {
    if (!Number.isInteger(seq) || seq < 0 || seq > Math.max(this.lastSeq, this.committed)) {
      return Promise.reject(new AppError('VALIDATION_FAILED', `Cannot commit inbox seq ${seq}: the last durable seq is ${this.lastSeq}.`));
    }
    const run = this.cursorQueue.then(async () => {
      if (seq <= this.committed) return;
      await replaceFile(`${this.file}.cursor`, (out) => writeAll(out, Buffer.from(`{"cursor":${seq}}\n`)));
      await syncDir(path.dirname(this.file));
      this.committed = seq;
    });
    this.cursorQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * Drops the processed prefix by rewriting the file (temp, fsync, rename) when worth it: the prefix is
   * at least `compactMinBytes` (default 1 MiB) and at least as big as what remains. True if rewritten.
   */
  compact(): Promise<boolean> {
    return this.enqueue(async () => {
      if (this.failure !== undefined) throw this.failure;
      const start = await this.offsetAfter(this.committed);
      const remaining = this.size - start;
      if (start === 0 || start < (this.options.compactMinBytes ?? 1 << 20) || start < remaining) return false;
      const source = this.handle;
      await replaceFile(this.file, async (out) => {
        const buffer = Buffer.allocUnsafe(1 << 20);
        for (let position = start; position < this.size; ) {
          const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, this.size - position), position);
          if (bytesRead === 0) throw new AppError('STORE_CORRUPT', `The event inbox ${this.file} shrank during compaction.`);
          await writeAll(out, buffer.subarray(0, bytesRead));
          position += bytesRead;
        }
      });
      // The old handle still points at the replaced file; nothing else runs until the new one is open.
      this.size = remaining;
      this.checkpoints.dropBefore(start);
      try {
        this.handle = await open(this.file, 'a+');
      } catch (error) {
        // Appending to the old handle would write into the replaced file: refuse until reopened.
        this.failure = new AppError('INTERNAL', `Reopening the event inbox ${this.file} failed; reopen it to recover.`, { cause: error });
        throw this.failure;
      }
      await source.close();
      await syncDir(path.dirname(this.file));
      return true;
    });
  }

  /** Waits for pending appends and cursor writes, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.cursorQueue;
    await this.handle.close();
  }

  private enqueue<R>(task: () => Promise<R>): Promise<R> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    const batch = this.pending;
    this.pending = null;
    if (!batch) return;
    if (this.failure !== undefined) return batch.settle(this.failure);
    const buffers = batch.parts.map((part) => Buffer.from(part.text, 'utf8'));
    const data = buffers.length === 1 ? (buffers[0] as Buffer) : Buffer.concat(buffers);
    try {
      await writeAll(this.handle, data);
      await this.handle.datasync();
    } catch (error) {
      this.failure = new AppError('INTERNAL', `Writing the event inbox ${this.file} failed; reopen it to recover.`, { cause: error, retryable: true });
      await this.handle.truncate(this.size).catch(() => undefined);
      return batch.settle(this.failure);
    }
    let offset = this.size;
    batch.parts.forEach((part, i) => {
      this.checkpoints.add(part.firstSeq, offset);
      offset += buffers[i]?.length ?? 0;
    });
    this.size = offset;
    this.lastSeq = batch.lastSeq;
    this.options.onSync?.({ events: batch.events, bytes: data.length });
    batch.settle();
  }

  /** The byte offset of the first line with seq > `seq` (the file size when there is none). */
  private async offsetAfter(seq: number): Promise<number> {
    for await (const line of scanLines(this.handle, this.checkpoints.startFor(seq), this.size)) {
      const entry = parseEntry(line.text);
      if (!entry) throw corrupt(this.file, line.start);
      if (entry.seq > seq) return line.start;
    }
    return this.size;
  }
}
