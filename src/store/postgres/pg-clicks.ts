import type { ClickRecord, ClickRepository, LinkRepository, ShortLink } from '../port.js';
import type { Db } from './db.js';
import { chunks } from './batches.js';
import { COPY_THRESHOLD, copyIntoTemp } from './copy-in.js';

/** Short links by code (the redirect's lookup: one primary-key read). */
export class PgLinks implements LinkRepository {
  constructor(private readonly db: Db) {}

  async insertMany(links: readonly ShortLink[]): Promise<void> {
    if (links.length === 0) return;
    this.db.writable();
    const byCode = new Map(links.map((link) => [link.code, link]));
    const unique = [...byCode.values()];
    const upsert = 'ON CONFLICT (code) DO UPDATE SET campaign_id = excluded.campaign_id, contact_id = excluded.contact_id, data = excluded.data';
    await this.db.tx(async (client) => {
      if (unique.length >= COPY_THRESHOLD) {
        await copyIntoTemp(client, { temp: 'links_in', like: 'short_links', columns: ['code', 'campaign_id', 'contact_id', 'data'], rows: unique.map((l) => [l.code, l.campaignId, l.contactId ?? null, JSON.stringify(l)]) });
        await client.query(`INSERT INTO short_links (code, campaign_id, contact_id, data) SELECT code, campaign_id, contact_id, data FROM links_in ${upsert}`);
        return;
      }
      for (const batch of chunks(unique, 5000)) {
        await client.query(
          `INSERT INTO short_links (code, campaign_id, contact_id, data) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) ${upsert}`,
          [batch.map((l) => l.code), batch.map((l) => l.campaignId), batch.map((l) => l.contactId ?? null), batch.map((l) => JSON.stringify(l))],
        );
      }
    });
  }

  async getMany(codes: readonly string[]): Promise<Map<string, ShortLink>> {
    const found = new Map<string, ShortLink>();
    if (codes.length === 0) return found;
    const result = await this.db.query<{ data: ShortLink }>('SELECT data FROM short_links WHERE code = ANY($1::text[])', [codes]);
    for (const { data } of result.rows) found.set(data.code, data);
    return found;
  }

  async erase(contactId: string, redactedContactId: string): Promise<number> {
    this.db.writable();
    const result = await this.db.query(
      `UPDATE short_links SET contact_id = $2, data = data || jsonb_build_object('contactId', $2::text) WHERE contact_id = $1`,
      [contactId, redactedContactId],
    );
    return result.rowCount ?? 0;
  }
}

/** Every click, in arrival order; listed per campaign by time. A click already stored (a copy run again) is kept once. */
export class PgClicks implements ClickRepository {
  constructor(private readonly db: Db) {}

  async append(records: readonly ClickRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.db.writable();
    await this.db.tx(async (client) => {
      for (const batch of chunks(records, 5000)) {
        await client.query(
          `INSERT INTO clicks (id, campaign_id, contact_id, at, data)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[]) ON CONFLICT (id) DO NOTHING`,
          [batch.map((r) => r.id), batch.map((r) => r.campaignId), batch.map((r) => r.contactId ?? null), batch.map((r) => r.at), batch.map((r) => JSON.stringify(r))],
        );
      }
    });
  }

  async listByCampaign(campaignId: string): Promise<ClickRecord[]> {
    const result = await this.db.query<{ data: ClickRecord }>('SELECT data FROM clicks WHERE campaign_id = $1 ORDER BY at, seq', [campaignId]);
    return result.rows.map((row) => row.data);
  }

  async erase(contactId: string, redactedContactId: string): Promise<number> {
    this.db.writable();
    const result = await this.db.query(
      `UPDATE clicks SET contact_id = $2, data = (data - 'userAgent') || jsonb_build_object('contactId', $2::text) WHERE contact_id = $1`,
      [contactId, redactedContactId],
    );
    return result.rowCount ?? 0;
  }
}
