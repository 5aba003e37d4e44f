import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runBuiltCli } from '../helpers/service-process.js';

const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'customers-utf8-bom.csv');
let dataDir: string | undefined;
beforeAll(async () => {
  await ensureBuilt();
}, 120_000);
afterEach(() => {
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** One CLI command as a separate process (the built JavaScript), so what it writes on fd 2 is seen as a terminal would. */
const smsbridge = (args: string[], env: Record<string, string>) => runBuiltCli(dataDir!, args, { LOG_FORMAT: 'auto', ...env });

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
