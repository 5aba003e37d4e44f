import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactSchema } from '../../src/contacts/contact.js';
import { sampleCsvLines } from '../../src/demo/sample-data.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const cli = path.join(root, 'src', 'cli', 'main.ts');
let work: string;
let csv: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-crash-'));
  csv = path.join(work, 'big.csv');
  fs.writeFileSync(csv, [...sampleCsvLines({ rows: 40_000, today: '2026-11-27', seed: 7 })].join(''));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function startImport(dataDir: string) {
  return spawn(process.execPath, ['--import', 'tsx', cli, 'import', csv, '--consent', 'opted_in', '--consent-source', 'crash test', '--json'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves once the file exists (the child has committed at least one batch), polling the disk. */
async function waitForFile(file: string, child: ReturnType<typeof spawn>): Promise<void> {
  for (let i = 0; i < 600 && child.exitCode === null; i += 1) {
    if (fs.existsSync(file)) return;
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('lowdb store under a killed process', () => {
  it('stays readable when an import is killed mid-way, and the next process takes over the lock', async () => {
    const counts: number[] = [];
    for (const delayMs of [200, 700, 1400]) {
      const dataDir = path.join(work, `data-${delayMs}`);
      const child = startImport(dataDir);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await waitForFile(path.join(dataDir, 'contacts.json'), child);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill('SIGKILL');
      // Killed, not finished: the import was still running.
      expect(await exited).toBe('SIGKILL');

      const store = await LowdbStore.open({ dataDir, maxBytes: 500 * 1024 * 1024 });
      const count = await store.contacts.count();
      expect(count).toBeGreaterThan(0);
      counts.push(count);
      const first = await store.contacts.list({ limit: 50 });
      for (const contact of first) expect(contactSchema.safeParse(contact).success).toBe(true);
      await store.close();
    }
    console.log('contacts found after each kill:', counts.join(', '));
  }, 120_000);

  it('a second process is refused while the first holds the data dir', async () => {
    const dataDir = path.join(work, 'locked');
    const holder = await LowdbStore.open({ dataDir, maxBytes: 500 * 1024 * 1024 });
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'contacts', 'opt-out', '+79123456789'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    await holder.close();
    expect(code).toBe(1);
    expect(stderr).toContain(`Another sms-bridge process (pid ${process.pid})`);
    expect(stderr).toContain('REST API');
  }, 60_000);
});
