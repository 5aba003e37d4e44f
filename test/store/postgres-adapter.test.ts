import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { MessageStatus } from '../../src/delivery/outbox.js';
import { canMove } from '../../src/delivery/outbox.js';
import { Db } from '../../src/store/postgres/db.js';
import { LATEST_VERSION, MIGRATIONS, migrate } from '../../src/store/postgres/migrations.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { makeOutboxRow } from '../helpers/factories.js';
import { TEST_DATABASE_URL, checkPostgres, noteSkipped, testSchemas } from '../helpers/postgres.js';

const server = await checkPostgres();
if (!server.ok) noteSkipped('the PostgreSQL adapter tests', server.reason);
const schemas = testSchemas('adapter');
const opened: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const item of opened.splice(0)) await item.close().catch(() => undefined);
  await schemas.dropAll();
});

async function open(schema = schemas.next(), extra: { readOnly?: boolean } = {}): Promise<PostgresStore> {
  const store = await PostgresStore.open({ url: TEST_DATABASE_URL, schema, poolSize: 3, ...extra });
  opened.push(store);
  return store;
}

async function sql<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const STATUSES: MessageStatus[] = ['queued', 'sending', 'submitted', 'delivered', 'undelivered', 'failed', 'expired', 'rejected', 'canceled', 'unknown'];
const T = (minutes: number): string => new Date(Date.UTC(2026, 10, 27, 7, minutes)).toISOString();

