import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * The real service as a child process, for end-to-end tests: the built JavaScript (`node dist/...`,
 * as `npm start` runs it), or `npm start` itself. A scratch DATA_DIR, 127.0.0.1 and a free port.
 */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const E2E_API_KEY = 'e2e-key-0123456789abcdef';
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const LOCK = path.join(ROOT, 'dist', '.build-lock');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ when it is missing or older than the sources (`npm ci` builds it through `prepare`,
 * so in CI this is a no-op). Test files run in parallel: one builds, the others wait for it.
 */
export async function ensureBuilt(): Promise<void> {
  const fresh = (): boolean => fs.existsSync(MAIN) && fs.statSync(MAIN).mtimeMs >= Math.max(newestSource(path.join(ROOT, 'src')), newestSource(path.join(ROOT, 'integrations')));
  if (fresh()) return;
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (!fs.existsSync(LOCK) && fresh()) return;
    }
  }
  try {
    if (fresh()) return;
    const built = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}${built.stderr}`);
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/** A port that was free a moment ago (for PUBLIC_URL, which must be known before the service starts). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServiceProcess {
  child: ChildProcess;
  base: string;
  port: number;
  /** Everything the process wrote on stderr so far. */
  stderr(): string;
  /** The JSON log lines among it. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves when the process has exited (its code or signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers, checked field by field
}

export interface StartOptions {
  dataDir: string;
  env?: Record<string, string>;
  /** `node` runs dist/src/cli/main.js serve; `npm` runs `npm start`. Default node. */
  via?: 'node' | 'npm';
  port?: number;
  /** Milliseconds to wait for /healthz (a hang guard). Default 30 s. */
  readyTimeoutMs?: number;
  /** Flags for node itself with `via: 'node'` (such as --cpu-prof, which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
}

/** The environment of a child service: only what it needs, so the test runner's own settings stay out. */
export function serviceEnv(dataDir: string, port: number, env: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    API_KEY: E2E_API_KEY,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    SMS_SENDER: 'SHOP',
    TEST_SEND_REQUIRED_ABOVE: '100000',
    ...env,
  };
}

export async function startServiceProcess(options: StartOptions): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  const env = serviceEnv(options.dataDir, port, options.env);
  const child =
    options.via === 'npm'
      ? spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    child,
    base,
    port,
    stderr: () => stderr,
    logs: () =>
      stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    exited,
    api: async (method, route, body) => {
      const response = await fetch(`${base}/api/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${E2E_API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
  };
  await waitReady(service, options.readyTimeoutMs ?? 30_000);
  return service;
}

/** Polls /healthz until it answers; fails with the service's stderr if the process exits first. */
export async function waitReady(service: ServiceProcess, timeoutMs: number): Promise<void> {
  let gone = false;
  void service.exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the service exited before it was ready:\n${service.stderr()}`);
    try {
      const response = await fetch(`${service.base}/healthz`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the service was not ready within ${timeoutMs} ms:\n${service.stderr()}`);
}

/** Runs one CLI command against a data dir with the built JavaScript; returns what it printed. */
export function runBuiltCli(dataDir: string, args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, env: serviceEnv(dataDir, 0, env), encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every pid in the process group or tree under `pid` that is still alive (from /proc). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const visit = (id: number): void => {
    for (const child of children.get(id) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

/** The process state letter from /proc (R, S, Z...), or undefined once it is gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** Polls `probe` every `everyMs` until it returns something truthy, which it returns; fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs: number, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
