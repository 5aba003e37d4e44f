import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Below this many rows a multi-row INSERT is cheaper than a temporary table and COPY. */
export const COPY_THRESHOLD = 500;

type Cell = string | number | boolean | null | undefined;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const SPECIAL = /[\\\t\n\r]/;

/** One value in COPY's text format: null as \N; backslash, tab and line breaks escaped. */
function field(value: Cell): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  // Most values (ids, numbers, JSON without escapes) need no escaping: test before replacing.
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] as string) : value;
}

/** Bytes per chunk handed to the connection. */
const CHUNK = 1 << 16;

/**
 * COPY's text lines for rows, UTF-8 encoded into buffers of about 64 KB (a whole batch is never one
 * string). Each field is encoded straight into the buffer: building a chunk as a string first cost
 * more than the rest of the COPY (a rope of small strings to flatten, widen and then encode).
 */
function* lines(rows: Iterable<readonly Cell[]>): Generator<Buffer> {
  let buffer = Buffer.allocUnsafe(CHUNK);
  let at = 0;
  for (const row of rows) {
    const last = row.length - 1;
    for (let i = 0; i <= last; i += 1) {
      const value = field(row[i]);
      // At most 3 bytes per UTF-16 unit, and the separator.
      const room = value.length * 3 + 1;
      if (at + room > buffer.length) {
        if (at > 0) yield buffer.subarray(0, at);
        buffer = Buffer.allocUnsafe(Math.max(CHUNK, room));
        at = 0;
      }
      at += buffer.write(value, at);
      buffer[at] = i === last ? 0x0a : 0x09;
      at += 1;
    }
  }
  if (at > 0) yield buffer.subarray(0, at);
}

/** Streams rows into a table (its named columns) with COPY, the fastest way in. */
export async function copyRows(client: pg.PoolClient, table: string, columns: readonly string[], rows: Iterable<readonly Cell[]>): Promise<void> {
  await pipeline(Readable.from(lines(rows)), client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
}

/**
 * Streams rows straight into `table` with COPY, when none of them conflicts with a stored row (new
 * ids: an import's new contacts and their consent, nearly always): true. COPY writes rows a page at a
 * time, with none of the per-row conflict checks and log records of INSERT ... ON CONFLICT, and
 * without a staging table to write and read back. A unique violation undoes the attempt (a
 * savepoint) and says false: the caller then merges through a staging table. Must run inside a
 * transaction. A deferred unique constraint is checked at commit, as with any other write.
 */
export async function copyNew(client: pg.PoolClient, table: string, columns: readonly string[], rows: readonly (readonly Cell[])[]): Promise<boolean> {
  await client.query('SAVEPOINT copy_new');
  try {
    await copyRows(client, table, columns, rows);
  } catch (error) {
    if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    await client.query('ROLLBACK TO SAVEPOINT copy_new');
    return false;
  }
  return true;
}

const UNIQUE_VIOLATION = '23505';

/** Per connection: the staging tables it has, and those holding rows in the open transaction. */
interface Staging {
  created: Set<string>;
  filled: Set<string>;
}

const staging = new WeakMap<pg.PoolClient, Staging>();

/**
 * Streams rows into a temporary staging table shaped like `like` with COPY: the caller then merges it
 * with one INSERT ... SELECT. Must run inside a transaction (Db.tx), which empties it when it ends.
 *
 * Each connection creates a staging table once and keeps it (ON COMMIT DELETE ROWS empties it in
 * place): creating and dropping one per batch wrote and deleted a dozen catalog rows each time, which
 * cost more than a batch of a thousand rows itself and bloated the catalog over a long import.
 */
export async function copyIntoTemp(
  client: pg.PoolClient,
  options: { temp: string; like: string; columns: readonly string[]; rows: Iterable<readonly Cell[]> },
): Promise<void> {
  const { temp, like, columns, rows } = options;
  let state = staging.get(client);
  if (!state) staging.set(client, (state = { created: new Set(), filled: new Set() }));
  if (!state.created.has(temp)) {
    // IF NOT EXISTS: a table created in a transaction that later failed is forgotten here but may
    // still exist, created by an earlier one that committed.
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${temp} (LIKE ${like} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
    state.created.add(temp);
  } else if (state.filled.has(temp)) {
    // Used twice in one transaction: start empty again.
    await client.query(`TRUNCATE ${temp}`);
  }
  state.filled.add(temp);
  await copyRows(client, temp, columns, rows);
}

/**
 * Called by Db.tx when a transaction ends: its staging tables are empty again; after a rollback, the
 * ones it created may be gone (they are created again, if absent, when next used).
 */
export function stagingDone(client: pg.PoolClient, committed: boolean): void {
  const state = staging.get(client);
  if (!state) return;
  state.filled.clear();
  if (!committed) state.created.clear();
}