describe.skipIf(!server.ok)('postgres store: migrations', () => {
  it('applies every step once, records the version, and does nothing the second time', async () => {
    const schema = schemas.next();
    const db = new Db({ url: TEST_DATABASE_URL, schema, poolSize: 1 });
    try {
      expect(await migrate(db)).toEqual({ schema, from: 0, to: LATEST_VERSION, applied: MIGRATIONS.map((m) => m.version) });
      expect(await migrate(db)).toEqual({ schema, from: LATEST_VERSION, to: LATEST_VERSION, applied: [] });
      const rows = await sql<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await db.close();
    }
  });

  it('two instances starting at once: one migrates, the other waits and finds nothing to do', async () => {
    const schema = schemas.next();
    const dbs = [0, 1, 2].map(() => new Db({ url: TEST_DATABASE_URL, schema, poolSize: 1 }));
    try {
      const results = await Promise.all(dbs.map((db) => migrate(db)));
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, MIGRATIONS.length]);
    } finally {
      for (const db of dbs) await db.close();
    }
  });

  it('applies a new step in a transaction: a failing one leaves the schema as it was', async () => {
    const schema = schemas.next();
    const db = new Db({ url: TEST_DATABASE_URL, schema, poolSize: 1 });
    try {
      await migrate(db);
      const broken = [...MIGRATIONS, { version: LATEST_VERSION + 1, name: 'broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_column FROM outbox;' }];
      await expect(migrate(db, broken)).rejects.toThrow(/no_such_column/);
      expect(await sql(`SELECT to_regclass('${schema}.half_done') AS t`)).toEqual([{ t: null }]);
      const good = [...MIGRATIONS, { version: LATEST_VERSION + 1, name: 'extra', sql: 'CREATE TABLE extra (id int)' }];
      expect((await migrate(db, good)).applied).toEqual([LATEST_VERSION + 1]);
    } finally {
      await db.close();
    }
  });

  it('refuses a schema newer than the code knows, saying to upgrade; a read-only open does not migrate', async () => {
    const schema = schemas.next();
    await expect(open(schema, { readOnly: true })).rejects.toMatchObject({ code: 'CONFIG_INVALID', hint: expect.stringContaining('smsbridge migrate') });
    const store = await open(schema);
    await store.close();
    await sql(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, 'from the future')`, [LATEST_VERSION + 5]);
    await expect(open(schema)).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining(`version ${LATEST_VERSION + 5}`), hint: expect.stringContaining('upgrade') });
    await expect(open(schema, { readOnly: true })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('says plainly when the server cannot be reached, with the password masked', async () => {
    await expect(PostgresStore.open({ url: 'postgres://app:s3cret@127.0.0.1:1/test', schema: 'public' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID', message: expect.stringMatching(/Cannot connect to PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/test/),
    });
  });
});

describe.skipIf(!server.ok)('postgres store: the database enforces the rules', () => {
  it('moves statuses forward only, in SQL: outbox_can_move agrees with canMove, plus same-status updates and unknown → queued', async () => {
    const store = await open();
    const pairs: Array<[MessageStatus, MessageStatus]> = STATUSES.flatMap((a) => STATUSES.map((b) => [a, b] as [MessageStatus, MessageStatus]));
    const rows = await sql<{ a: string; b: string; ok: boolean }>(
      `SELECT a, b, ${store.db.options.schema}.outbox_can_move(a, b) AS ok FROM unnest($1::text[], $2::text[]) AS p(a, b)`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    for (const row of rows) {
      const a = row.a as MessageStatus;
      const b = row.b as MessageStatus;
      expect(row.ok, `${a} → ${b}`).toBe(a === b || canMove(a, b) || (a === 'unknown' && b === 'queued'));
    }
  });

  it('a stale batch never moves a row back: a late "submitted" leaves a delivered row delivered', async () => {
    const store = await open();
    const row = makeOutboxRow({ campaignId: 'c1', contactId: 'a', status: 'submitted', providerMessageId: 'P1', submittedAt: T(0) });
    await store.outbox.insertMany([row]);
    await store.outbox.updateMany([{ ...row, status: 'delivered', finalAt: T(1) }]);
    await store.outbox.updateMany([{ ...row, status: 'submitted', updatedAt: T(2) }]);
    await store.outbox.updateMany([{ ...row, status: 'queued', updatedAt: T(3) }]);
    expect((await store.outbox.getMany([row.id])).get(row.id)).toMatchObject({ status: 'delivered', finalAt: T(1) });
    const unknown = makeOutboxRow({ campaignId: 'c1', contactId: 'b', status: 'unknown' });
    await store.outbox.insertMany([unknown]);
    await store.outbox.updateMany([{ ...unknown, status: 'queued', requeuedAt: T(4) }]);
    expect((await store.outbox.getMany([unknown.id])).get(unknown.id)).toMatchObject({ status: 'queued', requeuedAt: T(4) });
  });

  it('one message per recipient per campaign (test sends aside); one row per gateway message id', async () => {
    const store = await open();
    await store.outbox.insertMany([makeOutboxRow({ campaignId: 'c1', contactId: 'a' }), makeOutboxRow({ campaignId: 'c2', contactId: 'a' })]);
    await expect(store.outbox.insertMany([makeOutboxRow({ campaignId: 'c1', contactId: 'a' })])).rejects.toMatchObject({ code: 'CONFLICT' });
    const tests = [makeOutboxRow({ campaignId: 'c1', contactId: 'test:+79120000001', test: true }), makeOutboxRow({ campaignId: 'c1', contactId: 'test:+79120000001', test: true })];
    await store.outbox.insertMany(tests);
    expect(await store.outbox.listByCampaign('c1', { limit: 10 })).toHaveLength(3);

    await store.outbox.insertMany([makeOutboxRow({ campaignId: 'c3', contactId: 'x', providerMessageId: 'SAME', status: 'submitted', submittedAt: T(0) })]);
    const other = makeOutboxRow({ campaignId: 'c3', contactId: 'y' });
    await store.outbox.insertMany([other]);
    await expect(store.outbox.updateMany([{ ...other, status: 'submitted', providerMessageId: 'SAME', submittedAt: T(1) }])).rejects.toMatchObject({ code: 'CONFLICT' });
    await store.outbox.updateMany([{ ...other, status: 'submitted', gateway: 'twilio', providerMessageId: 'SAME', submittedAt: T(1) }]);
  });

  it('erasing two rows of one campaign to the same redacted id does not collide; a late batch does not bring the number back', async () => {
    const store = await open();
    const a = makeOutboxRow({ campaignId: 'c1', contactId: 'a', phone: '+79120000009' });
    const b = makeOutboxRow({ campaignId: 'c1', contactId: 'phone:+79120000009', phone: '+79120000009' });
    await store.outbox.insertMany([a, b]);
    expect(await store.outbox.erase({ contactId: 'a', phone: '+79120000009' }, { phone: 'erased', contactId: 'erased:1', text: '[erased]' })).toBe(2);
    await store.outbox.updateMany([{ ...a, status: 'submitted', submittedAt: T(1) }]);
    expect((await store.outbox.getMany([a.id])).get(a.id)).toMatchObject({ status: 'submitted', phone: 'erased', contactId: 'erased:1', text: '[erased]' });
  });

  it('one idempotency record per key and one greeting per greetingKey', async () => {
    const store = await open();
    await store.idempotency.put({ id: 'key-1', fingerprint: 'f1', status: 202, body: { a: 1 }, at: T(0) });
    await store.idempotency.put({ id: 'key-1', fingerprint: 'f2', status: 202, body: { a: 2 }, at: T(1) });
    await store.greetings.put({ id: 'c-1:2026', at: T(0) });
    await store.greetings.put({ id: 'c-1:2026', at: T(1) });
    const rows = await sql<{ kind: string; n: string }>(`SELECT kind, count(*) AS n FROM ${store.db.options.schema}.records GROUP BY kind ORDER BY kind`);
    expect(rows).toEqual([{ kind: 'greetings', n: '1' }, { kind: 'idempotency', n: '1' }]);
  });

  it('a read-only store reads and refuses changes', async () => {
    const schema = schemas.next();
    const writer = await open(schema);
    await writer.campaigns.put({ id: 'x' } as never);
    const reader = await open(schema, { readOnly: true });
    expect(await reader.campaigns.get('x')).toEqual({ id: 'x' });
    await expect(reader.outbox.insertMany([makeOutboxRow({ campaignId: 'c', contactId: 'a' })])).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    expect(reader.describe()).toMatchObject({ kind: 'postgres', readOnly: true });
  });

  it('describes itself with the password masked', async () => {
    const store = await open();
    const url = new URL(TEST_DATABASE_URL);
    url.password = 'hunter2';
    const masked = await PostgresStore.open({ url: url.toString(), schema: store.db.options.schema, poolSize: 1 });
    opened.push(masked);
    expect(masked.describe().location).not.toContain('hunter2');
    expect(masked.describe().location).toContain(`schema ${store.db.options.schema}`);
  });
});

describe.skipIf(!server.ok)('postgres store: several instances on one database', () => {
  it('claims from two connections at once never return the same row, and together take every row', async () => {
    const schema = schemas.next();
    const a = await open(schema);
    const b = await open(schema);
    const rows = Array.from({ length: 600 }, (_, i) => makeOutboxRow({ campaignId: 'big', contactId: `r${i}`, sendAfter: T(i % 7) }));
    await a.outbox.insertMany(rows);
    const claimAll = async (store: PostgresStore, name: string): Promise<string[]> => {
      const ids: string[] = [];
      for (let round = 0; ; round += 1) {
        const got = await store.outbox.claimDue({ now: new Date(T(30)), limit: 25, leaseMs: 60_000, attemptId: `${name}-${round}`, campaignIds: new Set(['big']) });
        if (got.length === 0) return ids;
        ids.push(...got.map((r) => r.id));
      }
    };
    const [fromA, fromB] = await Promise.all([claimAll(a, 'a'), claimAll(b, 'b')]);
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromB.length).toBeGreaterThan(0);
    expect(fromA.filter((id) => fromB.includes(id))).toEqual([]);
    expect([...fromA, ...fromB].sort()).toEqual(rows.map((r) => r.id).sort());
    const attempts = await sql<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.outbox WHERE (data ->> 'attempts')::int <> 1 OR status <> 'sending'`);
    expect(attempts).toEqual([{ n: '0' }]);
  });

  it('skips rows another transaction holds instead of waiting for them', async () => {
    const schema = schemas.next();
    const store = await open(schema);
    const rows = Array.from({ length: 10 }, (_, i) => makeOutboxRow({ campaignId: 'c', contactId: `r${i}`, sendAfter: T(i) }));
    await store.outbox.insertMany(rows);
    const holder = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      const held = await holder.query<{ id: string }>(`SELECT id FROM ${schema}.outbox ORDER BY due_at LIMIT 4 FOR UPDATE`);
      const claimed = await store.outbox.claimDue({ now: new Date(T(30)), limit: 10, leaseMs: 60_000, attemptId: 'x', campaignIds: new Set(['c']) });
      expect(claimed.map((r) => r.id)).toEqual(rows.slice(4).map((r) => r.id));
      expect(claimed.map((r) => r.id)).not.toContain(held.rows[0]?.id);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });

  it('another instance turns a dead one\'s expired leases into unknown, never back to queued', async () => {
    const schema = schemas.next();
    const dead = await open(schema);
    const alive = await open(schema);
    const rows = Array.from({ length: 5 }, (_, i) => makeOutboxRow({ campaignId: 'c', contactId: `r${i}` }));
    await dead.outbox.insertMany(rows);
    await dead.outbox.claimDue({ now: new Date(T(0)), limit: 3, leaseMs: 60_000, attemptId: 'dead', campaignIds: new Set(['c']) });
    await dead.close();
    expect(await alive.outbox.expireLeases(new Date(T(0)))).toEqual([]);
    const expired = await alive.outbox.expireLeases(new Date(T(2)));
    expect(expired.map((r) => r.status)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(await alive.outbox.countByStatus('c')).toEqual({ unknown: 3, queued: 2 });
  });
});
