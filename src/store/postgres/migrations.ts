import type pg from 'pg';
import { AppError } from '../../common/errors.js';
import type { Db } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema, one numbered step at a time. A released step is never edited: a change is a new step.
 * Ids compare in byte order (COLLATE "C"), like the embedded store's string order.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'store tables',
    sql: `
CREATE TABLE contacts (
  id text COLLATE "C" PRIMARY KEY,
  phone text NOT NULL,
  data jsonb NOT NULL,
  -- Deferred: one batch may hand a number from one contact to another.
  CONSTRAINT contacts_phone_key UNIQUE (phone) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE consent_entries (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  contact_id text NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX consent_entries_contact ON consent_entries (contact_id, seq);

CREATE TABLE consent_state (
  contact_id text PRIMARY KEY,
  marketing text NOT NULL,
  transactional_allowed boolean NOT NULL,
  data jsonb NOT NULL
);

-- Segments, templates and any other repository of items saved under a unique name.
CREATE TABLE named_items (
  kind text NOT NULL,
  name text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (kind, name)
);

-- Campaigns, automations, greetings (one per greetingKey: contact and year), idempotency keys (one per
-- REST request), integration state, suppressions, and any record repository added later.
CREATE TABLE records (
  kind text NOT NULL,
  id text COLLATE "C" NOT NULL,
  data jsonb NOT NULL,
  at text COLLATE "C" GENERATED ALWAYS AS (data ->> 'at') STORED,
  PRIMARY KEY (kind, id)
);
CREATE INDEX records_at ON records (kind, at);

CREATE TABLE outbox (
  id text COLLATE "C" PRIMARY KEY,
  campaign_id text COLLATE "C" NOT NULL,
  contact_id text NOT NULL,
  phone text NOT NULL,
  kind text NOT NULL,
  test boolean NOT NULL DEFAULT false,
  erased boolean NOT NULL DEFAULT false,
  status text NOT NULL,
  gateway text NOT NULL,
  provider_message_id text,
  due_at timestamptz NOT NULL,
  lease_until timestamptz,
  submitted_at timestamptz,
  send_after timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  cost double precision NOT NULL,
  data jsonb NOT NULL
);
-- One message per recipient per campaign run (every run of a recurring campaign is a campaign of its
-- own); test sends and erased rows aside.
CREATE UNIQUE INDEX outbox_one_per_recipient ON outbox (campaign_id, contact_id) WHERE NOT test AND NOT erased;
CREATE UNIQUE INDEX outbox_provider_id ON outbox (gateway, provider_message_id) WHERE provider_message_id IS NOT NULL;
CREATE INDEX outbox_campaign ON outbox (campaign_id, id);
CREATE INDEX outbox_campaign_status ON outbox (campaign_id, status) INCLUDE (cost, test, submitted_at);
CREATE INDEX outbox_due ON outbox (due_at, id) WHERE status = 'queued';
CREATE INDEX outbox_leases ON outbox (lease_until) WHERE status = 'sending';
CREATE INDEX outbox_phone ON outbox (phone);
CREATE INDEX outbox_contact ON outbox (contact_id) WHERE kind = 'marketing';

-- Forward-only status moves (see canMove in src/delivery/outbox.ts): a final status is final; from
-- sending anything goes; otherwise only to a higher rank; and the one move back, unknown to queued,
-- when the gateway confirmed it never received the attempt (reconcile, resend-unknown).
-- Self-contained (no call to another function), so it works whatever the caller's search_path.
CREATE FUNCTION outbox_can_move(current text, next text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT current = next
    OR current = 'sending'
    OR (current = 'unknown' AND next = 'queued')
    OR (current IN ('queued', 'unknown', 'submitted')
        AND (CASE next WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'unknown' THEN 2 WHEN 'submitted' THEN 3 ELSE 4 END)
          > (CASE current WHEN 'queued' THEN 0 WHEN 'unknown' THEN 2 ELSE 3 END))
$$;

CREATE TABLE inbound (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  at text COLLATE "C" NOT NULL,
  from_phone text NOT NULL,
  contact_id text,
  campaign_id text,
  key text UNIQUE,
  data jsonb NOT NULL
);
CREATE INDEX inbound_at ON inbound (at, seq);
CREATE INDEX inbound_campaign ON inbound (campaign_id, seq);
CREATE INDEX inbound_from ON inbound (from_phone);
CREATE INDEX inbound_contact ON inbound (contact_id);
`,
  },
  {
    version: 2,
    name: 'short links and clicks',
    sql: `
CREATE TABLE short_links (
  code text PRIMARY KEY,
  campaign_id text NOT NULL,
  contact_id text,
  data jsonb NOT NULL
);
CREATE INDEX short_links_contact ON short_links (contact_id);

CREATE TABLE clicks (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  campaign_id text NOT NULL,
  contact_id text,
  at text COLLATE "C" NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX clicks_campaign ON clicks (campaign_id, at, seq);
CREATE INDEX clicks_contact ON clicks (contact_id);
`,
  },
  {
    version: 3,
    name: 'conversions',
    sql: `
CREATE TABLE conversions (
  id text COLLATE "C" PRIMARY KEY,
  campaign_id text,
  at text COLLATE "C" NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX conversions_campaign ON conversions (campaign_id, at);
CREATE INDEX conversions_at ON conversions (at);
CREATE INDEX outbox_marketing_sent ON outbox (contact_id, submitted_at) WHERE kind = 'marketing' AND NOT test;
`,
  },
  {
    version: 4,
    name: 'inbound responders',
    sql: `
-- Who an inbound record counts as (its contact, else its number), fixed when it arrives, so a reply
-- erased later is still counted once in the campaign's tally.
ALTER TABLE inbound ADD COLUMN responder text;
UPDATE inbound SET responder = coalesce(contact_id, nullif(from_phone, ''), 'inbound:' || id);
ALTER TABLE inbound ALTER COLUMN responder SET NOT NULL;
CREATE INDEX inbound_campaign_responder ON inbound (campaign_id, responder);
`,
  },
  {
    version: 5,
    name: 'cluster tables',
    sql: `
-- What cooperating instances share (src/cluster). Earlier versions created these tables at join, so
-- they may exist already: created if absent, reshaped if old.
-- One row per running instance and its heartbeat (last_seen, the server's clock).
CREATE TABLE IF NOT EXISTS cluster_instances (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Per gateway, the next free send slot (epoch milliseconds of the server's clock).
CREATE TABLE IF NOT EXISTS cluster_rate (gateway text PRIMARY KEY);
ALTER TABLE cluster_rate DROP COLUMN IF EXISTS grants_at, DROP COLUMN IF EXISTS grants_n,
  ADD COLUMN IF NOT EXISTS next_slot_ms double precision NOT NULL DEFAULT 0;
-- The permit counter of earlier versions: gone, so that an instance still running one of them fails
-- its sends (retryable) instead of sending outside the shared cap.
DROP FUNCTION IF EXISTS cluster_take_permits(text, integer, integer, integer);

-- Send slots, spaced window_ms / limit apart across every instance, so no window of window_ms holds
-- more than limit of them. Grants up to p_want consecutive slots starting at the next free one (and
-- at least p_lead_ms from now: the answer's way back), but none starting more than p_ahead_ms from now; returns how many, the server's now and when the first
-- starts (epoch ms), their spacing, and, when fewer than wanted were granted, how long until more can be.
-- One row lock held for microseconds, one round trip.
CREATE OR REPLACE FUNCTION cluster_take_slots(p_gateway text, p_limit integer, p_want integer, p_window_ms integer, p_lead_ms integer, p_ahead_ms integer)
RETURNS TABLE (granted integer, now_ms double precision, first_ms double precision, spacing_ms double precision, wait_ms integer) LANGUAGE plpgsql AS $fn$
DECLARE
  spacing double precision := p_window_ms::double precision / greatest(1, p_limit);
  server_ms double precision;
  first_slot double precision;
  given integer;
BEGIN
  INSERT INTO cluster_rate (gateway) VALUES (p_gateway) ON CONFLICT (gateway) DO NOTHING;
  SELECT r.next_slot_ms INTO first_slot FROM cluster_rate r WHERE r.gateway = p_gateway FOR UPDATE;
  -- Read once the row is ours: slots are then handed out in time order.
  server_ms := extract(epoch FROM clock_timestamp()) * 1000;
  first_slot := greatest(first_slot, server_ms + p_lead_ms);
  given := greatest(0, least(p_want, floor((server_ms + p_ahead_ms - first_slot) / spacing)::integer + 1));
  IF given > 0 THEN
    UPDATE cluster_rate SET next_slot_ms = first_slot + given * spacing WHERE gateway = p_gateway;
  END IF;
  RETURN QUERY SELECT given, server_ms, first_slot, spacing,
    CASE WHEN given < p_want THEN greatest(1, ceil(first_slot + given * spacing - p_ahead_ms - server_ms)::integer) ELSE 0 END;
END
$fn$;
`,
  },
  {
    version: 6,
    name: 'contact import keys',
    sql: `
-- The key of the import row a contact last took in (see ContactImportKeys): any other write clears it.
ALTER TABLE contacts ADD COLUMN import_key text COLLATE "C";
CREATE INDEX contacts_import_key ON contacts (import_key) WHERE import_key IS NOT NULL;
`,
  },
  {
    version: 8,
    name: 'consent in contact order',
    sql: `
-- Consent in the contacts' own order (ids compare in byte order), with the two columns that decide a
-- send: planning reads a page of contacts and their consent side by side (a merge join, index only),
-- instead of one look-up in the consent table per contact.
CREATE INDEX consent_state_plan ON consent_state (contact_id COLLATE "C") INCLUDE (marketing, transactional_allowed);
`,
  },
];

