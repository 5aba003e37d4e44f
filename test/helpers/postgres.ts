import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The server the PostgreSQL tests use: TEST_DATABASE_URL, which vitest.config.ts takes from DATABASE_URL
 * (.ci/run sets it) while it clears DATABASE_URL itself for every other test.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? '';

/**
 * Whether a PostgreSQL server answers at DATABASE_URL; when not, why (so the skipped tests say so).
 * Tests that need one: `describe.skipIf(!pgCheck.ok)`.
 */
export async function checkPostgres(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!TEST_DATABASE_URL) return { ok: false, reason: 'neither TEST_DATABASE_URL nor DATABASE_URL is set' };
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `cannot connect to DATABASE_URL (${error instanceof Error ? error.message || error.name : String(error)})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Says once, on the console, that PostgreSQL tests were skipped and why. */
export function noteSkipped(what: string, reason: string): void {
  console.warn(`SKIPPED ${what}: ${reason}. Start PostgreSQL and set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them.`);
}

/**
 * Fresh schemas for one test file: each `next()` names a new, random one (created by the store's
 * migrations); `dropAll()` removes them all at the end, so people running tests at once never meet.
 */
export function testSchemas(prefix: string): { next(): string; dropAll(): Promise<void> } {
  const made: string[] = [];
  const file = randomBytes(4).toString('hex');
  return {
    next() {
      const name = `t_${prefix}_${file}_${made.length}`;
      made.push(name);
      return name;
    },
    async dropAll() {
      if (made.length === 0) return;
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        for (const name of made.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
