import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one command line in-process, capturing what it prints. */
export async function cli(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const previousExitCode = process.exitCode;
  try {
    const code = await runCli(args);
    const exitCode = process.exitCode;
    return { code: code || (typeof exitCode === 'number' ? exitCode : 0), stdout, stderr };
  } finally {
    process.exitCode = previousExitCode;
    out.mockRestore();
    err.mockRestore();
  }
}

/**
 * A scratch data dir for CLI tests: made before each test with the usual environment (silent logs,
 * the embedded store, sender SHOP) plus `env`, and removed after it. `dir()` is the scratch folder.
 */
export function useCliDataDir(prefix: string, env: Record<string, string> = {}): { dir(): string } {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const vars = { DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent', DATABASE_URL: '', SMS_SENDER: 'SHOP', ...env };
    for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir };
}
