/**
 * `npm run bench`: each benchmark runs in a child process of its own, so its peak memory is its own,
 * and prints what it measured, on how many items, and the ratio to the goal it aims at
 * (ratio ≥ 1 meets the goal).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

interface Line {
  what: string;
  items: string;
  measured: string;
  goal: string;
  ratio: number;
}

interface Bench {
  file: string;
  entry: string;
  lines(result: Record<string, number>): Line[];
  /** PostgreSQL benches: the schema they run in (benches naming the same one share its data). */
  schema?: string;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const BENCHES: Bench[] = [
  {
    file: 'import.bench.ts',
    entry: 'benchImport',
    lines: (r) => [
      { what: 'CSV import into the lowdb store', items: `${fmt(r.rows ?? 0)} rows`, measured: `${fmt(r.rowsPerSecond ?? 0)} rows/s (${fmt(r.cpuSeconds ?? 0, 2)} CPU s)`, goal: '>= 30,000 rows/s', ratio: (r.rowsPerSecond ?? 0) / 30_000 },
      { what: '  peak RSS of `smsbridge import` (built CLI)', items: `${fmt(r.rows ?? 0)} rows`, measured: `${fmt(r.peakRssMb ?? 0)} MB (${fmt(r.cliRowsPerSecond ?? 0)} rows/s whole process)`, goal: '< 400 MB', ratio: 400 / (r.peakRssMb ?? 1) },
      { what: '  no-change re-import (same file again)', items: `${fmt(r.rows ?? 0)} rows`, measured: `${fmt(r.reimportRowsPerSecond ?? 0)} rows/s (${fmt(r.reimportCpuSeconds ?? 0, 2)} CPU s, ${fmt((r.reimportBytesWritten ?? 0) / 1024)} KB written)`, goal: '>= 100,000 rows/s', ratio: (r.reimportRowsPerSecond ?? 0) / 100_000 },
      { what: '  peak RSS of that re-import (built CLI)', items: `${fmt(r.contacts ?? 0)} contacts`, measured: `${fmt(r.cliReimportPeakRssMb ?? 0)} MB (${fmt(r.cliReimportSeconds ?? 0, 1)} s whole process)`, goal: '< 400 MB', ratio: 400 / (r.cliReimportPeakRssMb ?? 1) },
      { what: '  live heap per contact (contact+consent)', items: `${fmt(r.contacts ?? 0)} contacts`, measured: `${fmt(r.heapBytesPerContact ?? 0)} bytes (load avg ${fmt(r.loadAverage ?? 0, 1)})`, goal: '< 1,024 bytes', ratio: 1024 / (r.heapBytesPerContact ?? 1024) },
    ],
  },
  {
    file: 'read-csv.bench.ts',
    entry: 'benchReadCsv',
    lines: (r) => [
      { what: 'CSV reading alone (parse, no import)', items: `${fmt(r.rows ?? 0)} rows`, measured: `${fmt(r.rowsPerSecond ?? 0)} rows/s`, goal: '>= 30,000 rows/s', ratio: (r.rowsPerSecond ?? 0) / 30_000 },
    ],
  },
  {
    file: 'phone.bench.ts',
    entry: 'benchPhones',
    lines: (r) => [
      { what: 'phone normalisation (libphonenumber max)', items: `${fmt(r.calls ?? 0)} numbers`, measured: `${fmt(r.perSecond ?? 0)} /s (${fmt(r.microsPerCall ?? 0, 1)} µs)`, goal: '>= 30,000 /s', ratio: (r.perSecond ?? 0) / 30_000 },
    ],
  },
  {
    file: 'encoding.bench.ts',
    entry: 'benchEncoding',
    lines: (r) => [
      { what: 'segment counting (countSegments)', items: `${fmt(r.messages ?? 0)} messages`, measured: `${fmt(r.countSegmentsPerSecond ?? 0)} /s`, goal: '>= 100,000 /s', ratio: (r.countSegmentsPerSecond ?? 0) / 100_000 },
      { what: 'full analysis with parts (analyzeText)', items: `${fmt(r.messages ?? 0)} messages`, measured: `${fmt(r.perSecond ?? 0)} /s`, goal: '>= 100,000 /s', ratio: (r.perSecond ?? 0) / 100_000 },
    ],
  },
  {
    file: 'plan.bench.ts',
    entry: 'benchPlan',
    lines: (r) => [
      { what: 'campaign planning (filter..render..cost)', items: `${fmt(r.recipients ?? 0)} recipients`, measured: `${fmt(r.perSecond ?? 0)} /s (${fmt(r.cpuSeconds ?? 0, 2)} CPU s)`, goal: '>= 100,000 /s', ratio: (r.perSecond ?? 0) / 100_000 },
      { what: '  peak RSS (100k contacts in memory)', items: `${fmt(r.recipients ?? 0)} recipients`, measured: `${fmt(r.peakRssMb ?? 0)} MB`, goal: '< 400 MB', ratio: 400 / (r.peakRssMb ?? 1) },
    ],
  },
  {
    file: 'compliance.bench.ts',
    entry: 'benchCompliance',
    lines: (r) => [
      { what: 'compliance checks per recipient', items: `${fmt(r.checks ?? 0)} checks`, measured: `${fmt(r.perSecond ?? 0)} /s`, goal: '>= 100,000 /s', ratio: (r.perSecond ?? 0) / 100_000 },
    ],
  },
  {
    file: 'template.bench.ts',
    entry: 'benchTemplates',
    lines: (r) => [
      { what: 'template rendering', items: `${fmt(r.renders ?? 0)} renders`, measured: `${fmt(r.perSecond ?? 0)} /s`, goal: '>= 100,000 /s', ratio: (r.perSecond ?? 0) / 100_000 },
    ],
  },
  {
    file: 'webhooks.bench.ts',
    entry: 'benchWebhooks',
    lines: (r) => [
      { what: 'signed Twilio receipts over loopback', items: `${fmt(r.requests ?? 0)} webhooks`, measured: `${fmt(r.perSecond ?? 0)} /s (p99 ${fmt(r.p99Ms ?? 0)} ms, non-2xx ${fmt(r.non2xx ?? 0)})`, goal: '>= 3,000 /s', ratio: (r.perSecond ?? 0) / 3000 },
      { what: '  receipts recorded after the run', items: `${fmt(r.requests ?? 0)} webhooks`, measured: `${fmt(r.recorded ?? 0)} (lost ${fmt(r.lost ?? 0)})`, goal: 'none lost', ratio: (r.lost ?? 1) === 0 ? 1 : 0 },
    ],
  },
  {
    file: 'inbox.bench.ts',
    entry: 'benchInbox',
    lines: (r) => [
      { what: 'durable inbox appends (group fdatasync)', items: `${fmt(r.events ?? 0)} events`, measured: `${fmt(r.perSecond ?? 0)} /s (${fmt(r.syncs ?? 0)} syncs)`, goal: '>= 3,000 /s', ratio: (r.perSecond ?? 0) / 3000 },
    ],
  },
  {
    file: 'segments.bench.ts',
    entry: 'benchSegments',
    lines: (r) => [
      { what: 'segment filter evaluation', items: `${fmt(r.contacts ?? 0)} contacts`, measured: `${fmt(r.perSecond ?? 0)} /s`, goal: '>= 1,000,000 /s', ratio: (r.perSecond ?? 0) / 1_000_000 },
    ],
  },
  {
    file: 'dispatch.bench.ts',
    entry: 'benchDispatch',
    lines: (r) =>
      Object.keys(r).flatMap((key) => /^rate(\d+)Sustained$/.exec(key)?.slice(1, 2) ?? []).map(Number).flatMap((rate) => {
        const over = Math.max(0, r[`rate${rate}MaxWindowOver`] ?? 0);
        const throttled = r[`rate${rate}Throttled`] ?? 0;
        const items = `${fmt(r.messages ?? 0)} messages`;
        return [
          { what: `dispatch at ${fmt(rate)} seg/s (sustained)`, items, measured: `${fmt(r[`rate${rate}Sustained`] ?? 0, 1)} seg/s (over the limit in a 1-s window: ${fmt(over)})`, goal: '>= 0.98 of configured', ratio: (r[`rate${rate}Ratio`] ?? 0) / 0.98 },
          { what: '  limit kept (1-s window, simulator); CPU', items, measured: `${fmt(over)} over, ${fmt(throttled)} throttled; ${fmt(r[`rate${rate}CpuUsPerMessage`] ?? 0)} µs/msg`, goal: '0 over, 0 throttled', ratio: over === 0 && throttled === 0 ? 1 : 0 },
        ];
      }),
  },
  {
    file: 'twilio-dispatch.bench.ts',
    entry: 'benchTwilioDispatch',
    lines: (r) =>
      Object.keys(r).flatMap((key) => /^rate(\d+)Achieved$/.exec(key)?.slice(1, 2) ?? []).map(Number).flatMap((rate) => {
        const items = `${fmt(r[`rate${rate}Messages`] ?? 0)} messages`;
        const maxWindow = r[`rate${rate}MaxWindow`] ?? Number.POSITIVE_INFINITY;
        return [
          { what: `service via Twilio stand-in at ${fmt(rate)} MPS`, items, measured: `${fmt(r[`rate${rate}Achieved`] ?? 0, 1)} msg/s (load ${fmt(r[`rate${rate}Load1`] ?? 0, 1)})`, goal: '>= 0.98 of MPS', ratio: (r[`rate${rate}Ratio`] ?? 0) / 0.98 },
          { what: '  max arrivals in any 1 s at the stand-in', items, measured: `${fmt(maxWindow)} (429s: ${fmt(r[`rate${rate}Throttled`] ?? 0)}; after its latency timer ${fmt(r[`rate${rate}MaxWindowAfterLatency`] ?? 0)})`, goal: `<= ${fmt(rate)}`, ratio: maxWindow <= rate ? 1 : rate / maxWindow },
          { what: '  service CPU per message', items, measured: `${fmt(r[`rate${rate}CpuUsPerMessage`] ?? 0)} µs`, goal: `<= ${fmt(1e6 / rate)} µs (one core)`, ratio: 1e6 / rate / Math.max(1, r[`rate${rate}CpuUsPerMessage`] ?? 1e9) },
          { what: '  service peak RSS; report fetch max', items, measured: `${fmt(r[`rate${rate}PeakRssMb`] ?? 0)} MB; ${fmt(r[`rate${rate}ReportMaxMs`] ?? 0)} ms`, goal: '< 400 MB', ratio: 400 / Math.max(1, r[`rate${rate}PeakRssMb`] ?? 400) },
        ];
      }),
  },
  {
    file: 'hubspot-sync.bench.ts',
    entry: 'benchHubSpotSync',
    lines: (r) => [
      { what: 'HubSpot full sync, stand-in at 100 req/10 s', items: `${fmt(r.contacts ?? 0)} contacts`, measured: `${fmt(r.seconds ?? 0, 2)} s (floor ${fmt(r.minSeconds ?? 0)} s, ${fmt(r.ratio ?? 0, 3)}x)`, goal: '<= 1.05x the floor', ratio: 1.05 / (r.ratio ?? 99) },
      { what: '  requests and 429s', items: `${fmt(r.requests ?? 0)} requests`, measured: `${fmt(r.rateLimited ?? 0)} 429s (stand-in refused ${fmt(r.serverRejected ?? 0)})`, goal: '0 429s', ratio: (r.rateLimited ?? 1) === 0 && (r.serverRejected ?? 1) === 0 ? 1 : 0 },
    ],
  },
  {
    file: 'slack-ack.bench.ts',
    entry: 'benchSlackAck',
    lines: (r) => [
      { what: 'Slack /sms send acknowledgement (max)', items: `${fmt(r.contacts ?? 0)} contacts`, measured: `${fmt(r.maxAckMs ?? 0)} ms (median ${fmt(r.medianAckMs ?? 0)} ms, ${fmt(r.commands ?? 0)} commands)`, goal: '< 3,000 ms', ratio: 3000 / Math.max(1, r.maxAckMs ?? 3000) },
      { what: '  preview through response_url (max)', items: `${fmt(r.toSend ?? 0)} recipients`, measured: `${fmt(r.maxPreviewMs ?? 0)} ms`, goal: '< 30,000 ms', ratio: 30_000 / Math.max(1, r.maxPreviewMs ?? 30_000) },
    ],
  },
  {
    file: 'report.bench.ts',
    entry: 'benchReport',
    lines: (r) => [
      { what: 'campaign report while it sends (p99)', items: `${fmt(r.messages ?? 0)} messages`, measured: `${fmt(r.p99Ms ?? 0, 1)} ms (p50 ${fmt(r.p50Ms ?? 0, 1)}, ${fmt(r.reports ?? 0)} reports)`, goal: '< 10 ms', ratio: 10 / Math.max(0.001, r.p99Ms ?? 10) },
      { what: '  the same report folded from every row', items: `${fmt(r.messages ?? 0)} messages`, measured: `${fmt(r.foldedMs ?? 0)} ms`, goal: '(before: for comparison)', ratio: 10 / Math.max(0.001, r.foldedMs ?? 10) },
    ],
  },
  {
    file: 'footprint.bench.ts',
    entry: 'benchFootprint',
    lines: (r) => [
      { what: 'data dir after import + one campaign to all', items: `${fmt(r.contacts ?? 0)} contacts, ${fmt(r.messages ?? 0)} msgs`, measured: `${fmt(r.dataDirMb ?? 0, 1)} MB (send ${fmt(r.sendSeconds ?? 0)} s, load ${fmt(r.load1 ?? 0, 1)})`, goal: '< 100 MB', ratio: 100 / Math.max(0.001, r.dataDirMb ?? 100) },
      { what: '  service peak RSS while it sends', items: `${fmt(r.messages ?? 0)} messages`, measured: `${fmt(r.peakServiceRssMb ?? 0)} MB`, goal: '< 400 MB', ratio: 400 / Math.max(1, r.peakServiceRssMb ?? 400) },
      { what: '  read commands that exit 0 afterwards', items: `${fmt(r.readCommands ?? 0)} commands`, measured: `${fmt(r.readCommandsOk ?? 0)} of ${fmt(r.readCommands ?? 0)}`, goal: 'all', ratio: (r.readCommandsOk ?? 0) / Math.max(1, r.readCommands ?? 1) },
    ],
  },
  {
    file: 'outcome-report.bench.ts',
    entry: 'benchOutcomeReport',
    lines: (r) => [
      { what: 'campaign report with outcome keys', items: `${fmt(r.messages ?? 0)} msgs, ${fmt(r.conversions ?? 0)} orders`, measured: `${fmt(r.reportMs ?? 0)} ms (CPU ${fmt(r.reportCpuMs ?? 0)} ms)`, goal: '< 1,000 ms', ratio: 1000 / Math.max(1, r.reportMs ?? 1000) },
      { what: '  report page over loopback (GET, HTML)', items: `${fmt(r.messages ?? 0)} messages`, measured: `${fmt(r.pageMs ?? 0)} ms (${fmt(r.pageKb ?? 0)} kB, render ${fmt(r.renderMs ?? 0)} ms)`, goal: '< 1,000 ms', ratio: 1000 / Math.max(1, r.pageMs ?? 1000) },
    ],
  },
  {
    file: 'redirect.bench.ts',
    entry: 'benchRedirect',
    lines: (r) => [
      { what: 'short-link redirects while a campaign sends', items: `${fmt(r.requests ?? 0)} GET /s/<code>`, measured: `${fmt(r.perSecond ?? 0)} /s (p99 ${fmt(r.p99Ms ?? 0)} ms, non-302 ${fmt(r.non302 ?? 0)})`, goal: '>= 2,000 /s', ratio: (r.perSecond ?? 0) / 2000 },
      { what: '  sent meanwhile; clicks recorded', items: `${fmt(r.requests ?? 0)} clicks`, measured: `${fmt(r.sentDuring ?? 0)} messages; ${fmt(r.clicks ?? 0)} clicks`, goal: 'sending; all kept', ratio: (r.sentDuring ?? 0) > 0 && (r.clicks ?? 0) >= (r.requests ?? 1) ? 1 : 0 },
    ],
  },
];

