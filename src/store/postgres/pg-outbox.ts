import type pg from 'pg';
import { AppError } from '../../common/errors.js';
import type { MessageStatus, OutboxMessage } from '../../delivery/outbox.js';
import type { OutboxRepository } from '../port.js';
import type { OutboxAggregate } from '../../campaigns/report-aggregate.js';
import { aggregateCampaign } from './pg-aggregate.js';
import type { Db } from './db.js';
import { pgCode } from './db.js';
import { chunks, lastById } from './batches.js';
import { COPY_THRESHOLD, copyIntoTemp, copyRows } from './copy-in.js';
import { readAhead } from '../../common/read-ahead.js';

/** Rows per statement: arrays of this size keep each statement well under a second. */
const BATCH = 5000;

const COLUMNS = ['id', 'campaign_id', 'contact_id', 'phone', 'kind', 'test', 'status', 'gateway', 'provider_message_id', 'due_at', 'lease_until', 'submitted_at', 'send_after', 'updated_at', 'cost', 'data'];

/** The columns kept beside the row's JSON (for the indexes and the forward-only rule), in COLUMNS order. */
function columnsOf(r: OutboxMessage): Array<string | number | boolean | null> {
  return [
    r.id, r.campaignId, r.contactId, r.phone, r.kind, Boolean(r.test), r.status, r.gateway, r.providerMessageId ?? null,
    r.retryAt ?? r.sendAfter, r.leaseUntil ?? null, r.submittedAt ?? null, r.sendAfter, r.updatedAt, r.cost, JSON.stringify(r),
  ];
}

/** The same, one array per column, for unnest(). */
function columns(rows: readonly OutboxMessage[]): unknown[] {
  const values = rows.map(columnsOf);
  return COLUMNS.map((_, i) => values.map((row) => row[i]));
}

