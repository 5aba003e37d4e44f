import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { AppError } from '../../common/errors.js';
import { salvageEnvelope } from './json-salvage.js';

export interface Envelope<T> {
  version: 1;
  items: T[];
}

const CHUNK_CHARS = 1 << 20;

/**
 * A lowdb adapter for one collection file. lowdb's own JSONFile builds the whole file as one string
 * (pretty-printed) and writes it without fsync; at 100k contacts that is a 70 MB string per write and
 * most of the import's memory. This one writes the same JSON compactly, item by item in 1 MB chunks,
 * to a temp file, fsyncs it and renames it over the old file: a process killed at any point leaves
 * either the old file or the new one, never half of one.
 */
export class ChunkedJsonFile<T> implements Adapter<Envelope<T>> {
  private readonly temp: string;
  /**
   * Milliseconds the last write kept the event loop busy (building its chunks), excluding the time it
   * waited on the disk or let other work run: the cost that write spacing is based on.
   */
  lastBusyMs = 0;

  constructor(private readonly file: string) {
    this.temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  }

  async read(): Promise<Envelope<T> | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return parseEnvelope<T>(text, this.file);
  }

  async write(data: Envelope<T>): Promise<void> {
    const handle = await open(this.temp, 'w');
    let busy = 0;
    try {
      let chunk = `{"version":${data.version},"items":[`;
      let started = performance.now();
      for (let i = 0; i < data.items.length; i += 1) {
        chunk += (i === 0 ? '' : ',') + JSON.stringify(data.items[i]);
        if (chunk.length >= CHUNK_CHARS) {
          const bytes = Buffer.from(chunk, 'utf8');
          busy += performance.now() - started;
          await handle.write(bytes);
          started = performance.now();
          chunk = '';
        }
      }
      const last = Buffer.from(`${chunk}]}`, 'utf8');
      busy += performance.now() - started;
      await handle.write(last);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.temp, this.file);
    this.lastBusyMs = busy;
  }
}

function parseEnvelope<T>(text: string, file: string): Envelope<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    const offset = salvageEnvelope(text).damage[0] ?? Buffer.byteLength(text, 'utf8');
    throw new AppError('STORE_CORRUPT', `The store file ${file} is damaged at byte ${offset}: it is not valid JSON.`, {
      hint: 'Nothing was changed. Stop the service and run: smsbridge store recover (it shows what it would do; add --yes to do it). It keeps a copy of the file and every readable record; or restore the file from a backup.',
      details: { file, offset },
      cause,
    });
  }
  const envelope = parsed as Partial<Envelope<T>> | null;
  if (!envelope || envelope.version !== 1 || !Array.isArray(envelope.items)) {
    throw new AppError('STORE_CORRUPT', `The store file ${file} has an unknown layout (expected version 1).`, {
      hint: 'It was written by another version of sms-bridge, or by hand. Restore a backup or move it aside.',
    });
  }
  return envelope as Envelope<T>;
}
