import fs from 'node:fs';
import path from 'node:path';
import type { OutboxMessage } from '../../delivery/outbox.js';

/**
 * The lock proves every earlier holder dead, so a `sending` row on disk belongs to an attempt nobody
 * will finish: its lease counts as run out (in memory only), and the engine's first lease check makes
 * it `unknown` at once instead of after the lease time.
 */
export function orphanClaims(rows: OutboxMessage[]): OutboxMessage[] {
  const expired = new Date(0).toISOString();
  return rows.map((row) => (row.status === 'sending' ? { ...row, leaseUntil: expired } : row));
}

/**
 * Bytes of every file under the data dir that grows with use: collection files, the outbox (snapshots,
 * journals, compacted campaigns), the event inboxes. Not the lock or the socket.
 */
export function dataDirBytes(dataDir: string): number {
  let total = 0;
  const sizeOf = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // removed meanwhile (a compaction): nothing to count
    }
    for (const entry of entries) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) sizeOf(file);
      else if (entry.isFile() && !/\.(lock|sock|pid)$/.test(entry.name)) {
        try {
          total += fs.statSync(file).size;
        } catch {
          // removed between readdir and stat
        }
      }
    }
  };
  if (fs.existsSync(dataDir)) sizeOf(dataDir);
  return total;
}
