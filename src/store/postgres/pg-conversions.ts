import type { ConversionRecord } from '../../outcomes/conversion.js';
import type { ConversionRepository } from '../port.js';
import type { Db } from './db.js';
import { chunks } from './batches.js';

/** Conversions keyed by order id: the database keeps the first of each, whoever sends it again and from where. */
export class PgConversions implements ConversionRepository {
  constructor(private readonly db: Db) {}

  async insertNew(records: readonly ConversionRecord[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    if (records.length === 0) return inserted;
    this.db.writable();
    // The first of one id within the batch wins, as it would arriving alone.
    const first = new Map<string, ConversionRecord>();
    for (const record of records) if (!first.has(record.id)) first.set(record.id, record);
    await this.db.tx(async (client) => {
      for (const batch of chunks([...first.values()], 5000)) {
        const result = await client.query<{ id: string }>(
          `INSERT INTO conversions (id, campaign_id, at, data)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) ON CONFLICT (id) DO NOTHING RETURNING id`,
          [batch.map((r) => r.id), batch.map((r) => r.attribution?.campaignId ?? null), batch.map((r) => r.at), batch.map((r) => JSON.stringify(r))],
        );
        for (const row of result.rows) inserted.add(row.id);
      }
    });
    return inserted;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, ConversionRecord>> {
    const found = new Map<string, ConversionRecord>();
    if (ids.length === 0) return found;
    const result = await this.db.query<{ data: ConversionRecord }>('SELECT data FROM conversions WHERE id = ANY($1::text[])', [ids]);
    for (const { data } of result.rows) found.set(data.id, data);
    return found;
  }

  async listByCampaign(campaignId: string): Promise<ConversionRecord[]> {
    const result = await this.db.query<{ data: ConversionRecord }>('SELECT data FROM conversions WHERE campaign_id = $1 ORDER BY at, id', [campaignId]);
    return result.rows.map((row) => row.data);
  }

  async listByContact(contactId: string): Promise<ConversionRecord[]> {
    const result = await this.db.query<{ data: ConversionRecord }>(`SELECT data FROM conversions WHERE data->>'contactId' = $1 ORDER BY at, id`, [contactId]);
    return result.rows.map((row) => row.data);
  }

  async between(from: string, to: string): Promise<ConversionRecord[]> {
    const result = await this.db.query<{ data: ConversionRecord }>('SELECT data FROM conversions WHERE at >= $1 AND at < $2 ORDER BY at, id', [from, to]);
    return result.rows.map((row) => row.data);
  }

  async erase(contactId: string, redactedContactId: string): Promise<number> {
    this.db.writable();
    const result = await this.db.query(
      `UPDATE conversions SET data = jsonb_set(data, '{contactId}', to_jsonb($2::text)) WHERE data->>'contactId' = $1`,
      [contactId, redactedContactId],
    );
    return result.rowCount ?? 0;
  }
}
