import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Below this many rows a multi-row INSERT is cheaper than a temporary table and COPY. */
export const COPY_THRESHOLD = 2000;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in COPY's text format: null as \N; backslash, tab and line breaks escaped. */
function field(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] as string);
}

/**
 * Streams rows into a new temporary table shaped like `like` (dropped at commit) with COPY, the
 * fastest way in: the caller then merges it with one INSERT ... SELECT. Must run inside a transaction.
 */
export async function copyIntoTemp(
  client: pg.PoolClient,
  options: { temp: string; like: string; columns: readonly string[]; rows: Iterable<ReadonlyArray<string | number | boolean | null | undefined>> },
): Promise<void> {
  const { temp, like, columns, rows } = options;
  await client.query(`CREATE TEMP TABLE ${temp} (LIKE ${like} INCLUDING DEFAULTS) ON COMMIT DROP`);
  const lines = function* (): Generator<string> {
    let chunk = '';
    for (const row of rows) {
      chunk += `${row.map(field).join('\t')}\n`;
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  };
  await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY ${temp} (${columns.join(', ')}) FROM STDIN`)));
}
