import { open, readFile, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { damagedJournalError, scanJournal } from './journal-scan.js';

/**
 * An append-only JSON-lines file with group commit: records appended while a write is running share
 * the next write and one fdatasync, and each append resolves once its records are on disk. Used for the
 * outbox, where rewriting a whole file per batch of sends or receipts would cost O(campaign) each time
 * (CONTRACTS.md Part C: an fsynced append-only log was the fastest measured way).
 */
export class Journal<T> {
  private handle: FileHandle | undefined;
  private pending: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private running: Promise<void> | undefined;
  private lines = 0;

  private constructor(private readonly file: string) {}

  /** A journal for a file that does not exist yet (a new partition or generation): nothing to read. */
  static fresh<T>(file: string): Journal<T> {
    return new Journal<T>(file);
  }

  /**
   * Opens the journal, returning what it holds. A torn tail (a crash mid-append) is dropped, and cut off
   * the file unless `readOnly`; a damaged line followed by good ones stops with an error naming the
   * file and the byte, and the file is left as it is.
   */
  static async open<T>(file: string, options: { readOnly?: boolean } = {}): Promise<{ journal: Journal<T>; records: T[] }> {
    const journal = new Journal<T>(file);
    let bytes = Buffer.alloc(0);
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const scan = scanJournal<T>(bytes);
    const [first] = scan.damaged;
    if (first) throw damagedJournalError(file, first, scan.damaged.length);
    if (scan.goodEnd < scan.totalBytes && !options.readOnly) await truncate(file, scan.goodEnd);
    journal.lines = scan.records.length;
    return { journal, records: scan.records };
  }

  /** Records written since the journal was last emptied. */
  size(): number {
    return this.lines + this.pending.length;
  }

  append(records: readonly T[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    for (const record of records) this.pending.push(`${JSON.stringify(record)}\n`);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.running ??= this.drain();
    return done;
  }

  /** Resolves once every append so far is durable. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Empties the journal, after its records were written to a snapshot. */
  async clear(): Promise<void> {
    await this.idle();
    await this.handle?.close();
    this.handle = undefined;
    await truncate(this.file, 0).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    this.lines = 0;
  }

  async close(): Promise<void> {
    await this.idle();
    await this.handle?.close();
    this.handle = undefined;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const chunk = this.pending.join('');
      const count = this.pending.length;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        this.handle ??= await open(this.file, 'a');
        await this.handle.write(chunk);
        await this.handle.datasync();
        this.lines += count;
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.running = undefined;
  }
}
