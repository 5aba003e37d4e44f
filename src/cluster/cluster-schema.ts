import type pg from 'pg';

/**
 * The tables and the one function the cooperating instances share. Created with IF NOT EXISTS (and
 * CREATE OR REPLACE for the function) at join, so they exist whichever instance starts first; the
 * statements are idempotent and run under a transaction-scoped advisory lock so that two instances
 * starting at once do not race on the catalog.
 *
 * - `cluster_instances`: one row per running instance, its heartbeat (`last_seen`, the server's clock).
 * - `cluster_rate`: per gateway, the permits granted in the last window, as two parallel arrays
 *   (grant time in epoch milliseconds of the server clock, permits granted).
 * - `cluster_take_permits(gateway, limit, want, window_ms)`: grants up to `want` permits so that the
 *   permits granted in any `window_ms` never exceed `limit`; one statement, one row lock held for
 *   microseconds, one round trip. Returns what it granted and, when the window is full, how long
 *   until a permit frees.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS cluster_instances (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS cluster_rate (
  gateway text PRIMARY KEY,
  grants_at bigint[] NOT NULL DEFAULT '{}',
  grants_n integer[] NOT NULL DEFAULT '{}'
);
CREATE OR REPLACE FUNCTION cluster_take_permits(p_gateway text, p_limit integer, p_want integer, p_window_ms integer)
RETURNS TABLE (granted integer, wait_ms integer) LANGUAGE plpgsql AS $fn$
DECLARE
  now_ms bigint;
  old_at bigint[];
  old_n integer[];
  keep_at bigint[] := '{}';
  keep_n integer[] := '{}';
  used integer := 0;
  freed integer;
  given integer;
  wait integer := 0;
  i integer;
BEGIN
  INSERT INTO cluster_rate (gateway) VALUES (p_gateway) ON CONFLICT (gateway) DO NOTHING;
  SELECT r.grants_at, r.grants_n INTO old_at, old_n FROM cluster_rate r WHERE r.gateway = p_gateway FOR UPDATE;
  -- The grant's time is read once the row is ours: grants are then ordered in time.
  now_ms := floor(extract(epoch FROM clock_timestamp()) * 1000);
  FOR i IN 1 .. coalesce(array_length(old_at, 1), 0) LOOP
    IF old_at[i] > now_ms - p_window_ms THEN
      keep_at := keep_at || old_at[i];
      keep_n := keep_n || old_n[i];
      used := used + old_n[i];
    END IF;
  END LOOP;
  given := greatest(0, least(p_want, p_limit - used));
  IF given > 0 THEN
    keep_at := keep_at || now_ms;
    keep_n := keep_n || given;
    used := used + given;
  END IF;
  IF given < p_want THEN
    -- Until the oldest grants leave the window and free at least one permit.
    freed := p_limit - used;
    FOR i IN 1 .. coalesce(array_length(keep_at, 1), 0) LOOP
      freed := freed + keep_n[i];
      IF freed >= 1 THEN
        wait := greatest(1, (keep_at[i] + p_window_ms + 1 - now_ms)::integer);
        EXIT;
      END IF;
    END LOOP;
  END IF;
  UPDATE cluster_rate SET grants_at = keep_at, grants_n = keep_n WHERE gateway = p_gateway;
  RETURN QUERY SELECT given, wait;
END
$fn$;
`;


export async function ensureClusterSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Advisory locks are per database: the key names the schema, so other schemas' instances are not held up.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('smsbridge-ddl:' || current_schema()))");
    await client.query(DDL);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
