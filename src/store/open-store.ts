import path from 'node:path';
import type { Config } from '../config.js';
import type { Store } from './port.js';

/**
 * Opens the configured store: PostgreSQL when DATABASE_URL is set, else the embedded one under
 * DATA_DIR. Only the one in use is loaded (a CSV import into the embedded store never loads pg).
 */
export async function openStore(config: Config, readOnly: boolean): Promise<Store> {
  if (config.DATABASE_URL) {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return PostgresStore.open({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, readOnly });
  }
  const { LowdbStore } = await import('./lowdb/lowdb-store.js');
  return LowdbStore.open({
    dataDir: path.resolve(config.DATA_DIR),
    maxBytes: config.STORE_MAX_MB * 1024 * 1024,
    readOnly,
  });
}
