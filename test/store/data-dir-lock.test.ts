import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const holderScript = path.join(root, 'test', 'helpers', 'lock-holder.ts');
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-lock-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const open = (dataDir: string): Promise<LowdbStore> => LowdbStore.open({ dataDir, maxBytes: 100 * 1024 * 1024 });

/**
 * Starts a lock holder whose parent is `sleep` (sh execs it after starting the holder in the
 * background): sleep never waits for children, so a holder killed with SIGKILL stays a zombie.
 */
async function startHolderUnderNonReapingParent(dataDir: string): Promise<{ holderPid: number }> {
  const parent = spawn('sh', ['-c', `"${process.execPath}" --import tsx "${holderScript}" "${dataDir}" & echo "pid $!"; exec sleep 120`], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => parent.kill('SIGKILL'));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    parent.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    parent.on('exit', () => reject(new Error(`holder parent exited: ${out}`)));
  });
  const holderPid = Number(/pid (\d+)/.exec(out)?.[1]);
  return { holderPid };
}

function procState(pid: number): string | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) S ...": the state follows the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

async function waitForState(pid: number, state: string): Promise<void> {
  for (let i = 0; i < 200 && procState(pid) !== state; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('data dir lock (a Unix socket the kernel releases)', () => {
  it.runIf(process.platform === 'linux')('blocks while a live process holds it, and not once that process is a zombie', async () => {
    const dir = tempDir();
    const { holderPid } = await startHolderUnderNonReapingParent(dir);
    await expect(open(dir)).rejects.toMatchObject({ code: 'STORE_LOCKED', message: expect.stringContaining(`pid ${holderPid}`), hint: expect.stringContaining('REST API') });

    process.kill(holderPid, 'SIGKILL');
    await waitForState(holderPid, 'Z');
    // Killed and never reaped: its pid still answers kill(pid, 0), yet the kernel closed its socket.
    expect(procState(holderPid)).toBe('Z');
    expect(() => process.kill(holderPid, 0)).not.toThrow();
    const store = await open(dir);
    await store.close();
  });

  it('binds through a short path when the data dir is too deep for a socket path', async () => {
    const dir = path.join(tempDir(), 'a-rather-long-directory-name-'.repeat(4), 'data');
    expect(Buffer.byteLength(path.join(dir, 'smsbridge.sock'))).toBeGreaterThan(107);
    const store = await open(dir);
    expect(fs.statSync(path.join(dir, 'smsbridge.sock')).isSocket()).toBe(true);
    await expect(open(dir)).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    await store.close();
    expect(fs.existsSync(path.join(dir, 'smsbridge.sock'))).toBe(false);
    const again = await open(dir);
    await again.close();
  });
});