/**
 * `--store postgres`: the PostgreSQL benchmarks (postgres.bench.ts) on DATABASE_URL, each in a fresh
 * schema dropped afterwards; `--size N`: contacts for its import and planning (default 1,000,000).
 * The lowdb figures beside them are the default run's (import, plan, webhooks, dispatch).
 */
const pgLine = (what: string, items: string, measured: string, goal: string, ratio: number): Line => ({ what, items, measured, goal, ratio });
const PG_BENCHES: Bench[] = [
  {
    file: 'postgres.bench.ts', entry: 'benchPgImport', schema: 'contacts',
    lines: (r) => [
      pgLine('CSV import into PostgreSQL', `${fmt(r.rows ?? 0)} rows`, `${fmt(r.rowsPerSecond ?? 0)} rows/s`, '>= 30,000 rows/s', (r.rowsPerSecond ?? 0) / 30_000),
      pgLine('  peak RSS during that import', `${fmt(r.rows ?? 0)} rows`, `${fmt(r.peakRssMb ?? 0)} MB`, '< 300 MB', 300 / (r.peakRssMb ?? 1)),
    ],
  },
  {
    file: 'postgres.bench.ts', entry: 'benchPgPlan', schema: 'contacts',
    lines: (r) => [
      pgLine('planning from PostgreSQL (streamed)', `${fmt(r.contacts ?? 0)} contacts`, `${fmt(r.perSecond ?? 0)} /s (${fmt(r.toSend ?? 0)} to send)`, '>= 100,000 /s', (r.perSecond ?? 0) / 100_000),
      pgLine('  peak RSS while planning', `${fmt(r.contacts ?? 0)} contacts`, `${fmt(r.peakRssMb ?? 0)} MB`, '< 300 MB', 300 / (r.peakRssMb ?? 1)),
    ],
  },
  {
    file: 'postgres.bench.ts', entry: 'benchPgStart', schema: 'contacts',
    lines: (r) => [
      pgLine('campaign start on PostgreSQL (plan + outbox)', `${fmt(r.contacts ?? 0)} contacts`, `${fmt(r.perSecond ?? 0)} /s (${fmt(r.queued ?? 0)} queued, CPU ${fmt(r.cpuUsPerContact ?? 0, 1)} us each)`, '(for comparison)', 1),
      pgLine('  peak RSS while starting', `${fmt(r.messages ?? 0)} messages`, `${fmt(r.peakRssMb ?? 0)} MB`, '< 300 MB', 300 / (r.peakRssMb ?? 1)),
    ],
  },
  {
    file: 'postgres.bench.ts', entry: 'benchPgDispatch', schema: 'dispatch',
    lines: (r) => [
      pgLine(`dispatch, 2 instances, ${fmt(r.rate ?? 0)} seg/s cap`, `${fmt(r.messages ?? 0)} messages`, `${fmt(r.sustained ?? 0, 1)} seg/s (${fmt(r.ratio ?? 0, 3)} of configured; slots used ${fmt(r.slotsUsed ?? 0)}, lost late ${fmt(r.slotsLate ?? 0)}, abandoned ${fmt(r.slotsAbandoned ?? 0)}; ${fmt(r.cpuMsPerMessage ?? 0, 2)} CPU ms/msg in the instances)`, '>= 0.98 of configured', (r.ratio ?? 0) / 0.98),
      pgLine('  limit kept across instances', `${fmt(r.messages ?? 0)} messages`, `busiest 1-s ${fmt(r.busiest ?? 0)} at arrival (${fmt(r.busiestHandled ?? 0)} after the stand-in's latency), ${fmt(r.throttled ?? 0)} 429s, ${fmt(r.duplicates ?? 0)} dup`, '<= cap, 0, 0', (r.busiest ?? 1e9) <= (r.rate ?? 0) && r.throttled === 0 && r.duplicates === 0 ? 1 : 0),
      pgLine('  peak RSS per instance', '2 instances', `${fmt(r.peakRssMbA ?? 0)} / ${fmt(r.peakRssMbB ?? 0)} MB`, '< 300 MB', 300 / Math.max(1, r.peakRssMbA ?? 1, r.peakRssMbB ?? 1)),
    ],
  },
  {
    file: 'postgres.bench.ts', entry: 'benchPgReceipts', schema: 'receipts',
    lines: (r) => [
      pgLine('signed Twilio receipts, 2 instances', `${fmt(r.requests ?? 0)} webhooks`, `${fmt(r.perSecond ?? 0)} /s (non-2xx ${fmt(r.non2xx ?? 0)}; ${fmt(r.serverCpuMsPerRequest ?? 0, 3)} CPU ms/req in the instances)`, '>= 5,000 /s', (r.perSecond ?? 0) / 5000),
      pgLine('  receipts applied to PostgreSQL', `${fmt(r.requests ?? 0)} webhooks`, `${fmt(r.delivered ?? 0)} in ${fmt(r.appliedSeconds ?? 0, 1)} s (lost ${fmt(r.lost ?? 0)})`, 'none lost', (r.lost ?? 1) === 0 ? 1 : 0),
      pgLine('  peak RSS per instance', '2 instances', `${fmt(r.peakRssMbA ?? 0)} / ${fmt(r.peakRssMbB ?? 0)} MB`, '< 300 MB', 300 / Math.max(1, r.peakRssMbA ?? 1, r.peakRssMbB ?? 1)),
    ],
  },
];

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const storeFlag = flag('--store') ?? 'lowdb';
if (!['lowdb', 'postgres'].includes(storeFlag)) throw new Error(`--store must be lowdb or postgres, not ${storeFlag}`);
const sizeFlag = flag('--size');
if (sizeFlag !== undefined && !(Number(sizeFlag) > 0)) throw new Error(`--size must be a positive number of contacts, not ${sizeFlag}`);
const schemas = new Map<string, string>();
const schemaFor = (name: string): string => {
  let found = schemas.get(name);
  if (!found) schemas.set(name, (found = `bench_${name}_${Date.now().toString(36)}`));
  return found;
};