export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** Advisory lock class for schema migrations; the second key is the schema's hash. */
const MIGRATION_LOCK_CLASS = 0x534d5301;

export interface MigrationResult {
  schema: string;
  from: number;
  to: number;
  applied: number[];
}

async function currentVersion(client: Pick<pg.PoolClient, 'query'>): Promise<number> {
  const table = await client.query<{ exists: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`);
  if (!table.rows[0]?.exists) return 0;
  const result = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return result.rows[0]?.version ?? 0;
}

function newerSchema(schema: string, found: number, known: number): AppError {
  return new AppError('UNSUPPORTED', `The database schema "${schema}" is at version ${found}, newer than this sms-bridge knows (${known}).`, {
    hint: 'Another, newer sms-bridge has migrated this database: upgrade this service to that version (never run an older one against it).',
  });
}

/**
 * Brings the schema up to date, in one transaction under an advisory lock: when several instances
 * start at once, one migrates and the others wait, then find nothing left to do. Refuses a schema
 * newer than the code knows.
 */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  db.writable();
  const { schema } = db.options;
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  return db.tx(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const from = await currentVersion(client);
    if (from > known) throw newerSchema(schema, from, known);
    const applied: number[] = [];
    for (const step of [...migrations].sort((a, b) => a.version - b.version)) {
      if (step.version <= from) continue;
      await client.query(step.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
      applied.push(step.version);
    }
    return { schema, from, to: Math.max(from, ...applied), applied };
  });
}

/** For stores that must not migrate (read-only): the schema must be exactly what the code knows. */
export async function checkVersion(db: Db, known: number = LATEST_VERSION): Promise<void> {
  const client = await db.pool.connect();
  try {
    const found = await currentVersion(client);
    if (found > known) throw newerSchema(db.options.schema, found, known);
    if (found < known) {
      throw new AppError('CONFIG_INVALID', `The database schema "${db.options.schema}" is at version ${found}; this sms-bridge needs ${known}.`, {
        hint: 'Run: smsbridge migrate (the service also migrates when it starts).',
      });
    }
  } finally {
    client.release();
  }
}
