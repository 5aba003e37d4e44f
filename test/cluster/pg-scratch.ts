import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MIGRATIONS } from '../../src/store/postgres/migrations.js';

/**
 * A fresh schema of its own for one test file in the database at DATABASE_URL (other test files and
 * other people's runs use the same database at once), dropped at the end. Without DATABASE_URL, or
 * when no server answers, `skipReason` says why and the tests are skipped.
 */
export interface PgScratch {
  url: string;
  schema: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export const DATABASE_URL = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;

export async function pgSkipReason(): Promise<string | undefined> {
  if (!DATABASE_URL) return 'neither TEST_DATABASE_URL nor DATABASE_URL is set: the PostgreSQL cluster tests need a server (.ci/run sets it)';
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `no PostgreSQL server answers at DATABASE_URL (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createScratchSchema(prefix = 'cluster'): Promise<PgScratch> {
  const url = DATABASE_URL as string;
  const schema = `t_${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` });
  return {
    url,
    schema,
    pool,
    drop: async () => {
      await pool.end().catch(() => undefined);
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}

/** Another connection pool on the same schema: a second instance. */
export function poolOn(scratch: PgScratch): pg.Pool {
  return new pg.Pool({ connectionString: scratch.url, max: 4, options: `-c search_path=${scratch.schema}` });
}

/** The cluster's tables and function (the migration step that makes them), in the scratch schema. */
export async function createClusterTables(pool: pg.Pool): Promise<void> {
  const step = MIGRATIONS.find((m) => m.name === 'cluster tables');
  if (!step) throw new Error('no "cluster tables" migration step');
  await pool.query(step.sql);
}
