import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/run-cli.js';

const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'customers-cp1251.csv');
let dataDir: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-cli-'));
  vi.stubEnv('DATA_DIR', dataDir);
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('DATABASE_URL', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('smsbridge import / contacts', () => {
  it('imports a file and prints the JSON report the issue specifies', async () => {
    const result = await cli('import', fixture, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ rows: 13, created: 7, updated: 0, unchanged: 0, duplicates: 1 });
    expect(report.invalid).toHaveLength(5);
    for (const problem of report.invalid) expect(Object.keys(problem)).toEqual(expect.arrayContaining(['row', 'reason', 'value']));
    expect(result.stdout).not.toContain('4951234567');

    const again = JSON.parse((await cli('import', fixture, '--json')).stdout);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 7 });
  });

  it('prints a readable report, lists and shows contacts', async () => {
    const imported = await cli('import', fixture, '--consent', 'opted_in', '--consent-source', 'loyalty form');
    expect(imported.stdout).toContain('13 rows: 7 created');
    expect(imported.stdout).toContain('row 7: not_mobile (+7495***4567)');

    const list = await cli('contacts', 'list', '--limit', '3');
    expect(list.stdout).toContain('3 of 7 contacts');
    const all = JSON.parse((await cli('contacts', 'list', '--json', '--limit', '100')).stdout);
    expect(all).toHaveLength(7);

    const shown = await cli('contacts', 'show', '8 912 345-67-89');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Анна Иванова-Петрова');
    expect(shown.stdout).toContain('Europe/Moscow (from city)');
  });

  it('records an opt-out and an opt-in with their sources', async () => {
    await cli('import', fixture);
    const out = await cli('contacts', 'opt-out', '+79123456789', '--source', 'asked by phone');
    expect(out.stdout).toContain('now opted out of everything');
    const refused = await cli('contacts', 'opt-in', '+79123456789', '--source', 'signed form');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--evidence');
    const opted = await cli('contacts', 'opt-in', '+79123456789', '--source', 'signed form', '--evidence', 'form 12', '--json');
    expect(JSON.parse(opted.stdout)).toMatchObject({ changed: true, consent: { marketing: 'opted_in' } });
    const shown = JSON.parse((await cli('contacts', 'show', '+79123456789', '--json')).stdout);
    expect(shown.consentHistory.map((e: { source: string }) => e.source)).toEqual([
      'import customers-cp1251.csv (column "Согласие")',
      'asked by phone',
      'signed form',
    ]);
  });

  it('answers bad input with one clear line and a non-zero exit', async () => {
    const cases: Array<[string[], string]> = [
      [['import', fixture, '--consent', 'opted_in'], '--consent needs --consent-source'],
      [['import', path.join(dataDir, 'nope.csv')], 'File not found'],
      [['import', fixture, '--map', 'Нет такой=phone'], 'Нет такой'],
      [['contacts', 'list', '--limit', '0'], '--limit must be at least 1'],
      [['contacts', 'show', '+79990000000'], 'No contact with the number +7999***0000'],
      [['contacts', 'show', 'abc'], 'not a usable phone number'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe('');
    }
  });

  it('has --help for every command', async () => {
    for (const args of [[], ['import'], ['contacts'], ['contacts', 'list'], ['contacts', 'show'], ['contacts', 'opt-out'], ['contacts', 'opt-in'], ['doctor'], ['demo']]) {
      const result = await cli(...args, '--help');
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toContain('Usage: smsbridge');
    }
  });

  it('doctor reports the config and the store', async () => {
    const result = await cli('doctor', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, checks: expect.arrayContaining([expect.objectContaining({ name: 'store', ok: true })]) });
  });

  it('doctor fails on a bad variable and names it', async () => {
    vi.stubEnv('DEFAULT_TIMEZONE', 'Mars/Base');
    const result = await cli('doctor');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('DEFAULT_TIMEZONE');
  });
});
