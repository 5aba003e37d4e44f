import type { Contact } from '../../contacts/contact.js';
import type { ContactRepository, ScanOptions } from '../port.js';
import type { Db } from './db.js';
import { chunks, lastById, readAhead } from './batches.js';
import { COPY_THRESHOLD, copyIntoTemp } from './copy-in.js';
import { keysetPages } from '../keyset-pages.js';

/** Replaces a stored contact only when it changed: an unchanged one costs no new row version. */
const UPSERT = 'ON CONFLICT (id) DO UPDATE SET phone = excluded.phone, data = excluded.data WHERE (contacts.phone, contacts.data) IS DISTINCT FROM (excluded.phone, excluded.data)';

/** Contacts: one row each, the whole contact as JSON, the phone unique. */
export class PgContacts implements ContactRepository {
  constructor(private readonly db: Db) {}

  async upsertMany(contacts: readonly Contact[]): Promise<void> {
    if (contacts.length === 0) return;
    this.db.writable();
    const rows = lastById(contacts);
    await this.db.tx(async (client) => {
      if (rows.length >= COPY_THRESHOLD) {
        // An import's bulk path: COPY into a temporary table, then one merge that leaves equal rows alone.
        await copyIntoTemp(client, { temp: 'contacts_in', like: 'contacts', columns: ['id', 'phone', 'data'], rows: rows.map((c) => [c.id, c.phone, JSON.stringify(c)]) });
        await client.query(`INSERT INTO contacts (id, phone, data) SELECT id, phone, data FROM contacts_in ${UPSERT}`);
        return;
      }
      for (const batch of chunks(rows, 5000)) {
        await client.query(
          `INSERT INTO contacts (id, phone, data) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[]) ${UPSERT}`,
          [batch.map((c) => c.id), batch.map((c) => c.phone), batch.map((c) => JSON.stringify(c))],
        );
      }
    });
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
