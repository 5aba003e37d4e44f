import type pg from 'pg';
import type { ConsentEntry, ConsentState } from '../../consent/consent.js';
import { deriveConsent } from '../../consent/ledger.js';
import type { ConsentRepository, ConsentSummary } from '../port.js';
import type { Db } from './db.js';
import { chunks } from './batches.js';
import { COPY_THRESHOLD, copyIntoTemp, copyNew } from './copy-in.js';

const STATE_COLUMNS = ['contact_id', 'marketing', 'transactional_allowed', 'data'];
const ENTRY_COLUMNS = ['id', 'contact_id', 'data'];

/**
 * The consent ledger (append-only, one row per entry) and each contact's derived state, updated in
 * the same transaction as the entries, so a reader never sees one without the other.
 */
export class PgConsent implements ConsentRepository {
  constructor(private readonly db: Db) {}

  async append(entries: readonly ConsentEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.db.writable();
    const byContact = groupByContact(entries);
    const contactIds = [...byContact.keys()].sort();
    await this.db.tx(async (client) => {
      // A contact with no ledger yet (most of an import) takes the state these entries give it, in one
      // insert; the rest are the contacts already known. Appends to one contact's ledger from several
      // instances take turns: the insert holds a new row until commit, and a known contact's row is
      // locked; both in id order, so two appends cannot deadlock. Row locks, not advisory ones, so an
      // import of a million entries does not fill the lock table.
      const fresh = await insertNewStates(client, contactIds, byContact);
      const known = contactIds.filter((id) => !fresh.has(id));
      for (const batch of chunks(known, 5000)) {
        await client.query('SELECT contact_id FROM consent_state WHERE contact_id = ANY($1::text[]) ORDER BY contact_id FOR UPDATE', [batch]);
      }
      // An entry id already there (a copy run again) is kept once.
      if (entries.length >= COPY_THRESHOLD) {
        const rows = entries.map((e) => [e.id, e.contactId, JSON.stringify(e)] as const);
        if (!(await copyNew(client, 'consent_entries', ENTRY_COLUMNS, rows))) {
          await copyIntoTemp(client, { temp: 'consent_in', like: 'consent_entries', columns: ENTRY_COLUMNS, rows });
          await client.query('INSERT INTO consent_entries (seq, id, contact_id, data) SELECT seq, id, contact_id, data FROM consent_in ORDER BY seq ON CONFLICT (id) DO NOTHING');
        }
      } else {
        await client.query(
          `INSERT INTO consent_entries (id, contact_id, data)
           SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[]) ON CONFLICT (id) DO NOTHING`,
          [entries.map((e) => e.id), entries.map((e) => e.contactId), entries.map((e) => JSON.stringify(e))],
        );
      }
      for (const batch of chunks(known, 5000)) await refreshStates(client, batch);
    }, { lazyCommit: entries.length >= COPY_THRESHOLD });
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

function groupByContact(entries: readonly ConsentEntry[]): Map<string, ConsentEntry[]> {
  const byContact = new Map<string, ConsentEntry[]>();
  for (const entry of entries) {
    const list = byContact.get(entry.contactId);
    if (list) list.push(entry);
    else byContact.set(entry.contactId, [entry]);
  }
  return byContact;
}

/**
 * Inserts the state of every contact that has none yet, derived from its entries in this append
 * alone (it has no others: a ledger and its state are written and erased together). Returns those ids.
 */
async function insertNewStates(client: pg.PoolClient, contactIds: readonly string[], byContact: ReadonlyMap<string, readonly ConsentEntry[]>): Promise<Set<string>> {
  const rows = contactIds.map((id) => {
    const state = deriveConsent(byContact.get(id) ?? []);
    return [id, state.marketing, state.transactionalAllowed, JSON.stringify(state)] as const;
  });
  const inserted = new Set<string>();
  if (rows.length >= COPY_THRESHOLD) {
    // An import's new contacts: no state yet, all straight in.
    if (await copyNew(client, 'consent_state', STATE_COLUMNS, rows)) return new Set(contactIds);
    await copyIntoTemp(client, { temp: 'consent_state_in', like: 'consent_state', columns: STATE_COLUMNS, rows });
    const result = await client.query<{ contact_id: string }>(
      `INSERT INTO consent_state (${STATE_COLUMNS.join(', ')}) SELECT ${STATE_COLUMNS.join(', ')} FROM consent_state_in ORDER BY contact_id COLLATE "C"
       ON CONFLICT (contact_id) DO NOTHING RETURNING contact_id`,
    );
    for (const row of result.rows) inserted.add(row.contact_id);
    return inserted;
  }
  for (const batch of chunks(rows, 5000)) {
    const result = await client.query<{ contact_id: string }>(
      `INSERT INTO consent_state (${STATE_COLUMNS.join(', ')})
       SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::jsonb[]) ON CONFLICT (contact_id) DO NOTHING RETURNING contact_id`,
      [batch.map((r) => r[0]), batch.map((r) => r[1]), batch.map((r) => r[2]), batch.map((r) => r[3])],
    );
    for (const row of result.rows) inserted.add(row.contact_id);
  }
  return inserted;
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
