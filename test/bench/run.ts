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
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const BENCHES: Bench[] = [
  {
    file: 'import.bench.ts',
    entry: 'benchImport',
    lines: (r) => [
      { what: 'CSV import into the lowdb store', items: `${fmt(r.rows ?? 0)} rows`, measured: `${fmt(r.rowsPerSecond ?? 0)} rows/s`, goal: '>= 30,000 rows/s', ratio: (r.rowsPerSecond ?? 0) / 30_000 },
      { what: '  peak RSS during that import', items: `${fmt(r.rows ?? 0)} rows`, measured: `${fmt(r.peakRssMb ?? 0)} MB`, goal: '< 400 MB', ratio: 400 / (r.peakRssMb ?? 1) },
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
      { what: 'campaign planning (filter..render..cost)', items: `${fmt(r.recipients ?? 0)} recipients`, measured: `${fmt(r.perSecond ?? 0)} /s`, goal: '>= 100,000 /s', ratio: (r.perSecond ?? 0) / 100_000 },
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

function run(bench: Bench): Line[] {
  const script = `const m = await import(${JSON.stringify(path.join(import.meta.dirname, bench.file))}); console.log('@@' + JSON.stringify(await m.${bench.entry}()));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
  const line = child.stdout.split('\n').find((l) => l.startsWith('@@'));
  if (child.status !== 0 || !line) throw new Error(`${bench.file} failed:\n${child.stderr}`);
  return bench.lines(JSON.parse(line.slice(2)) as Record<string, number>);
}

const only = process.argv.slice(2);
const rows: Line[] = [];
for (const bench of BENCHES.filter((b) => only.length === 0 || only.some((o) => b.file.includes(o)))) {
  process.stderr.write(`running ${bench.file}...\n`);
  rows.push(...run(bench));
}
const widths = [44, 18, 28, 18];
const pad = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' ');
console.log(pad(['benchmark', 'items', 'measured', 'goal']) + ' ratio');
for (const r of rows) console.log(`${pad([r.what, r.items, r.measured, r.goal])} ${(Math.floor(r.ratio * 100) / 100).toFixed(2)}${r.ratio >= 1 ? '' : '  (below goal)'}`);
console.log(`machine: ${process.platform} ${process.arch}, Node ${process.versions.node}, ${(await import('node:os')).cpus().length} cores`);
