import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import type { OutboxMessage } from '../../delivery/outbox.js';
import { AppError } from '../../common/errors.js';

/**
 * A campaign's outbox snapshot, compact: `<campaign>.snap.gz`, gzip of JSON lines. The first line is a
 * header `{"version":2,"journalGen":N,"shared":{…}}` holding the fields every row has alike (campaign,
 * kind, sender, gateway, and the text when it is not personalised); each further line is one row
 * without them. About a tenth of the JSON snapshot's size, and read as a stream (no whole-file string).
 */
export interface SnapshotHeader {
  version: 2;
  /** Journals older than this generation are already folded into the snapshot. */
  journalGen: number;
  shared: Partial<OutboxMessage>;
}

export const SNAPSHOT_SUFFIX = '.snap.gz';

/** Fields worth sharing when every row has the same value. */
const SHAREABLE = ['campaignId', 'kind', 'variant', 'text', 'encoding', 'segments', 'cost', 'sender', 'gateway', 'createdAt', 'sendAfter'] as const;
const CHUNK_CHARS = 1 << 20;

export function snapshotPath(dir: string, campaignId: string): string {
  return path.join(dir, `${campaignId}${SNAPSHOT_SUFFIX}`);
}

function sharedOf(rows: Iterable<OutboxMessage>): Partial<OutboxMessage> {
  let shared: Record<string, unknown> | undefined;
  for (const row of rows) {
    if (!shared) {
      shared = {};
      for (const key of SHAREABLE) if (row[key] !== undefined) shared[key] = row[key];
    } else {
      for (const key in shared) if (row[key as keyof OutboxMessage] !== shared[key]) delete shared[key];
    }
  }
  return (shared ?? {}) as Partial<OutboxMessage>;
}

/**
 * Writes the snapshot atomically: a temp file, fsynced, renamed over the old one. `rows` is iterated
 * twice (the shared fields, then the lines) and may be made row by row as it goes, so a large campaign
 * is never held twice; a row that changed between the two passes keeps its own value of a shared field.
 */
export async function writeSnapshot(file: string, journalGen: number, rows: Iterable<OutboxMessage>): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  const shared = sharedOf(rows);
  const keys = Object.keys(shared);
  async function* lines(): AsyncGenerator<string> {
    let chunk = `${JSON.stringify({ version: 2, journalGen, shared } satisfies SnapshotHeader)}\n`;
    for (const row of rows) {
      let line: string;
      if (keys.length === 0) line = JSON.stringify(row);
      else {
        const own: Record<string, unknown> = { ...row };
        for (const key of keys) if (own[key] === (shared as Record<string, unknown>)[key]) delete own[key];
        line = JSON.stringify(own);
      }
      chunk += `${line}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
        // Let receipts and sends run between chunks: a snapshot of a large campaign takes a while.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    yield chunk;
  }
  try {
    await pipeline(Readable.from(lines()), createGzip({ level: 6 }), createWriteStream(temp));
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export interface SnapshotRead {
  journalGen: number;
  rows: OutboxMessage[];
  /** With `salvage`: where reading stopped on damage (line number, 1-based), else undefined. */
  damagedAtLine?: number;
}

/**
 * Reads a snapshot as a stream. Null when the file does not exist. Damage (a bad gzip stream, a line
 * that is not JSON) stops with STORE_CORRUPT naming the file and line, unless `salvage`: then the rows
 * read before it are returned with the line.
 */
export async function readSnapshot(file: string, options: { salvage?: boolean } = {}): Promise<SnapshotRead | null> {
  let header: SnapshotHeader | undefined;
  const rows: OutboxMessage[] = [];
  let lineNo = 0;
  let damage: AppError | undefined;
  const take = (text: string): void => {
    lineNo += 1;
    if (text === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw (damage = corrupt(file, lineNo, cause));
    }
    if (!header) {
      const candidate = parsed as Partial<SnapshotHeader> | null;
      if (!candidate || candidate.version !== 2 || typeof candidate.journalGen !== 'number') throw (damage = corrupt(file, lineNo));
      header = candidate as SnapshotHeader;
      return;
    }
    rows.push({ ...header.shared, ...(parsed as object) } as OutboxMessage);
  };
  try {
    await pipeline(createReadStream(file), createGunzip(), async (source: AsyncIterable<Buffer>) => {
      const decoder = new StringDecoder('utf8');
      let rest = '';
      for await (const chunk of source) {
        const text = rest + decoder.write(chunk);
        const lines = text.split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) take(line);
      }
      rest += decoder.end();
      if (rest !== '') take(rest);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // A line that is not JSON names itself; a broken gzip stream, the line it was reading.
    const damaged = damage ?? corrupt(file, lineNo + 1, error);
    if (!options.salvage) throw damaged;
    return { journalGen: header?.journalGen ?? 0, rows, damagedAtLine: (damaged.details as { line: number }).line };
  }
  if (!header) {
    if (options.salvage) return { journalGen: 0, rows, damagedAtLine: 1 };
    throw corrupt(file, 1);
  }
  return { journalGen: header.journalGen, rows };
}

function corrupt(file: string, line: number, cause?: unknown): AppError {
  return new AppError('STORE_CORRUPT', `The outbox snapshot ${file} is damaged at line ${line}.`, {
    hint: 'Nothing was changed. Stop the service and run: smsbridge store recover (it shows what it would do; add --yes to do it). It keeps a copy of the file and every readable row; or restore the file from a backup.',
    details: { file, line },
    ...(cause === undefined ? {} : { cause }),
  });
}
