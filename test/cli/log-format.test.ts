import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const fixture = path.join(root, 'test', 'fixtures', 'customers-utf8-bom.csv');
let dataDir: string | undefined;
afterEach(() => {
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** One CLI command as a separate process, so what it writes on stderr (fd 2) is seen as a terminal would. */
function smsbridge(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir!, LOG_LEVEL: 'info', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('LOG_FORMAT for commands', () => {
  it('a command prints no JSON log lines by default; LOG_FORMAT=json keeps them, ids whole and phones masked', () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-logformat-'));
    const plain = smsbridge(['import', fixture], {});
    expect(plain.status).toBe(0);
    expect(plain.stderr.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
    expect(plain.stdout).toContain('7 created');

    const json = smsbridge(['contacts', 'opt-out', '+79123456789', '--source', 'phone call'], { LOG_FORMAT: 'json' });
    expect(json.status, json.stderr).toBe(0);
    const lines = json.stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const recorded = lines.find((line) => line.msg === 'consent recorded');
    expect(recorded).toMatchObject({ level: 30, service: 'sms-bridge' });
    expect(String(recorded?.contactId)).toMatch(/^[0-9a-f-]{36}$/);
    expect(json.stderr).not.toContain('79123456789');
  }, 30_000);
});
