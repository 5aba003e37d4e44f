import { open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../common/errors.js';
import { ChunkedJsonFile } from './chunked-json-file.js';
import { Journal } from './journal.js';
import type { DamagedLine } from './journal-scan.js';
import { readFile, truncate } from 'node:fs/promises';

interface Snapshot<T> {
  version: 1;
  /** Journals older than this generation are already folded into the snapshot. */
  journalGen?: number;
  items: T[];
}

const CHUNK_CHARS = 1 << 20;
/** Journal lines allowed past the live count before compacting: rewriting a snapshot for a few lines costs more than it saves. */
const MIN_COMPACT_LINES = 10_000;

/**
 * One collection on disk as a snapshot `<name>.json` (the same layout as the other collection files, with
 * the journal generation it folds in) plus an append-only journal `<name>.<gen>.jsonl` of changes, fsynced
 * by group commit. A bulk import appends only what changed instead of rewriting the whole file. When the
 * journal outgrows what is live, a new generation starts, the snapshot is rewritten from memory and the
 * old journal deleted; loading replays only journals at or after the snapshot's generation, so a crash at
 * any step loses nothing acknowledged, and replaying a change twice is harmless (puts are by key).
 *
 * A torn last line (a crash mid-append) is dropped; a damaged line followed by good ones stops start-up
 * with the file and line, and `store recover` keeps every readable line.
 */
export class JournaledCollection<T> {
  private gen = 0;
  private journal: Journal<T>;
  private appended = 0;
  private compacting: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  /** Journal writes since open, for tests and metrics. */
  writes = 0;

  private constructor(
    private readonly dir: string,
    private readonly name: string,
    /** Every live record, serialised, for a snapshot. */
    private readonly live: () => { count: number; items: Iterable<T> },
  ) {
    this.journal = Journal.fresh<T>(this.journalFile(0));
  }

  /**
   * Reads the snapshot and the journals after it, applying every record in order (the snapshot's items
   * first). `readOnly`: no torn tail cut, no old journal removed.
   */
  static async open<T>(
    dir: string,
    name: string,
    live: () => { count: number; items: Iterable<T> },
    apply: (record: T) => void,
    options: { readOnly?: boolean } = {},
  ): Promise<JournaledCollection<T>> {
    const readOnly = Boolean(options.readOnly);
    const collection = new JournaledCollection<T>(dir, name, live);
    const from = await readSnapshot<T>(path.join(dir, `${name}.json`), apply);
    const pattern = new RegExp(`^${name}\\.(\\d+)\\.jsonl$`);
    const gens = (await readdir(dir).catch(() => [] as string[]))
      .map((entry) => pattern.exec(entry)?.[1])
      .filter((gen): gen is string => gen !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    let gen = from;
    for (const g of gens) {
      const file = collection.journalFile(g);
      if (g < from) {
        if (!readOnly) await rm(file, { force: true });
        continue;
      }
      const { lines, goodEnd, totalBytes } = replayJournal<T>(file, await readFile(file), apply);
      if (goodEnd < totalBytes && !readOnly) await truncate(file, goodEnd);
      collection.appended = lines;
      gen = g;
    }
    collection.gen = gen;
    collection.journal = Journal.fresh<T>(collection.journalFile(gen));
    return collection;
  }

  /** Appends changes (group-committed); flush() waits for them. May start a compaction. */
  record(records: readonly T[]): void {
    if (records.length === 0) return;
    this.appended += records.length;
    this.writes += 1;
    this.track(this.journal.append(records));
    // Past the live size (with some slack, so a first import that also rewrites a few repeated rows
    // does not compact at once): the journal now costs more to replay than a snapshot would.
    if (!this.compacting && this.appended > MIN_COMPACT_LINES + this.live().count) this.startCompaction();
  }

  /** Rewrites the snapshot now and empties the journal, so no earlier image of a record stays on disk (erasure). */
  async compactNow(): Promise<void> {
    await this.compacting;
    this.startCompaction();
    await this.compacting;
    await this.flush();
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.failure !== undefined) {
      const cause = this.failure;
      this.failure = undefined;
      throw cause;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    await this.journal.close();
  }

  private journalFile(gen: number): string {
    return path.join(this.dir, `${this.name}.${gen}.jsonl`);
  }

  private startCompaction(): void {
    this.compacting = this.compact().finally(() => {
      this.compacting = undefined;
    });
    this.track(this.compacting);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.failure = error;
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async compact(): Promise<void> {
    const old = { gen: this.gen, journal: this.journal };
    // Switch generations first: whatever changes from here on lands in the new journal.
    this.gen += 1;
    this.journal = Journal.fresh<T>(this.journalFile(this.gen));
    this.appended = 0;
    // Taken synchronously, before any await: the snapshot holds exactly what the old journals held.
    const { items } = this.live();
    const lines: string[] = [];
    for (const item of items) lines.push(JSON.stringify(item));
    await writeSnapshot(path.join(this.dir, `${this.name}.json`), this.gen, lines);
    await old.journal.close();
    await rm(this.journalFile(old.gen), { force: true });
  }
}

/**
 * Reads a snapshot, applying its items one by one, and returns its journal generation. A snapshot this
 * class wrote holds one item per line and is read line by line, so loading 100,000 contacts never holds
 * the whole file as one string nor all items at once; any other layout (an older whole-file write) is
 * parsed whole, with the usual error for a damaged file.
 */
async function readSnapshot<T>(file: string, apply: (record: T) => void): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const firstLine = bytes.indexOf(0x0a);
  const header = firstLine === -1 ? undefined : SNAPSHOT_HEADER.exec(bytes.toString('utf8', 0, firstLine));
  if (header) {
    const items: T[] = [];
    let offset = firstLine + 1;
    let ok = false;
    while (offset < bytes.length) {
      const newline = bytes.indexOf(0x0a, offset);
      const end = newline === -1 ? bytes.length : newline;
      const text = bytes.toString('utf8', offset, bytes[end - 1] === 0x2c ? end - 1 : end);
      offset = end + 1;
      if (text === ']}') {
        ok = offset >= bytes.length;
        break;
      }
      try {
        items.push(JSON.parse(text) as T);
      } catch {
        break;
      }
      // Applied in slices, so at most a few thousand parsed items wait at a time.
      if (items.length >= 2000) for (const item of items.splice(0)) apply(item);
    }
    if (ok) {
      for (const item of items) apply(item);
      return Number(header[1]);
    }
    // Not as written: the whole-file parse names the damage. Some items were applied already, so a file
    // that parses whole all the same (edited by hand) is refused rather than applied twice.
    await new ChunkedJsonFile<T>(file).read();
    throw new AppError('STORE_CORRUPT', `The store file ${file} is not laid out as sms-bridge writes it (one item per line).`, {
      hint: 'It was edited by hand or written by another program. Restore it from a backup, or move it aside to start without it.',
      details: { file },
    });
  }
  const snapshot = (await new ChunkedJsonFile<T>(file).read()) as Snapshot<T> | null;
  for (const item of snapshot?.items ?? []) apply(item);
  return snapshot?.journalGen ?? 0;
}

/**
 * Applies a journal's records in order. A crash mid-append can only tear the end, so unparsable lines
 * with no good line after them are a torn tail (dropped: never acknowledged); an unparsable line
 * followed by a good one is damage and stops with the file and line (what was applied is discarded
 * with the store that failed to open).
 */
function replayJournal<T>(file: string, bytes: Buffer, apply: (record: T) => void): { lines: number; goodEnd: number; totalBytes: number } {
  let offset = 0;
  let line = 0;
  let lines = 0;
  let goodEnd = 0;
  const bad: DamagedLine[] = [];
  while (offset < bytes.length) {
    const newline = bytes.indexOf(0x0a, offset);
    const end = newline === -1 ? bytes.length : newline + 1;
    line += 1;
    const text = bytes.toString('utf8', offset, newline === -1 ? bytes.length : newline);
    let record: T | undefined;
    if (newline !== -1) {
      try {
        const value: unknown = JSON.parse(text);
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) record = value as T;
      } catch {
        record = undefined;
      }
    }
    if (record === undefined) {
      if (text.trim() !== '' || newline === -1) bad.push({ offset, line, text });
    } else {
      const [first] = bad;
      if (first) throw damagedLineError(file, first, bad.length);
      apply(record);
      lines += 1;
      goodEnd = end;
    }
    offset = end;
  }
  return { lines, goodEnd, totalBytes: bytes.length };
}

const SNAPSHOT_HEADER = /^\{"version":1,"journalGen":(\d+),"items":\[$/;

/** Writes the snapshot compactly in 1 MB chunks to a temp file, fsyncs it and renames it over the old one. */
async function writeSnapshot(file: string, journalGen: number, lines: string[]): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  const handle = await open(temp, 'w');
  try {
    // One item per line (still one JSON document), so it can be read back line by line.
    let chunk = `{"version":1,"journalGen":${journalGen},"items":[\n`;
    for (let i = 0; i < lines.length; i += 1) {
      chunk += (i === 0 ? '' : ',\n') + (lines[i] as string);
      lines[i] = '';
      if (chunk.length >= CHUNK_CHARS) {
        await handle.write(chunk);
        chunk = '';
      }
    }
    await handle.write(`${chunk}${lines.length > 0 ? '\n' : ''}]}`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

function damagedLineError(file: string, damage: DamagedLine, count: number): AppError {
  const more = count > 1 ? ` (and ${count - 1} more damaged line${count > 2 ? 's' : ''})` : '';
  return new AppError('STORE_CORRUPT', `The store journal ${file} has a damaged line ${damage.line} (byte ${damage.offset})${more}, followed by good records.`, {
    hint: 'Nothing was changed. Stop the service and run: smsbridge store recover (it shows what it would do; add --yes to do it). It keeps a copy of the file and every readable line.',
    details: { file, offset: damage.offset, line: damage.line, damagedLines: count },
  });
}
