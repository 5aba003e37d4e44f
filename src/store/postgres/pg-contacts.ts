import type { Contact } from '../../contacts/contact.js';
import type { ContactImportKeys, ContactRepository, ScanOptions } from '../port.js';
import type { Db } from './db.js';
import { readAhead } from '../../common/read-ahead.js';
import { chunks, lastById } from './batches.js';
import { COPY_THRESHOLD, copyIntoTemp, copyNew } from './copy-in.js';
import { keysetPages } from '../keyset-pages.js';

const COLUMNS = ['id', 'phone', 'data', 'import_key'];

/**
 * Replaces a stored contact only when something changed: an unchanged one costs no new row version.
 * The import key goes with the write (null, unless the write took in an import row: see ContactImportKeys).
 */
const UPSERT = `ON CONFLICT (id) DO UPDATE SET phone = excluded.phone, data = excluded.data, import_key = excluded.import_key
  WHERE (contacts.phone, contacts.data, contacts.import_key) IS DISTINCT FROM (excluded.phone, excluded.data, excluded.import_key)`;

/** Contacts: one row each, the whole contact as JSON, the phone unique. */
export class PgContacts implements ContactRepository {
  constructor(private readonly db: Db) {}

  readonly importKeys: ContactImportKeys = {
    lookup: async (keys) => {
      const found = new Map<string, Contact>();
      if (keys.length === 0) return found;
      const result = await this.db.query<{ import_key: string; data: Contact }>('SELECT import_key, data FROM contacts WHERE import_key = ANY($1::text[])', [keys]);
      for (const row of result.rows) found.set(row.import_key, row.data);
      return found;
    },
    upsertWithKeys: (contacts, keys) => this.write(contacts, keys),
  };

  upsertMany(contacts: readonly Contact[]): Promise<void> {
    return this.write(contacts, new Map());
  }

  /** Upserts the contacts with their keys, then gives the other contacts named in `keys` theirs; one transaction. */
  private async write(contacts: readonly Contact[], keys: ReadonlyMap<string, string>): Promise<void> {
    if (contacts.length === 0 && keys.size === 0) return;
    this.db.writable();
    const rows = lastById(contacts).map((c) => [c.id, c.phone, JSON.stringify(c), keys.get(c.id) ?? null] as const);
    const written = new Set(rows.map((row) => row[0]));
    const keyed = [...keys].filter(([id]) => !written.has(id));
    await this.db.tx(async (client) => {
      let merged: ReadonlyArray<(typeof rows)[number]> = rows;
      if (rows.length >= COPY_THRESHOLD) {
        // An import's bulk path: the new contacts straight in, the stored ones (a number repeated from
        // an earlier batch, a store copy run again) merged. Asking first which are stored costs an
        // index probe per row; a COPY that meets one of them fails and is undone, a whole batch written
        // for nothing (a dead row each, and more to vacuum).
        const stored = await client.query<{ id: string }>('SELECT id FROM contacts WHERE id = ANY($1::text[])', [rows.map((r) => r[0])]);
        const known = new Set(stored.rows.map((row) => row.id));
        const fresh = known.size === 0 ? rows : rows.filter((r) => !known.has(r[0]));
        merged = known.size === 0 ? [] : rows.filter((r) => known.has(r[0]));
        // Another writer may add one of them meanwhile: then every row merges.
        if (fresh.length > 0 && !(await copyNew(client, 'contacts', COLUMNS, fresh))) merged = rows;
      }
      if (merged.length >= COPY_THRESHOLD) {
        await copyIntoTemp(client, { temp: 'contacts_in', like: 'contacts', columns: COLUMNS, rows: merged });
        await client.query(`INSERT INTO contacts (${COLUMNS.join(', ')}) SELECT ${COLUMNS.join(', ')} FROM contacts_in ${UPSERT}`);
      } else {
        for (const batch of chunks(merged, 5000)) {
          await client.query(
            `INSERT INTO contacts (${COLUMNS.join(', ')}) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[]) ${UPSERT}`,
            [batch.map((r) => r[0]), batch.map((r) => r[1]), batch.map((r) => r[2]), batch.map((r) => r[3])],
          );
        }
      }
      for (const batch of chunks(keyed, 5000)) {
        await client.query(
          `UPDATE contacts SET import_key = k.key FROM unnest($1::text[], $2::text[]) AS k(id, key)
           WHERE contacts.id = k.id AND contacts.import_key IS DISTINCT FROM k.key`,
          [batch.map(([id]) => id), batch.map(([, key]) => key)],
        );
      }
    }, { lazyCommit: rows.length + keyed.length >= COPY_THRESHOLD });
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Contact>> {
    const found = new Map<string, Contact>();
    if (ids.length === 0) return found;
    const result = await this.db.query<{ data: Contact }>('SELECT data FROM contacts WHERE id = ANY($1::text[])', [ids]);
    for (const { data } of result.rows) found.set(data.id, data);
    return found;
  }

  async getByPhones(phones: readonly string[]): Promise<Map<string, Contact>> {
    const found = new Map<string, Contact>();
    if (phones.length === 0) return found;
    const result = await this.db.query<{ data: Contact }>('SELECT data FROM contacts WHERE phone = ANY($1::text[])', [phones]);
    for (const { data } of result.rows) found.set(data.phone, data);
    return found;
  }

  async count(): Promise<number> {
    const result = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM contacts');
    return Number(result.rows[0]?.n ?? 0);
  }

  async list(options: { limit: number; afterId?: string }): Promise<Contact[]> {
    const result = options.afterId === undefined
      ? await this.db.query<{ data: Contact }>('SELECT data FROM contacts ORDER BY id LIMIT $1', [options.limit])
      : await this.db.query<{ data: Contact }>('SELECT data FROM contacts WHERE id > $1 ORDER BY id LIMIT $2', [options.afterId, options.limit]);
    return result.rows.map((row) => row.data);
  }

  /**
   * Keyset pages: each page is one short query, so a scan of a million contacts holds two pages at a
   * time (the one handed out, and the next, read meanwhile).
   */
  async *scan(options: ScanOptions = {}): AsyncIterable<Contact[]> {
    yield* readAhead(keysetPages((page) => this.list(page), options.batchSize ?? 1000));
  }

  async deleteMany(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    this.db.writable();
    await this.db.query('DELETE FROM contacts WHERE id = ANY($1::text[])', [ids]);
  }
}
