import { open, readFile, rename } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../common/errors.js';
import type { InboxEntry } from './event-inbox.js';

/** File-level helpers of the event inbox: line scanning, checkpoints, atomic replace, cursor file. */
export function tempOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
}

export async function readCursor(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '{"cursor":0}';
    throw error;
  });
  let cursor: unknown;
  try {
    cursor = (JSON.parse(text) as { cursor?: unknown } | null)?.cursor;
  } catch {
    // reported below
  }
  if (typeof cursor === 'number' && Number.isInteger(cursor) && cursor >= 0) return cursor;
  throw new AppError('STORE_CORRUPT', `The inbox cursor file ${file} is not {"cursor": <seq>}.`, {
    hint: 'Delete it to reprocess the whole inbox (receipts are deduplicated by key), or restore a backup.',
  });
}

export function corrupt(file: string, offset: number): AppError {
  return new AppError('STORE_CORRUPT', `The event inbox ${file} has a bad or out-of-order line at byte ${offset} before good ones.`, {
    hint: 'Only a torn last line is repaired automatically. Stop the service and run: smsbridge store recover (add --yes to repair; it keeps a copy and says what cannot be read).',
  });
}

export const READ_CHUNK = 64 * 1024;
/** Checkpoint spacing: one (seq, offset) pair per ~64 KiB of file. */
export const CHECKPOINT_BYTES = 64 * 1024;

/** Sparse (seq → line start) pairs, increasing in both. */
export class Checkpoints {
  private seqs: number[] = [];
  private offsets: number[] = [];

  add(seq: number, offset: number): void {
    const last = this.offsets[this.offsets.length - 1];
    if (last !== undefined && offset - last < CHECKPOINT_BYTES) return;
    this.seqs.push(seq);
    this.offsets.push(offset);
  }

  /**
   * Where to start reading for entries with seq > `after`: the last checkpoint whose line has seq ≤
   * after + 1 (seqs increase, so every line before it has seq ≤ after), else 0. Checkpoints are few
   * (one per 64 KiB) and readers ask near the start of a compacted file, so a forward scan is enough.
   */
  startFor(after: number): number {
    let i = 0;
    while (i < this.seqs.length && (this.seqs[i] ?? Infinity) <= after + 1) i += 1;
    return i === 0 ? 0 : (this.offsets[i - 1] ?? 0);
  }

  /** After compaction removed the first `start` bytes. */
  dropBefore(start: number): void {
    const keep = this.offsets.findIndex((offset) => offset >= start);
    this.seqs = keep < 0 ? [] : this.seqs.slice(keep);
    this.offsets = keep < 0 ? [] : this.offsets.slice(keep).map((offset) => offset - start);
  }
}

/** Complete lines (ending in a newline) of the byte range, with their byte offsets; a torn tail is not yielded. */
export async function* scanLines(handle: FileHandle, from: number, to: number): AsyncGenerator<{ start: number; end: number; text: string }> {
  const chunk = Buffer.allocUnsafe(READ_CHUNK);
  let carry = Buffer.alloc(0);
  let carryStart = from;
  let position = from;
  while (position < to) {
    const { bytesRead } = await handle.read(chunk, 0, Math.min(READ_CHUNK, to - position), position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
    let lineStart = 0;
    for (let newline = data.indexOf(10); newline !== -1; newline = data.indexOf(10, lineStart)) {
      const text = data.toString('utf8', lineStart, newline);
      yield { start: carryStart + lineStart, end: carryStart + newline + 1, text };
      lineStart = newline + 1;
    }
    carry = Buffer.from(data.subarray(lineStart)); // a copy: `chunk` is reused
    carryStart += lineStart;
  }
}

export function parseEntry(text: string): InboxEntry<unknown> | undefined {
  try {
    const entry = JSON.parse(text) as Partial<InboxEntry<unknown>> | null;
    if (!entry || !Number.isSafeInteger(entry.seq) || (entry.seq ?? 0) < 1 || typeof entry.at !== 'string' || !('event' in entry)) return undefined;
    return entry as InboxEntry<unknown>;
  } catch {
    return undefined;
  }
}

export async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let written = 0; written < data.length; ) {
    written += (await handle.write(data, written, data.length - written)).bytesWritten;
  }
}

/** Writes a new version of `file` to a temp file, fsyncs it and renames it over `file` (then syncDir). */
export async function replaceFile(file: string, write: (out: FileHandle) => Promise<void>): Promise<void> {
  const temp = tempOf(file);
  const out = await open(temp, 'w');
  try {
    await write(out);
    await out.sync();
  } finally {
    await out.close();
  }
  await rename(temp, file);
}

/** Makes a rename or a new file in `dir` durable; skipped where directories cannot be fsynced (Windows). */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  try {
    await handle?.sync();
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}
