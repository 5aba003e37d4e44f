import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { cli } from '../helpers/run-cli.js';

const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'customers-utf8-bom.csv');
let dataDir: string;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-resend-cli-'));
  vi.stubEnv('DATA_DIR', dataDir);
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('SMS_SENDER', 'SHOP');
  vi.stubEnv('SIMULATOR_MPS', '1000');
  vi.stubEnv('TEST_SEND_REQUIRED_ABOVE', '100');
  expect((await cli('import', fixture)).code).toBe(0);
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** What a crash between the gateway call and the recording of its answer leaves behind. */
async function makeUnknown(campaignId: string, count: number): Promise<string[]> {
  const store = await LowdbStore.open({ dataDir, maxBytes: 200 * 1024 * 1024, readOnly: false });
  const rows = (await store.outbox.listByCampaign(campaignId, { limit: count }))
    .map(({ providerMessageId: _p, submittedAt: _s, ...row }) => ({ ...row, status: 'unknown' as const, leaseUntil: new Date().toISOString() }));
  await store.outbox.updateMany(rows);
  const { id, ...campaign } = (await store.campaigns.get(campaignId))!;
  await store.campaigns.put({ id, ...campaign, status: 'completed' });
  await store.close();
  return rows.map((row) => row.id);
}

describe('campaign resend-unknown', () => {
  it('shows how many and the risk without changing anything; with --yes sends them again and the campaign completes', async () => {
    const { id } = JSON.parse((await cli('campaign', 'create', '--name', 'crash', '--filter', '{"and":[]}', '--text', 'Заказ готов', '--kind', 'transactional', '--json')).stdout) as { id: string };
    expect((await cli('campaign', 'send', id)).code).toBe(0);
    await makeUnknown(id, 2);

    const shown = await cli('campaign', 'resend-unknown', id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('2 message(s) with an unknown outcome');
    expect(shown.stdout).toContain('may give those 2 recipient(s) a duplicate SMS');
    expect(shown.stdout).toContain('Nothing was changed');
    expect(JSON.parse((await cli('campaign', 'show', id, '--json')).stdout).messages.unknown).toBe(2);

    const json = JSON.parse((await cli('campaign', 'resend-unknown', id, '--json')).stdout);
    expect(json).toMatchObject({ campaignId: id, unknown: 2, confirmedSent: 0, notReceived: 0, atRisk: 2, applied: false });

    const done = await cli('campaign', 'resend-unknown', id, '--yes', '--json');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ applied: true, requeued: 2, submitted: 0 });
    const after = JSON.parse((await cli('campaign', 'show', id, '--json')).stdout);
    expect(after.messages.unknown ?? 0).toBe(0);
    expect(after.messages.queued ?? 0).toBe(0);
    expect(after.status).toBe('completed');
    expect((await cli('campaign', 'resend-unknown', id)).stdout).toContain('Nothing to resend');
  }, 30_000);
});
