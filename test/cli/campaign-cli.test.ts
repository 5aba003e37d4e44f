import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/run-cli.js';

const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'customers-utf8-bom.csv');
let dataDir: string;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-campaign-cli-'));
  vi.stubEnv('DATA_DIR', dataDir);
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('SMS_SENDER', 'SHOP');
  vi.stubEnv('SIMULATOR_MPS', '1000');
  vi.stubEnv('TEST_SEND_REQUIRED_ABOVE', '3');
  expect((await cli('import', fixture)).code).toBe(0);
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('campaign create / test / send / report', () => {
  it('creates, refuses to send before a test send, sends, waits for receipts and reports', async () => {
    const created = await cli('campaign', 'create', '--name', 'Заказы', '--filter', '{"and":[]}', '--text', 'Ваш заказ готов, {{#firstName}}{{firstName}}{{/firstName}}{{^firstName}}клиент{{/firstName}}!', '--kind', 'transactional', '--json');
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };

    const refused = await cli('campaign', 'send', id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('need a successful test send first');

    const tested = await cli('campaign', 'test', id, '--to', '+79990001122');
    expect(tested.stdout).toContain('+79990001122: sent');

    const sent = await cli('campaign', 'send', id, '--wait', '--json');
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ id, planned: { recipients: 7 } });

    const report = JSON.parse((await cli('campaign', 'report', id, '--json')).stdout);
    expect(report).toMatchObject({ audience: 7, unknown: 0, pending: 0 });
    for (const key of ['excluded', 'submitted', 'delivered', 'failed', 'replies', 'optOuts', 'segments', 'cost', 'variants']) expect(report).toHaveProperty(key);
    expect(report.delivered + report.undelivered + report.failed).toBe(7);
    expect(report.variants).toHaveLength(1);
    expect((await cli('campaign', 'list')).stdout).toContain('Заказы');
  }, 30_000);

  it('pauses and cancels from the command line, and explains what cannot be done', async () => {
    const { id } = JSON.parse((await cli('campaign', 'create', '--name', 'x', '--filter', '{"and":[]}', '--text', 'Hi', '--kind', 'transactional', '--start', '2030-01-01T10:00:00Z', '--json')).stdout) as { id: string };
    expect((await cli('campaign', 'show', id, '--json')).stdout).toContain('"status": "scheduled"');
    expect((await cli('campaign', 'pause', id)).stderr).toContain('only a sending campaign can be paused');
    expect((await cli('campaign', 'cancel', id)).stdout).toContain('canceled');
    expect((await cli('campaign', 'show', 'nope')).stderr).toContain('No campaign with id nope');
    const badCron = await cli('campaign', 'create', '--name', 'y', '--filter', '{"and":[]}', '--text', 'Hi', '--cron', '61 * * * *');
    expect(badCron.code).toBe(1);
    expect(badCron.stderr).toContain('cron');
  });
});
