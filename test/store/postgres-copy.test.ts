import fs from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { openApp } from '../../src/app.js';
import { daytimeClock } from '../../src/cli/commands/demo.js';
import { loadConfig } from '../../src/config.js';
import { makeDemoDir, runDemo } from '../../src/demo/run-demo.js';
import { cli } from '../helpers/run-cli.js';
import { TEST_DATABASE_URL, checkPostgres, noteSkipped, testSchemas } from '../helpers/postgres.js';

const server = await checkPostgres();
if (!server.ok) noteSkipped('store copy into PostgreSQL', server.reason);
const schemas = testSchemas('copy');
const dirs: string[] = [];
afterAll(async () => {
  await schemas.dropAll();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The demo's data dir: contacts, consent, segment, template, an A/B campaign sent with receipts and replies. */
async function demoDataDir(): Promise<{ dataDir: string; campaignIds: string[] }> {
  const dataDir = makeDemoDir();
  dirs.push(dataDir);
  const config = loadConfig({ SMS_PRICES: '{"default":{"RU":3.5,"KZ":4,"default":6}}', DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', API_KEY: 'copy-test-api-key-0123456789abcdef' });
  // At noon in Moscow, as the demo runs: at the wall clock, an evening run would hold every message for quiet hours.
  const app = await openApp(config, { clock: daytimeClock(), gatewaySettings: { maxSegmentsPerSecond: 1000, receiptDelayMs: [10, 100], replyDelayMs: [10, 50], replyRate: 0.1, seed: 'copy' } });
  try {
    await runDemo(app, { rows: 200, workDir: dataDir, replyWaitMs: 1500 }); // replies trail receipts: room for a loaded machine
    // On a busy machine the replies may still be on their way after the demo's own wait: the copy must carry some.
    const engine = await app.engine();
    await vi.waitFor(async () => {
      await engine.processInbox();
      expect((await app.store.inbound.recent(1)).length).toBeGreaterThan(0);
    }, { timeout: 15_000, interval: 100 });
    return { dataDir, campaignIds: (await app.store.campaigns.list()).map((c) => c.id) };
  } finally {
    await app.close();
  }
}

async function reportJson(env: Record<string, string>, id: string): Promise<unknown> {
  for (const [name, value] of Object.entries({ LOG_LEVEL: 'silent', ...env })) vi.stubEnv(name, value);
  try {
    const result = await cli('campaign', 'report', id, '--json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  } finally {
    vi.unstubAllEnvs();
  }
}

describe.skipIf(!server.ok)('store copy: embedded data dir into PostgreSQL', () => {
  it('copies the demo, verified by counts; every campaign report is the same before and after; a second run changes nothing', async () => {
    const { dataDir, campaignIds } = await demoDataDir();
    const schema = schemas.next();
    const copy = () => cli('store', 'copy', '--from', dataDir, '--to', TEST_DATABASE_URL, '--schema', schema, '--json');
    const first = await copy();
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as { ok: boolean; counts: Array<{ collection: string; source: number; target: number }> };
    expect(result.ok).toBe(true);
    const count = (name: string) => result.counts.find((c) => c.collection === name);
    expect(count('contacts')?.source).toBeGreaterThanOrEqual(150);
    expect(count('outbox')?.source).toBeGreaterThan(0);
    expect(count('consent')?.source).toBeGreaterThan(0);
    expect(count('inbound')?.source).toBeGreaterThan(0);
    for (const c of result.counts) expect(c.target, c.collection).toBe(c.source);

    expect(campaignIds.length).toBeGreaterThan(0);
    for (const id of campaignIds) {
      const before = await reportJson({ DATA_DIR: dataDir, DATABASE_URL: '' }, id);
      const after = await reportJson({ DATA_DIR: dataDir, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema }, id);
      expect(after).toEqual(before);
      expect(before).toMatchObject({ id, submitted: expect.any(Number) });
    }
    const sent = await reportJson({ DATA_DIR: dataDir, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema }, campaignIds[0] as string);
    expect(sent).toMatchObject({ delivered: expect.any(Number) });
    expect((sent as { delivered: number; replies: number }).delivered).toBeGreaterThan(0);

    const again = await copy();
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).counts).toEqual(result.counts);
  }, 90_000);

  it('resumes an interrupted copy: rows missing from the target are filled in, none doubled', async () => {
    const { dataDir } = await demoDataDir();
    const schema = schemas.next();
    const copy = () => cli('store', 'copy', '--from', dataDir, '--to', TEST_DATABASE_URL, '--schema', schema, '--json');
    expect((await copy()).code).toBe(0);
    // As if the copy had stopped part way: half the messages, contacts and replies never arrived.
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      for (const table of ['outbox', 'contacts', 'inbound', 'consent_entries']) {
        await client.query(`DELETE FROM ${schema}.${table} WHERE ctid IN (SELECT ctid FROM ${schema}.${table} TABLESAMPLE BERNOULLI (50))`);
      }
    } finally {
      await client.end();
    }
    const resumed = await copy();
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const c of JSON.parse(resumed.stdout).counts as Array<{ collection: string; source: number; target: number }>) expect(c.target, c.collection).toBe(c.source);
  }, 90_000);

  it('exits non-zero and names the collection when counts differ', async () => {
    const { dataDir } = await demoDataDir();
    const schema = schemas.next();
    expect((await cli('store', 'copy', '--from', dataDir, '--to', TEST_DATABASE_URL, '--schema', schema)).code).toBe(0);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`INSERT INTO ${schema}.records (kind, id, data) VALUES ('campaigns', 'zz-extra', '{"id":"zz-extra"}')`);
    await client.end();
    const result = await cli('store', 'copy', '--from', dataDir, '--to', TEST_DATABASE_URL, '--schema', schema);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/campaigns\s+\d+\s+\d+\s+MISMATCH/);
  }, 90_000);
});
