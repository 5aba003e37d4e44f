import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { campaignProgress } from '../../src/cli/campaign-progress.js';
import { cli } from '../helpers/run-cli.js';

describe('campaign progress line', () => {
  it('says sent, delivered, failed, the rate and the time left at that rate', () => {
    const progress = campaignProgress({ queued: 600, sending: 100, submitted: 200, delivered: 90, undelivered: 10, failed: 5 }, 1000, 0, 10_000);
    expect(progress.done).toBe(300);
    expect(progress.note).toBe('sent 300, delivered 90, failed 15, 30.0/s, ~24 s left');
    expect(campaignProgress({ delivered: 10 }, 10, 0, 1000).note).toContain('sending done');
    expect(campaignProgress({ queued: 10 }, 10, 0, 1000).note).toContain('starting');
    expect(campaignProgress({ queued: 9000, submitted: 100 }, 9100, 0, 20_000).note).toContain('~30 min 0 s left');
  });
});

describe('campaign send --wait on a terminal', () => {
  const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'customers-utf8-bom.csv');
  let dataDir: string;
  const wasTty = process.stderr.isTTY;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-progress-'));
    for (const [name, value] of Object.entries({ DATA_DIR: dataDir, SMS_SENDER: 'SHOP', SIMULATOR_MPS: '1000', TEST_SEND_REQUIRED_ABOVE: '100', LOG_LEVEL: 'info' })) vi.stubEnv(name, value);
  });
  afterEach(() => {
    process.stderr.isTTY = wasTty;
    vi.unstubAllEnvs();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('draws a progress bar with the counts', async () => {
    expect((await cli('import', fixture)).code).toBe(0);
    const created = await cli('campaign', 'create', '--name', 'progress', '--filter', '{"and":[]}', '--text', 'Your order is ready', '--kind', 'transactional', '--json');
    const { id } = JSON.parse(created.stdout) as { id: string };
    process.stderr.isTTY = true;
    const sent = await cli('campaign', 'send', id, '--wait');
    expect(sent.code).toBe(0);
    expect(sent.stderr).toMatch(/\rsending \[#+\] 100% sent \d+, delivered \d+, failed \d+, [\d.]+\/s, sending done/);
    expect(sent.stdout).toContain('7 messages planned');
  }, 30_000);
});