function run(bench: Bench): Line[] {
  const script = `const m = await import(${JSON.stringify(path.join(import.meta.dirname, bench.file))}); console.log('@@' + JSON.stringify(await m.${bench.entry}()));`;
  const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'production', ...(sizeFlag ? { BENCH_SIZE: sizeFlag } : {}), ...(bench.schema ? { BENCH_PG_SCHEMA: schemaFor(bench.schema) } : {}) };
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('@@'));
  if (child.status !== 0 || !line) throw new Error(`${bench.file} failed:\n${child.stderr}`);
  return bench.lines(JSON.parse(line.slice(2)) as Record<string, number>);
}

const only = args.filter((arg, i) => !arg.startsWith('--') && !['--store', '--size'].includes(args[i - 1] ?? ''));
const rows: Line[] = [];
const chosen = storeFlag === 'postgres' ? PG_BENCHES : BENCHES;
try {
  for (const bench of chosen.filter((b) => only.length === 0 || only.some((o) => b.file.includes(o) || b.entry.toLowerCase().includes(o.toLowerCase())))) {
    process.stderr.write(`running ${bench.file} ${bench.entry}...\n`);
    rows.push(...run(bench));
  }
} finally {
  if (schemas.size > 0) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    for (const name of schemas.values()) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    await client.end();
  }
}
const widths = [44, 18, 28, 18];
const pad = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' ');
console.log(pad(['benchmark', 'items', 'measured', 'goal']) + ' ratio');
for (const r of rows) console.log(`${pad([r.what, r.items, r.measured, r.goal])} ${(Math.floor(r.ratio * 100) / 100).toFixed(2)}${r.ratio >= 1 ? '' : '  (below goal)'}`);
console.log(`store: ${storeFlag}${sizeFlag ? `, size ${sizeFlag}` : ''}; machine: ${process.platform} ${process.arch}, Node ${process.versions.node}, ${(await import('node:os')).cpus().length} cores`);
