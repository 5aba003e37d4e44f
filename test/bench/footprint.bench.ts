import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sampleCsvLines } from '../../src/demo/sample-data.js';
import { E2E_API_KEY, freePort, ROOT, serviceEnv } from '../helpers/service-process.js';

export interface FootprintBenchResult {
  contacts: number;
  messages: number;
  sendSeconds: number;
  peakServiceRssMb: number;
  dataDirMb: number;
  /** Read commands run after the campaign finished, and how many exited 0. */
  readCommands: number;
  readCommandsOk: number;
  /** The data dir, file by file (MB), for the notes. */
  files: Record<string, number>;
  load1: number;
}

const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

function dirFiles(dir: string, base = dir, out: Record<string, number> = {}): Record<string, number> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) dirFiles(file, base, out);
    else if (entry.isFile()) out[path.relative(base, file)] = fs.statSync(file).size / 1024 / 1024;
  }
  return out;
}

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * The store's footprint through the real CLI, in child processes on a temp data dir: import 100,000
 * generated contacts, create one campaign to all of them, start the service (`serve`, the simulator
 * accepting everything at a high rate) and send it through the REST API, sampling the service's RSS
 * until every message is final; then the data dir's size, and every read command must exit 0.
 * Goals: data dir < 100 MB, service RSS < 400 MB, every command works. Builds dist/ first.
 */
export async function benchFootprint(contacts = 100_000): Promise<FootprintBenchResult> {
  const built = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stdout}${built.stderr}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-footprint-'));
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  const env = {
    ...serviceEnv(dataDir, port, { SIMULATOR_ACCEPT_RATE: '1', SIMULATOR_MPS: '5000', LOG_LEVEL: 'warn', STORE_MAX_MB: '200', DATABASE_URL: '' }),
  };
  const cli = (...args: string[]): { code: number; stdout: string; stderr: string } => {
    const run = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 30 });
    return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
  };
  const must = (...args: string[]): string => {
    const run = cli(...args);
    if (run.code !== 0) throw new Error(`smsbridge ${args.join(' ')} exited ${run.code}: ${run.stderr.slice(0, 2000)}`);
    return run.stdout;
  };
  try {
    const csv = path.join(dir, 'contacts.csv');
    fs.writeFileSync(csv, [...sampleCsvLines({ rows: contacts, today: '2026-11-27', seed: 7 })].join(''));
    must('import', csv, '--json');
    const created = JSON.parse(must('campaign', 'create', '--name', 'loyalty', '--kind', 'transactional', '--filter', '{"field":"phone","op":"is_known"}',
      '--text', 'Здравствуйте, {{firstName}}! Ваши бонусы ждут вас до воскресенья.', '--json')) as { id: string };

    const child = spawn(process.execPath, [MAIN, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid ?? 0))), 200);
    const api = async (method: string, route: string): Promise<{ status: number; body: Record<string, unknown> }> => {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1${route}`, { method, headers: { authorization: `Bearer ${E2E_API_KEY}` } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    let messages = 0;
    let sendSeconds = 0;
    try {
      for (let tries = 0; ; tries += 1) {
        if (tries > 300) throw new Error(`the service did not start: ${stderr}`);
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
        if (ok) break;
        await wait(200);
      }
      const started = performance.now();
      const sent = await api('POST', `/campaigns/${created.id}/send`);
      if (sent.status !== 202) throw new Error(`send answered ${sent.status}: ${JSON.stringify(sent.body)}`);
      for (;;) {
        await wait(1000);
        const view = (await api('GET', `/campaigns/${created.id}`)).body as { status: string; messages: Record<string, number> };
        const counts = view.messages;
        messages = Object.values(counts).reduce((sum, n) => sum + n, 0);
        const open = (counts.queued ?? 0) + (counts.sending ?? 0) + (counts.submitted ?? 0);
        if (view.status === 'completed' && open === 0) break;
        if (performance.now() - started > 1_800_000) throw new Error(`the campaign did not finish: ${JSON.stringify(view)}`);
      }
      sendSeconds = (performance.now() - started) / 1000;
      // Give the service a moment to fold the finished campaign, as it would on its next beats.
      await wait(5000);
    } finally {
      clearInterval(sampler);
      child.kill('SIGTERM');
      await exited;
    }
    const files = dirFiles(dataDir);
    const dataDirMb = Object.values(files).reduce((sum, mb) => sum + mb, 0);
    const reads = [
      ['campaign', 'report', created.id],
      ['campaign', 'report', created.id, '--json'],
      ['campaign', 'list'],
      ['campaign', 'list', '--all', '--json'],
      ['campaign', 'show', created.id],
      ['campaign', 'messages', created.id, '--csv'],
      ['campaign', 'messages', created.id, '--status', 'delivered', '--json'],
      ['contacts', 'list', '--json'],
      ['replies', 'list'],
      ['doctor'],
    ];
    let readCommandsOk = 0;
    for (const args of reads) {
      const run = cli(...args);
      if (run.code === 0) readCommandsOk += 1;
      else process.stderr.write(`smsbridge ${args.join(' ')} exited ${run.code}: ${run.stderr.slice(0, 500)}\n`);
    }
    return {
      contacts, messages, sendSeconds, peakServiceRssMb: peak, dataDirMb, readCommands: reads.length, readCommandsOk,
      files: Object.fromEntries(Object.entries(files).filter(([, mb]) => mb >= 0.1).map(([name, mb]) => [name, Math.round(mb * 10) / 10])),
      load1: Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchFootprint(Number(process.argv[2] ?? 100_000))));
}
