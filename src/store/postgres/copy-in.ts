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

/** COPY's text lines for rows, in chunks of about 64 KB (a whole batch is never one string). */
function* lines(rows: Iterable<readonly Cell[]>): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    let line = field(row[0]);
    for (let i = 1; i < row.length; i += 1) line += `\t${field(row[i])}`;
    chunk += `${line}\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Streams rows into a table (its named columns) with COPY, the fastest way in. */
export async function copyRows(client: pg.PoolClient, table: string, columns: readonly string[], rows: Iterable<readonly Cell[]>): Promise<void> {
  await pipeline(Readable.from(lines(rows)), client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
}

/**
 * Streams rows into a new temporary table shaped like `like` (dropped at commit) with COPY: the
 * caller then merges it with one INSERT ... SELECT. Must run inside a transaction.
 */
export async function copyIntoTemp(
  client: pg.PoolClient,
  options: { temp: string; like: string; columns: readonly string[]; rows: Iterable<readonly Cell[]> },
): Promise<void> {
  const { temp, like, columns, rows } = options;
  await client.query(`CREATE TEMP TABLE ${temp} (LIKE ${like} INCLUDING DEFAULTS) ON COMMIT DROP`);
  await copyRows(client, temp, columns, rows);
}
