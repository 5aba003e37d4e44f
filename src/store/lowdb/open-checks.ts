import fs from 'node:fs';
import path from 'node:path';
import type { OutboxMessage } from '../../delivery/outbox.js';
import { AppError } from '../../common/errors.js';

/**
 * The lock proves every earlier holder dead, so a `sending` row on disk belongs to an attempt nobody
 * will finish: its lease counts as run out (in memory only), and the engine's first lease check makes
 * it `unknown` at once instead of after the lease time.
 */
export function orphanClaims(rows: OutboxMessage[]): OutboxMessage[] {
  const expired = new Date(0).toISOString();
  return rows.map((row) => (row.status === 'sending' ? { ...row, leaseUntil: expired } : row));
}

export function checkBudget(dataDir: string, maxBytes: number): void {
  if (!fs.existsSync(dataDir)) return;
  let total = 0;
  const sizeOf = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name === 'outbox') sizeOf(path.join(dir, entry.name));
      else if (entry.isFile() && /\.jsonl?$/.test(entry.name)) total += fs.statSync(path.join(dir, entry.name)).size;
    }
  };
  sizeOf(dataDir);
  if (total > maxBytes) {
    const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
    throw new AppError(
      'STORE_TOO_LARGE',
      `The embedded store in ${dataDir} holds ${mb(total)} MB, over its budget of ${mb(maxBytes)} MB (STORE_MAX_MB).`,
      {
        hint: 'The embedded lowdb store rewrites whole files and slows down past this size. Move to the PostgreSQL store by setting DATABASE_URL, or raise STORE_MAX_MB if you accept slower writes.',
      },
    );
  }
}
