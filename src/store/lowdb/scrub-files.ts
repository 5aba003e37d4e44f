import { open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Same byte length: `digits` turns `+79123456789` into `+00000000000` (the + and separators stay);
 * `all` turns every byte into `*` (a text inside a JSON string stays valid JSON).
 */
function blank(needle: string, mode: 'digits' | 'all'): Buffer {
  return mode === 'digits' ? Buffer.from(needle.replace(/\d/g, '0'), 'utf8') : Buffer.alloc(Buffer.byteLength(needle, 'utf8'), '*');
}

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (entry.isFile()) yield full;
  }
}

/**
 * Overwrites every occurrence of the needles in every file under `dir`, in place and with a string of
 * the same length, then fsyncs. Same length keeps append-only files valid (the event inbox's byte
 * offsets and checkpoints, the outbox journals' lines), so this is safe while they stay open. Used
 * after personal data erasure, for copies the repositories do not own: journal lines written before
 * the erasure, and raw gateway events in the inbox. Returns how many occurrences were overwritten.
 */
export async function scrubFiles(dir: string, needles: readonly string[], mode: 'digits' | 'all', only: (file: string) => boolean = () => true): Promise<number> {
  const patterns = needles.filter((n) => n.length >= 6).map((n) => ({ find: Buffer.from(n, 'utf8'), put: blank(n, mode) }));
  if (patterns.length === 0) return 0;
  let total = 0;
  for await (const file of filesUnder(dir)) {
    if (!only(file)) continue;
    const content = await readFile(file).catch(() => undefined);
    if (!content) continue;
    const hits: Array<{ at: number; put: Buffer }> = [];
    for (const { find, put } of patterns) {
      for (let at = content.indexOf(find); at !== -1; at = content.indexOf(find, at + find.length)) hits.push({ at, put });
    }
    if (hits.length === 0) continue;
    const handle = await open(file, 'r+');
    try {
      for (const { at, put } of hits) await handle.write(put, 0, put.length, at);
      await handle.sync();
    } finally {
      await handle.close();
    }
    total += hits.length;
  }
  return total;
}
