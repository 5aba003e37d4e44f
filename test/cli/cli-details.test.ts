import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cliInvocation } from '../../src/cli/flags.js';
import { buildProgram } from '../../src/cli/program.js';
import { cli } from '../helpers/run-cli.js';

let dataDir: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-cli-details-'));
  vi.stubEnv('DATA_DIR', dataDir);
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('DATABASE_URL', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Every command that runs something (the leaves of the command tree), as "segment delete". */
function leafCommands(command: Command, prefix: string[] = []): Array<{ name: string; command: Command }> {
  return command.commands.flatMap((sub) => {
    const name = [...prefix, sub.name()];
    return sub.commands.length === 0 ? [{ name: name.join(' '), command: sub }] : leafCommands(sub, name);
  });
}

describe('the smsbridge command line', () => {
  it('has --json on every command, as the README says', () => {
    const leaves = leafCommands(buildProgram());
    expect(leaves.length).toBeGreaterThan(20);
    const missing = leaves.filter(({ command }) => !command.options.some((option) => option.long === '--json')).map(({ name }) => name);
    expect(missing).toEqual([]);
  });

  it('segment delete --json prints what was deleted', async () => {
    expect((await cli('segment', 'create', 'moscow', '--filter', '{"field":"city","op":"eq","value":"Москва"}')).code).toBe(0);
    const deleted = await cli('segment', 'delete', 'moscow', '--json');
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({ name: 'moscow', deleted: true });
    expect((await cli('segment', 'delete', 'moscow', '--json')).code).not.toBe(0);
  });

  it('names the flag and what it expects when a number flag is wrong', async () => {
    const limit = await cli('contacts', 'list', '--limit', 'abc');
    expect(limit.code).not.toBe(0);
    expect(limit.stderr).toContain("--limit must be a whole number, got 'abc'");
    expect(limit.stderr).not.toContain('NaN');
    expect((await cli('contacts', 'list', '--limit', '2.5')).stderr).toContain("--limit must be a whole number, got '2.5'");
    expect((await cli('contacts', 'list', '--limit', '0')).stderr).toContain('--limit must be at least 1, got 0');
    expect((await cli('segment', 'preview', 'any', '--sample', 'lots')).stderr).toContain("--sample must be a whole number, got 'lots'");
    expect((await cli('demo', '--rows', 'many')).stderr).toContain("--rows must be a whole number, got 'many'");
    expect((await cli('contacts', 'list', '--limit', '3', '--json')).code).toBe(0);
  });

  it('prints hints that work where it runs: the installed bin, an npm script in a checkout, or the sources', () => {
    expect(cliInvocation({}, ['/usr/bin/node', '/usr/local/bin/smsbridge'], '/home/me')).toBe('smsbridge');
    expect(cliInvocation({}, ['/usr/bin/node', '/usr/lib/node_modules/sms-bridge/dist/src/cli/main.js'], '/home/me')).toBe('smsbridge');
    expect(cliInvocation({ npm_package_name: 'sms-bridge', npm_lifecycle_event: 'demo' }, ['/usr/bin/node', '/repo/src/cli/main.ts'], '/repo')).toBe('npm run -s smsbridge --');
    expect(cliInvocation({ npm_package_name: 'sms-bridge', npm_lifecycle_event: 'smsbridge' }, ['/usr/bin/node', '/repo/src/cli/main.ts'], '/repo')).toBe('npm run -s smsbridge --');
    // Another project's npm script running the installed bin is not a checkout of this one.
    expect(cliInvocation({ npm_package_name: 'shop', npm_lifecycle_event: 'demo' }, ['/usr/bin/node', '/shop/node_modules/.bin/smsbridge'], '/shop')).toBe('smsbridge');
    expect(cliInvocation({}, ['/usr/bin/node', '/repo/src/cli/main.ts'], '/repo')).toBe('npx tsx src/cli/main.ts');
  });
});
