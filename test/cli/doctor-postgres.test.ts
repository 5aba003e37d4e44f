import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { cli } from '../helpers/run-cli.js';
import { TEST_DATABASE_URL, checkPostgres, noteSkipped, testSchemas } from '../helpers/postgres.js';

const server = await checkPostgres();
if (!server.ok) noteSkipped('doctor and migrate on PostgreSQL', server.reason);
const schemas = testSchemas('doctor');
afterAll(() => schemas.dropAll());
afterEach(() => vi.unstubAllEnvs());

/** The test server's URL with a password in it (trust auth ignores it), to see that it is never printed. */
function urlWithPassword(): string {
  const url = new URL(TEST_DATABASE_URL);
  url.password = 'hunter2secret';
  return url.toString();
}

function usePostgres(schema: string): void {
  vi.stubEnv('DATABASE_URL', urlWithPassword());
  vi.stubEnv('DATABASE_SCHEMA', schema);
  vi.stubEnv('LOG_LEVEL', 'silent');
}

describe.skipIf(!server.ok)('doctor and migrate on the PostgreSQL store', () => {
  it('migrate creates the schema, then says it is up to date; doctor shows the store with the password masked', async () => {
    const schema = schemas.next();
    usePostgres(schema);
    const before = await cli('doctor', '--json');
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('smsbridge migrate');

    const first = await cli('migrate');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Migrated from version 0 to \d+/);
    const second = await cli('migrate', '--json');
    expect(JSON.parse(second.stdout)).toMatchObject({ schema, applied: [] });

    const store = await PostgresStore.open({ url: TEST_DATABASE_URL, schema });
    await store.contacts.upsertMany([{ id: 'c1', phone: '+79120000001', interests: [], tags: [], properties: {}, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' }]);
    await store.close();
    const doctor = await cli('doctor');
    expect(doctor.stdout).toMatch(new RegExp(`ok +store +postgres at postgres://[^ ]*:\\*\\*\\*@[^ ]+ \\(schema ${schema}\\): 1 contacts`));
    expect(doctor.stdout).toContain('DATABASE_URL=postgres://');
    expect(doctor.stdout + doctor.stderr).not.toContain('hunter2secret');
  });

  it('migrate without DATABASE_URL says the embedded store needs none', async () => {
    vi.stubEnv('DATABASE_URL', '');
    const result = await cli('migrate');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL is not set');
  });
});
