import type pg from 'pg';
import type { ConsentEntry, ConsentState } from '../../consent/consent.js';
import { deriveConsent } from '../../consent/ledger.js';
import type { ConsentRepository, ConsentSummary } from '../port.js';
import type { Db } from './db.js';
import { chunks } from './batches.js';

/**
 * The consent ledger (append-only, one row per entry) and each contact's derived state, updated in
 * the same transaction as the entries, so a reader never sees one without the other.
 */
export class PgConsent implements ConsentRepository {
  constructor(private readonly db: Db) {}

  async append(entries: readonly ConsentEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.db.writable();
    const contactIds = [...new Set(entries.map((e) => e.contactId))].sort();
    await this.db.tx(async (client) => {
      // Appends to one contact's ledger from several instances take turns: each locks the contacts'
      // state rows (made first if new), in id order so two appends cannot deadlock. Row locks, not
      // advisory ones, so an import of a million entries does not fill the lock table.
      for (const batch of chunks(contactIds, 5000)) {
        await client.query(
          `INSERT INTO consent_state (contact_id, marketing, transactional_allowed, data)
           SELECT id, 'unknown', true, '{}' FROM unnest($1::text[]) AS id ON CONFLICT (contact_id) DO NOTHING`,
          [batch],
        );
        await client.query('SELECT contact_id FROM consent_state WHERE contact_id = ANY($1::text[]) ORDER BY contact_id FOR UPDATE', [batch]);
      }
      for (const batch of chunks(entries, 5000)) {
        // An entry id already there (a copy run again) is kept once.
        await client.query(
          `INSERT INTO consent_entries (id, contact_id, data)
           SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[]) ON CONFLICT (id) DO NOTHING`,
          [batch.map((e) => e.id), batch.map((e) => e.contactId), batch.map((e) => JSON.stringify(e))],
        );
      }
      for (const batch of chunks(contactIds, 5000)) await refreshStates(client, batch);
    });
  }

  async history(contactId: string): Promise<ConsentEntry[]> {
    const result = await this.db.query<{ data: ConsentEntry }>('SELECT data FROM consent_entries WHERE contact_id = $1 ORDER BY seq', [contactId]);
    return result.rows.map((row) => row.data);
  }

  async currentMany(contactIds: readonly string[]): Promise<Map<string, ConsentState>> {
    const found = new Map<string, ConsentState>();
    if (contactIds.length === 0) return found;
    const result = await this.db.query<{ contact_id: string; data: ConsentState }>('SELECT contact_id, data FROM consent_state WHERE contact_id = ANY($1::text[])', [contactIds]);
    for (const row of result.rows) found.set(row.contact_id, row.data);
    return found;
  }

  async summary(): Promise<ConsentSummary> {
    const result = await this.db.query<{ opted_in: string; opted_out_marketing: string; opted_out_all: string }>(
      `SELECT count(*) FILTER (WHERE NOT transactional_allowed) AS opted_out_all,
              count(*) FILTER (WHERE transactional_allowed AND marketing = 'opted_out') AS opted_out_marketing,
              count(*) FILTER (WHERE transactional_allowed AND marketing = 'opted_in') AS opted_in
       FROM consent_state`,
    );
    const row = result.rows[0];
    return { optedIn: Number(row?.opted_in ?? 0), optedOutMarketing: Number(row?.opted_out_marketing ?? 0), optedOutAll: Number(row?.opted_out_all ?? 0) };
  }

  async forget(contactId: string): Promise<void> {
    this.db.writable();
    await this.db.tx(async (client) => {
      await client.query('DELETE FROM consent_entries WHERE contact_id = $1', [contactId]);
      await client.query('DELETE FROM consent_state WHERE contact_id = $1', [contactId]);
    });
  }
}

/** Derives the state of each contact from its whole ledger (the same rule as every store: deriveConsent). */
async function refreshStates(client: pg.PoolClient, contactIds: readonly string[]): Promise<void> {
  const result = await client.query<{ contact_id: string; data: ConsentEntry }>(
    'SELECT contact_id, data FROM consent_entries WHERE contact_id = ANY($1::text[]) ORDER BY seq',
    [contactIds],
  );
  const byContact = new Map<string, ConsentEntry[]>();
  for (const row of result.rows) {
    const list = byContact.get(row.contact_id);
    if (list) list.push(row.data);
    else byContact.set(row.contact_id, [row.data]);
  }
  const ids = [...byContact.keys()];
  const states = ids.map((id) => deriveConsent(byContact.get(id) ?? []));
  await client.query(
    `INSERT INTO consent_state (contact_id, marketing, transactional_allowed, data)
     SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::jsonb[])
     ON CONFLICT (contact_id) DO UPDATE SET marketing = excluded.marketing, transactional_allowed = excluded.transactional_allowed, data = excluded.data`,
    [ids, states.map((s) => s.marketing), states.map((s) => s.transactionalAllowed), states.map((s) => JSON.stringify(s))],
  );
}
