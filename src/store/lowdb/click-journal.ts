import fs from 'node:fs';
import { open, rename } from 'node:fs/promises';
import type { ClickRecord } from '../port.js';
import { Journal } from './journal.js';

/**
 * Clicks of the lowdb store: an append-only JSON-lines journal (clicks.jsonl), group-committed, so a
 * burst of clicks costs one small append, not a rewrite of every click kept. Erasure rewrites the
 * file from memory (atomically: temp file, fsync, rename). Every operation runs in order on one
 * chain, so a rewrite replaces exactly what was appended before it; a record written twice (appended
 * after a rewrite that already held it) is read back once, by id.
 */
export class ClickJournal {
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  private constructor(
    private readonly file: string,
    private journal: Journal<ClickRecord>,
  ) {}

  static async open(file: string, options: { readOnly: boolean }): Promise<{ journal: ClickJournal; records: ClickRecord[] }> {
    if (options.readOnly && !fs.existsSync(file)) return { journal: new ClickJournal(file, Journal.fresh<ClickRecord>(file)), records: [] };
    const opened = await Journal.open<ClickRecord>(file, options);
    return { journal: new ClickJournal(file, opened.journal), records: opened.records };
  }

  append(records: readonly ClickRecord[]): void {
    this.then(() => this.journal.append(records));
  }

  /** Replaces the file with `all()` as it is when the rewrite runs. */
  rewrite(all: () => readonly ClickRecord[]): void {
    this.then(async () => {
      await this.journal.close();
      const temp = `${this.file}.tmp`;
      const handle = await open(temp, 'w');
      try {
        const records = all();
        for (let i = 0; i < records.length; i += 5000) {
          await handle.write(records.slice(i, i + 5000).map((record) => `${JSON.stringify(record)}\n`).join(''));
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
      this.journal = Journal.fresh<ClickRecord>(this.file);
      // A good rewrite holds every click: earlier failed appends are healed.
      this.failure = undefined;
    });
  }

  /** Resolves once every operation so far is on disk; rejects with the last failure not healed since. */
  async flush(): Promise<void> {
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.journal.close();
  }

  private then(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((error: unknown) => {
      this.failure = error;
    });
  }
}
