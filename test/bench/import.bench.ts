import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { systemClock } from '../../src/common/clock.js';
import { mapColumns } from '../../src/contacts/columns.js';
import { openSheet } from '../../src/contacts/files/index.js';
import { importContacts } from '../../src/contacts/import-contacts.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { writeSampleCsv } from '../helpers/sample-csv.js';

export interface ImportBenchResult {
  rows: number;
  contacts: number;
  /** In-process: importContacts into an open lowdb store, durable at the end. */
  seconds: number;
  rowsPerSecond: number;
  /** CPU seconds (all threads) of that import: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  /** The same file again into the same store: nothing changes. */
  reimportSeconds: number;
  reimportRowsPerSecond: number;
  reimportCpuSeconds: number;
  /** Contacts journal bytes the re-import appended. */
  reimportBytesWritten: number;
  /** The built CLI (`smsbridge import`) as a child process: whole-process wall time and peak RSS. */
  cliSeconds: number;
  cliRowsPerSecond: number;
  peakRssMb: number;
  cliReimportSeconds: number;
  cliReimportPeakRssMb: number;
  /** Live heap per contact after the import (contact, consent ledger and indexes), measured in-process. */
  heapBytesPerContact: number;
  loadAverage: number;
}

const root = path.resolve(import.meta.dirname, '..', '..');

/** A full collection, for the live-heap figure (the flag set at run time, so no special node options). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** The built CLI, as `npm start` runs it; built first when dist/ is missing or older than src/. */
function builtCli(): string {
  const main = path.join(root, 'dist', 'src', 'cli', 'main.js');
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const full = path.join(dir, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
    }, 0);
  if (!fs.existsSync(main) || fs.statSync(main).mtimeMs < newest(path.join(root, 'src'))) {
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  }
  return main;
}

/** Runs `smsbridge import` in a child process; its peak RSS is read from /proc as it exits (a preload). */
function cliImport(main: string, file: string, dataDir: string): { seconds: number; peakRssMb: number; report: { rows: number } } {
  const rssFile = path.join(path.dirname(file), `rss-${randomUUID()}.txt`);
  const preload = `data:text/javascript,${encodeURIComponent(
    `import fs from 'node:fs'; process.on('exit', () => fs.writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));`,
  )}`;
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', preload, main, 'import', file, '--consent', 'opted_in', '--consent-source', 'bench', '--json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, DATA_DIR: dataDir, STORE_MAX_MB: '2000', LOG_LEVEL: 'silent', NODE_ENV: 'production' },
  });
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`smsbridge import failed (${child.status}):\n${child.stderr}`);
  const peakRssMb = Number(fs.readFileSync(rssFile, 'utf8')) / 1024;
  return { seconds, peakRssMb, report: JSON.parse(child.stdout) as { rows: number } };
}

async function timedImport(file: string, store: LowdbStore): Promise<{ seconds: number; cpuSeconds: number; rows: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const sheet = await openSheet(file);
  const report = await importContacts(
    sheet.rows,
    mapColumns(sheet.headers),
    { defaultCountry: 'RU', sourceName: 'bench', consent: { status: 'opted_in', source: 'bench' } },
    { store, clock: systemClock, newId: randomUUID },
  );
  await store.flush();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, rows: report.rows };
}

function journalBytes(dataDir: string): number {
  return fs.readdirSync(dataDir).filter((name) => /^contacts\.\d+\.jsonl$/.test(name)).reduce((sum, name) => sum + fs.statSync(path.join(dataDir, name)).size, 0);
}

/**
 * Imports a generated 100,000-row CSV (Russian headers, mixed phone formats, consent column) into the
 * embedded lowdb store, end to end (file read, parse, normalise, merge, consent, durable write), then
 * the same file again (no change). In-process for the rates, and through the built CLI in a child
 * process for the whole process's peak memory.
 */
export async function benchImport(rows = 100_000): Promise<ImportBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-import-'));
  try {
    const file = path.join(dir, 'contacts.csv');
    writeSampleCsv(file, rows);
    const loadAverage = os.loadavg()[0] ?? 0;

    const dataDir = path.join(dir, 'data');
    collectGarbage();
    const baseHeap = process.memoryUsage().heapUsed;
    let store = await LowdbStore.open({ dataDir, maxBytes: 2000 * 1024 * 1024 });
    const fresh = await timedImport(file, store);
    collectGarbage();
    const contacts = await store.contacts.count();
    const heapBytesPerContact = (process.memoryUsage().heapUsed - baseHeap) / contacts;
    await store.close();
    const journalBefore = journalBytes(dataDir);
    store = await LowdbStore.open({ dataDir, maxBytes: 2000 * 1024 * 1024 });
    const again = await timedImport(file, store);
    await store.close();
    const reimportBytesWritten = journalBytes(dataDir) - journalBefore;

    const main = builtCli();
    const cliDir = path.join(dir, 'cli-data');
    const cli = cliImport(main, file, cliDir);
    const cliAgain = cliImport(main, file, cliDir);
    return {
      rows: fresh.rows,
      contacts,
      seconds: fresh.seconds,
      rowsPerSecond: fresh.rows / fresh.seconds,
      cpuSeconds: fresh.cpuSeconds,
      reimportSeconds: again.seconds,
      reimportRowsPerSecond: again.rows / again.seconds,
      reimportCpuSeconds: again.cpuSeconds,
      reimportBytesWritten,
      cliSeconds: cli.seconds,
      cliRowsPerSecond: cli.report.rows / cli.seconds,
      peakRssMb: cli.peakRssMb,
      cliReimportSeconds: cliAgain.seconds,
      cliReimportPeakRssMb: cliAgain.peakRssMb,
      heapBytesPerContact,
      loadAverage,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchImport();
  console.log(JSON.stringify(result));
}
