import type { InboundRecord } from '../../campaigns/report.js';
import type { InboundRepository } from '../port.js';
import type { Db } from './db.js';
import { chunks } from './batches.js';

/**
 * Inbound messages in arrival order (a sequence), each event key at most once: a replay that reaches
 * two instances at once is stored once.
 */
export class PgInbound implements InboundRepository {
  constructor(private readonly db: Db) {}

  async append(records: readonly InboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.db.writable();
    await this.db.tx(async (client) => {
      for (const batch of chunks(records, 5000)) {
        await client.query(
          `INSERT INTO inbound (id, at, from_phone, contact_id, campaign_id, key, data)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
           ON CONFLICT DO NOTHING`,
          [
            batch.map((r) => r.id), batch.map((r) => r.at), batch.map((r) => r.from), batch.map((r) => r.contactId ?? null),
            batch.map((r) => r.campaignId ?? null), batch.map((r) => r.key ?? null), batch.map((r) => JSON.stringify(r)),
          ],
        );
      }
    });
  }

  async listByCampaign(campaignId: string): Promise<InboundRecord[]> {
    const result = await this.db.query<{ data: InboundRecord }>('SELECT data FROM inbound WHERE campaign_id = $1 ORDER BY seq', [campaignId]);
    return result.rows.map((row) => row.data);
  }

  async recent(limit: number): Promise<InboundRecord[]> {
    const result = await this.db.query<{ data: InboundRecord }>('SELECT data FROM (SELECT seq, data FROM inbound ORDER BY seq DESC LIMIT $1) r ORDER BY seq', [limit]);
    return result.rows.map((row) => row.data);
  }

  async since(at: string, limit: number): Promise<InboundRecord[]> {
    const result = await this.db.query<{ data: InboundRecord }>('SELECT data FROM inbound WHERE at > $1 ORDER BY at, seq LIMIT $2', [at, limit]);
    return result.rows.map((row) => row.data);
  }

  async erase(match: { contactId?: string; phone: string }, redactedFrom: string): Promise<number> {
    this.db.writable();
    const result = await this.db.query(
      `UPDATE inbound SET from_phone = $3, contact_id = NULL,
         data = (data - 'contactId') || jsonb_build_object('from', $3::text, 'text', '')
       WHERE from_phone = $1 OR ($2::text IS NOT NULL AND contact_id = $2::text)`,
      [match.phone, match.contactId ?? null, redactedFrom],
    );
    return result.rowCount ?? 0;
  }

  async seenKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const result = await this.db.query<{ key: string }>('SELECT key FROM inbound WHERE key = ANY($1::text[])', [keys]);
    return new Set(result.rows.map((row) => row.key));
  }
}
