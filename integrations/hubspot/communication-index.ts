import { mkdir, open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Which HubSpot communication holds which message or reply (our key → HubSpot id), so a receipt
 * updates the entry logged at send time instead of adding another. Kept durably beside the store.
 */
export interface CommunicationIndex {
  get(keys: readonly string[]): Map<string, string>;
  put(entries: ReadonlyMap<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** In memory only: for tests, and for runs that keep no data (the demo's stand-in). */
export function memoryCommunicationIndex(): CommunicationIndex {
  const map = new Map<string, string>();
  return {
    get: (keys) => new Map(keys.flatMap((key) => (map.has(key) ? [[key, map.get(key) as string] as const] : []))),
    put: async (entries) => {
      for (const [key, id] of entries) map.set(key, id);
    },
    close: async () => undefined,
  };
}

/**
 * `<dataDir>/hubspot/communications.jsonl`: one `{"k":…,"c":…}` line per entry, appended and
 * fdatasynced before `put` resolves; read whole at open (about 80 bytes per message). A torn last line
 * (a crash mid-append) is skipped: at worst that message is logged a second time, never lost.
 */
export async function openCommunicationIndex(dataDir: string): Promise<CommunicationIndex> {
  const file = path.join(dataDir, 'hubspot', 'communications.jsonl');
  await mkdir(path.dirname(file), { recursive: true });
  const map = new Map<string, string>();
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { k?: unknown; c?: unknown };
      if (typeof entry.k === 'string' && typeof entry.c === 'string') map.set(entry.k, entry.c);
    } catch {
      // A torn line from a crash mid-append: nothing was acknowledged for it.
    }
  }
  const handle: FileHandle = await open(file, 'a');
  let queue: Promise<unknown> = Promise.resolve();
  return {
    get: (keys) => new Map(keys.flatMap((key) => (map.has(key) ? [[key, map.get(key) as string] as const] : []))),
    put: (entries) => {
      const run = queue.then(async () => {
        if (entries.size === 0) return;
        let lines = '';
        for (const [k, c] of entries) lines += `${JSON.stringify({ k, c })}\n`;
        // A torn line before ours would swallow our first entry: start on a fresh line.
        await handle.appendFile(`\n${lines}`);
        await handle.datasync();
        for (const [k, c] of entries) map.set(k, c);
      });
      queue = run.catch(() => undefined);
      return run;
    },
    close: async () => {
      await queue;
      await handle.close();
    },
  };
}