const UNNEST = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::text[], $9::text[],
  $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::float8[], $16::jsonb[])
  AS u(id, campaign_id, contact_id, phone, kind, test, status, gateway, provider_message_id, due_at, lease_until, submitted_at, send_after, updated_at, cost, data)`;

const SET_ALL = `campaign_id = u.campaign_id, contact_id = u.contact_id, phone = u.phone, kind = u.kind, test = u.test, status = u.status,
  gateway = u.gateway, provider_message_id = u.provider_message_id, due_at = u.due_at, lease_until = u.lease_until,
  submitted_at = u.submitted_at, send_after = u.send_after, updated_at = u.updated_at, cost = u.cost, data = u.data`;

/** Statuses that count against a marketing frequency cap: everything that was or will be sent. */
export const NOT_COUNTED = ['canceled', 'rejected', 'failed'];

/** Unique keys of the outbox, said in words when a write would break one. */
function uniqueViolation(error: unknown): AppError | undefined {
  if (pgCode(error) !== '23505') return undefined;
  const constraint = (error as { constraint?: string }).constraint;
  if (constraint === 'outbox_one_per_recipient') {
    return new AppError('CONFLICT', 'A message to this recipient is already planned in this campaign; a campaign sends each recipient one message.', {
      hint: 'The campaign was probably started twice at once: check it with `smsbridge campaign show <id>`.', cause: error, details: (error as { detail?: string }).detail,
    });
  }
  if (constraint === 'outbox_provider_id') {
    return new AppError('CONFLICT', 'Two messages cannot share one gateway message id.', { cause: error, details: (error as { detail?: string }).detail });
  }
  return undefined;
}

/**
 * The outbox in one table. Claims take `FOR UPDATE SKIP LOCKED`, so several instances share the queue
 * without waiting on each other; every status change is written only where `outbox_can_move` allows
 * it (forward only), so a late receipt or a stale batch never moves a row back.
 */
export class PgOutbox implements OutboxRepository {
  constructor(private readonly db: Db) {}

  /** Inserts rows (replacing any with the same id, as a copy run again does). */
  async insertMany(rows: readonly OutboxMessage[]): Promise<void> {
    if (rows.length === 0) return;
    this.db.writable();
    try {
      await this.db.tx(async (client) => {
        const unique = lastById(rows);
        const upsert = `ON CONFLICT (id) DO UPDATE SET ${SET_ALL.replace(/u\./g, 'excluded.')}`;
        if (unique.length >= COPY_THRESHOLD) {
          // A campaign's plan: COPY into a temporary table, then one merge. Each row's columns are made as
          // COPY streams, so a plan of a million messages is never held twice.
          await copyIntoTemp(client, { temp: 'outbox_in', like: 'outbox', columns: COLUMNS, rows: (function* () { for (const row of unique) yield columnsOf(row); })() });
          await client.query(`INSERT INTO outbox (${COLUMNS.join(', ')}) SELECT ${COLUMNS.join(', ')} FROM outbox_in ${upsert}`);
          return;
        }
        for (const batch of chunks(unique, BATCH)) {
          await client.query(`INSERT INTO outbox (${COLUMNS.join(', ')}) SELECT * FROM ${UNNEST} ${upsert}`, columns(batch));
        }
      });
    } catch (error) {
      throw uniqueViolation(error) ?? error;
    }
  }

  /**
   * See OutboxRepository.insertPlan: each slice is copied into a temporary table and merged at once
   * (while the next slice is planned), all in one transaction that commits when the slices end. The
   * transaction holds one pooled connection for the whole plan: the plan's own reads take others.
   */
  async insertPlan(slices: AsyncIterable<readonly OutboxMessage[]>): Promise<void> {
    this.db.writable();
    try {
      await this.db.tx(async (client) => {
        await client.query('CREATE TEMP TABLE outbox_plan (LIKE outbox INCLUDING DEFAULTS) ON COMMIT DROP');
        const upsert = `ON CONFLICT (id) DO UPDATE SET ${SET_ALL.replace(/u\./g, 'excluded.')}`;
        for await (const slice of readAhead(slices)) {
          const unique = lastById(slice);
          if (unique.length === 0) continue;
          await copyRows(client, 'outbox_plan', COLUMNS, (function* () { for (const row of unique) yield columnsOf(row); })());
          await client.query(`INSERT INTO outbox (${COLUMNS.join(', ')}) SELECT ${COLUMNS.join(', ')} FROM outbox_plan ${upsert}`);
          await client.query('TRUNCATE outbox_plan');
        }
      });
    } catch (error) {
      throw uniqueViolation(error) ?? error;
    }
  }

  /** Replaces rows by id where the status move is allowed; a row whose move is not allowed keeps its state. */
  async updateMany(rows: readonly OutboxMessage[]): Promise<void> {
    if (rows.length === 0) return;
    this.db.writable();
    try {
      await this.db.tx(async (client) => {
        for (const batch of chunks(lastById(rows), BATCH)) await updateBatch(client, batch);
      });
    } catch (error) {
      throw uniqueViolation(error) ?? error;
    }
  }

  async claimDue(options: { now: Date; limit: number; leaseMs: number; attemptId: string; campaignIds: ReadonlySet<string> }): Promise<OutboxMessage[]> {
    if (options.limit <= 0 || options.campaignIds.size === 0) return [];
    this.db.writable();
    const now = options.now.toISOString();
    const lease = new Date(options.now.getTime() + options.leaseMs).toISOString();
    const result = await this.db.query<{ data: OutboxMessage }>(
      `WITH picked AS (
         SELECT id FROM outbox
         WHERE status = 'queued' AND due_at <= $1::text::timestamptz AND campaign_id = ANY($2::text[])
         ORDER BY due_at, id LIMIT $3
         FOR UPDATE SKIP LOCKED
       )
       UPDATE outbox o SET status = 'sending', lease_until = $5::text::timestamptz, updated_at = $1::text::timestamptz,
         data = o.data || jsonb_build_object('status', 'sending', 'attempts', coalesce((o.data ->> 'attempts')::int, 0) + 1,
                                             'attemptId', $4::text, 'leaseUntil', $5::text, 'updatedAt', $1::text)
       FROM picked WHERE o.id = picked.id
       RETURNING o.data, o.due_at`,
      [now, [...options.campaignIds], options.limit, options.attemptId, lease],
    );
    return result.rows.map((row) => row.data).sort(byDue);
  }

  /** Any instance may run this at any time: the rows it turns `unknown` are the ones whose lease ran out. */
  async expireLeases(now: Date): Promise<OutboxMessage[]> {
    this.db.writable();
    const at = now.toISOString();
    const result = await this.db.query<{ data: OutboxMessage }>(
      `UPDATE outbox SET status = 'unknown', updated_at = $1::text::timestamptz,
         data = data || jsonb_build_object('status', 'unknown', 'updatedAt', $1::text)
       WHERE status = 'sending' AND coalesce(lease_until, '-infinity') < $1::text::timestamptz
       RETURNING data`,
      [at],
    );
    return result.rows.map((row) => row.data).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async getMany(ids: readonly string[]): Promise<Map<string, OutboxMessage>> {
    const found = new Map<string, OutboxMessage>();
    if (ids.length === 0) return found;
    const result = await this.db.query<{ data: OutboxMessage }>('SELECT data FROM outbox WHERE id = ANY($1::text[])', [ids]);
    for (const { data } of result.rows) found.set(data.id, data);
    return found;
  }

  async getByProviderIds(gateway: string, providerIds: readonly string[]): Promise<Map<string, OutboxMessage>> {
    const found = new Map<string, OutboxMessage>();
    if (providerIds.length === 0) return found;
    const result = await this.db.query<{ data: OutboxMessage }>(
      'SELECT data FROM outbox WHERE gateway = $1 AND provider_message_id = ANY($2::text[])',
      [gateway, providerIds],
    );
    for (const { data } of result.rows) if (data.providerMessageId) found.set(data.providerMessageId, data);
    return found;
  }

  /** The message that last left for this number: sending or submitted at some point, latest first. */
  async lastToPhone(phone: string): Promise<OutboxMessage | undefined> {
    const result = await this.db.query<{ data: OutboxMessage }>(
      `SELECT data FROM outbox
       WHERE phone = $1 AND (submitted_at IS NOT NULL OR status IN ('sending', 'unknown'))
       ORDER BY coalesce(submitted_at, updated_at) DESC, id DESC LIMIT 1`,
      [phone],
    );
    return result.rows[0]?.data;
  }

  async listByCampaign(campaignId: string, options: { limit: number; afterId?: string }): Promise<OutboxMessage[]> {
    const result = await this.db.query<{ data: OutboxMessage }>(
      'SELECT data FROM outbox WHERE campaign_id = $1 AND id > $2 ORDER BY id LIMIT $3',
      [campaignId, options.afterId ?? '', options.limit],
    );
    return result.rows.map((row) => row.data);
  }

  async countByStatus(campaignId: string): Promise<Partial<Record<MessageStatus, number>>> {
    const result = await this.db.query<{ status: MessageStatus; n: string }>(
      'SELECT status, count(*) AS n FROM outbox WHERE campaign_id = $1 AND NOT test GROUP BY status',
      [campaignId],
    );
    const counts: Partial<Record<MessageStatus, number>> = {};
    for (const row of result.rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async spent(campaignId: string): Promise<number> {
    const result = await this.db.query<{ total: number | null }>(
      `SELECT sum(cost) AS total FROM outbox WHERE campaign_id = $1 AND NOT test AND (submitted_at IS NOT NULL OR status = 'unknown')`,
      [campaignId],
    );
    return Number(result.rows[0]?.total ?? 0);
  }

  async marketingSendTimes(contactIds: readonly string[], since: Date): Promise<Map<string, Date[]>> {
    const found = new Map<string, Date[]>();
    if (contactIds.length === 0) return found;
    const result = await this.db.query<{ contact_id: string; at: Date }>(
      `SELECT contact_id, coalesce(submitted_at, send_after) AS at FROM outbox
       WHERE contact_id = ANY($1::text[]) AND kind = 'marketing' AND NOT test AND status <> ALL($2::text[])
         AND coalesce(submitted_at, send_after) >= $3::timestamptz`,
      [contactIds, NOT_COUNTED, since.toISOString()],
    );
    for (const row of result.rows) {
      const times = found.get(row.contact_id);
      if (times) times.push(row.at);
      else found.set(row.contact_id, [row.at]);
    }
    return found;
  }

  async marketingSentTo(contactIds: readonly string[], since: Date): Promise<Map<string, OutboxMessage[]>> {
    const found = new Map<string, OutboxMessage[]>();
    if (contactIds.length === 0) return found;
    const result = await this.db.query<{ data: OutboxMessage }>(
      `SELECT data FROM outbox WHERE contact_id = ANY($1::text[]) AND kind = 'marketing' AND NOT test AND submitted_at >= $2::text::timestamptz`,
      [contactIds, since.toISOString()],
    );
    for (const { data } of result.rows) {
      const rows = found.get(data.contactId);
      if (rows) rows.push(data);
      else found.set(data.contactId, [data]);
    }
    return found;
  }

  /** The campaign's totals, computed in the database (GROUP BY): flat memory, no row leaves it. */
  async aggregate(campaignId: string): Promise<OutboxAggregate> {
    return aggregateCampaign(this.db, campaignId);
  }

  async erase(match: { contactId?: string; phone: string }, redacted: { phone: string; contactId: string; text: string }): Promise<number> {
    this.db.writable();
    const result = await this.db.query(
      `UPDATE outbox SET phone = $3, contact_id = $4, erased = true,
         data = data || jsonb_build_object('phone', $3::text, 'contactId', $4::text, 'text', $5::text)
       WHERE phone = $1 OR ($2::text IS NOT NULL AND contact_id = $2::text)`,
      [match.phone, match.contactId ?? null, redacted.phone, redacted.contactId, redacted.text],
    );
    return result.rowCount ?? 0;
  }
}

/** A batch computed before an erasure (a send result recorded late) never brings the number or text back. */
const ERASED_STAYS_ERASED = `data = CASE WHEN o.erased
  THEN u.data || jsonb_build_object('phone', o.data -> 'phone', 'contactId', o.data -> 'contactId', 'text', o.data -> 'text')
  ELSE u.data END`;

/**
 * The rows of a batch as one JSON array, and the columns read from each in SQL (as columnsOf does in
 * JavaScript): one parameter, so no array literal of sixteen columns is built, escaped and sent.
 */
const FROM_JSON = `(SELECT r ->> 'id' AS id, r ->> 'campaignId' AS campaign_id, r ->> 'contactId' AS contact_id, r ->> 'phone' AS phone,
    r ->> 'kind' AS kind, coalesce((r ->> 'test')::boolean, false) AS test, r ->> 'status' AS status, r ->> 'gateway' AS gateway,
    r ->> 'providerMessageId' AS provider_message_id, coalesce(r ->> 'retryAt', r ->> 'sendAfter')::timestamptz AS due_at,
    (r ->> 'leaseUntil')::timestamptz AS lease_until, (r ->> 'submittedAt')::timestamptz AS submitted_at,
    (r ->> 'sendAfter')::timestamptz AS send_after, (r ->> 'updatedAt')::timestamptz AS updated_at, (r ->> 'cost')::float8 AS cost, r AS data
  FROM jsonb_array_elements($1::jsonb) AS rows(r)) u`;

const UPDATE_BATCH = `UPDATE outbox o SET ${SET_ALL.replace('phone = u.phone', 'phone = CASE WHEN o.erased THEN o.phone ELSE u.phone END')
  .replace('contact_id = u.contact_id', 'contact_id = CASE WHEN o.erased THEN o.contact_id ELSE u.contact_id END')
  .replace('data = u.data', ERASED_STAYS_ERASED)}
  FROM ${FROM_JSON}
  WHERE o.id = u.id AND outbox_can_move(o.status, u.status)`;

/** One statement per batch; the WHERE holds the forward-only rule, so no caller can break it. */
async function updateBatch(client: pg.PoolClient, batch: readonly OutboxMessage[]): Promise<void> {
  await client.query(UPDATE_BATCH, [JSON.stringify(batch)]);
}

function byDue(a: OutboxMessage, b: OutboxMessage): number {
  const da = a.retryAt ?? a.sendAfter;
  const dbb = b.retryAt ?? b.sendAfter;
  if (da !== dbb) return da < dbb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
