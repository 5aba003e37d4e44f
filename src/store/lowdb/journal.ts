import { open, readFile, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { damagedJournalError, scanJournal } from './journal-scan.js';

/** Lines are encoded into buffers of this size as they are appended (a longer line gets a buffer of its own size). */
const CHUNK_BYTES = 1 << 20;

/**
 * An append-only JSON-lines file with group commit: records appended while a write is running share
 * the next write and one fdatasync, and each append resolves once its records are on disk. Used for the
 * outbox, where rewriting a whole file per batch of sends or receipts would cost O(campaign) each time
 * (CONTRACTS.md Part C: an fsynced append-only log was the fastest measured way).
 */
export class Journal<T> {
  private handle: FileHandle | undefined;
  /**
   * Appended lines not yet handed to a write, already UTF-8: `sealed` slices, then `current[start, used)`.
   * Encoding each line straight into a buffer costs about a third of joining the lines into one string
   * and encoding that (a contact import writes tens of MB of mostly two-byte text).
   */
  private sealed: Buffer[] = [];
  private current: Buffer | undefined;
  private start = 0;
  private used = 0;
  private pendingLines = 0;
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
    return this.lines + this.pendingLines;
  }

  append(records: readonly T[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    for (const record of records) this.encode(JSON.stringify(record));
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

  /** Appends one line (and its newline) to the pending buffers. */
  private encode(line: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const most = line.length * 3 + 1;
    if (this.current === undefined || this.used + most > this.current.length) {
      if (this.current !== undefined && this.used > this.start) this.sealed.push(this.current.subarray(this.start, this.used));
      this.current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, most));
      this.start = 0;
      this.used = 0;
    }
    this.used += this.current.write(line, this.used);
    this.current[this.used] = 0x0a;
    this.used += 1;
    this.pendingLines += 1;
  }

  /** Takes every pending line, as slices to write in order; later lines go on filling the same buffer. */
  private takePending(): Buffer[] {
    const chunks = this.sealed;
    if (this.current !== undefined && this.used > this.start) chunks.push(this.current.subarray(this.start, this.used));
    this.sealed = [];
    this.start = this.used;
    this.pendingLines = 0;
    return chunks;
  }

  private async drain(): Promise<void> {
    while (this.pendingLines > 0) {
      const count = this.pendingLines;
      const chunks = this.takePending();
      const waiters = this.waiters;
      this.waiters = [];
      try {
        this.handle ??= await open(this.file, 'a');
        for (const chunk of chunks) {
          let offset = 0;
          while (offset < chunk.length) offset += (await this.handle.write(chunk, offset)).bytesWritten;
        }
        await this.handle.datasync();
        this.lines += count;
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    // Idle: the buffer is not kept (a journal that is appended to now and then holds no megabyte).
    this.current = undefined;
    this.start = 0;
    this.used = 0;
    this.running = undefined;
  }
}
