import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceProcess } from '../helpers/service-process.js';
import { ensureBuilt, freePort, runBuiltCli, startServiceProcess } from '../helpers/service-process.js';
import { startTwilioStandIn } from '../helpers/twilio-stand-in.js';
import type { TwilioStandInThread } from '../helpers/twilio-stand-in-thread.js';
import { startTwilioStandInThread } from '../helpers/twilio-stand-in-thread.js';
import { maxInWindow } from '../helpers/windows.js';

/**
 * The whole service sending through the Twilio adapter, as an operator runs it: the built service
 * (`node dist/src/cli/main.js serve`) as a child process with the lowdb store in a scratch data dir,
 * TWILIO_API_BASE pointed at the local Twilio stand-in (30 ms latency, its own per-second rate
 * enforcement at the configured MPS, signed status callbacks `sent` then `delivered` to the service's
 * webhook), contacts imported through the CLI, one transactional campaign to all of them started over
 * REST, and a client fetching the campaign report over REST once a second throughout. For each
 * TWILIO_MPS of 100, 500 and 1,000 (contacts: MPS × TWILIO_BENCH_SECONDS, default 25). The stand-in's
 * server runs on a thread of its own (its callbacks are posted from this one), so neither the bench's
 * report fetches nor the callbacks delay when an arrival is timed; TWILIO_BENCH_STAND_IN=inline keeps
 * it on this thread, as before, for comparison:
 *  - achieved: messages created at the stand-in ÷ seconds from the first to the last arrival there;
 *    ratio = achieved / MPS (goal >= 0.98);
 *  - max window: the most POSTs arriving at the stand-in within any 1,000 ms (sliding, sub-millisecond
 *    times taken as each request reaches it, where it counts and enforces its rate; goal <= MPS), and
 *    how many the stand-in refused with 429; also the same count over the times each was handled after
 *    the stand-in's 30 ms latency timer (which adds that timer's own batching on a busy machine);
 *  - peak RSS of the service (VmHWM from /proc), report fetch times (median, max);
 *  - the load average before and after each run: the machine is shared, so figures are only
 *    comparable with the load they were taken under.
 * Run: `npx tsx test/bench/twilio-dispatch.bench.ts` or `npm run bench twilio-dispatch`; some rates only:
 * TWILIO_BENCH_RATES=500,1000. TWILIO_BENCH_NO_REPORT=1 skips the report fetches, so the CPU per message
 * is the sending and receipts' alone (the report's cost grows with the run's length, which on a loaded
 * machine varies).
 */

export const TWILIO_BENCH_RATES = [100, 500, 1000] as const;
const LATENCY_MS = 30;

interface RateRun {
  messages: number;
  achieved: number;
  ratio: number;
  maxWindow: number;
  maxWindowAfterLatency: number;
  throttled: number;
  peakRssMb: number;
  reportMedianMs: number;
  reportMaxMs: number;
  reportFailures: number;
  callbacksFailed: number;
  /** Of those, the ones the service did not answer within the stand-in's 5 s (or whose connection failed). */
  callbacksUnanswered: number;
  /** CPU time of the service process (user + system) per message, in microseconds: less load-dependent than the rate. */
  cpuUsPerMessage: number;
  load1: number;
  seconds: number;
}

function envList(name: string): number[] | undefined {
  const raw = process.env[name];
  return raw ? raw.split(',').map(Number).filter((n) => n > 0) : undefined;
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU seconds of a process, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

const load1 = (): number => Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function writeContacts(file: string, count: number): void {
  const lines = ['phone,first_name'];
  // US numbers +1 415 NXX XXXX: valid, distinct, E.164 as the stand-in wants them.
  for (let i = 0; i < count; i += 1) lines.push(`+1415${200 + Math.floor(i / 10_000)}${String(i % 10_000).padStart(4, '0')},Pat`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

async function runRate(rate: number, seconds: number): Promise<RateRun> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-twilio-'));
  const standInOptions = { latencyMs: LATENCY_MS, ratePerSecond: rate, callbacks: { delayMs: 100 } };
  const standIn: Omit<TwilioStandInThread, 'setMode'> = process.env.TWILIO_BENCH_STAND_IN === 'inline' ? inline(await startTwilioStandIn(standInOptions)) : await startTwilioStandInThread(standInOptions);
  let service: ServiceProcess | undefined;
  try {
    const count = rate * seconds;
    const csv = path.join(dataDir, 'contacts.csv');
    writeContacts(csv, count);
    const env = { STORE_MAX_MB: '2000', LOG_LEVEL: 'warn' };
    const imported = runBuiltCli(path.join(dataDir, 'data'), ['import', csv, '--json'], env);
    if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`);
    const port = await freePort();
    // TWILIO_BENCH_CPU_PROF=<dir>: the service writes a V8 CPU profile there when it stops.
    const nodeArgs = process.env.TWILIO_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.TWILIO_BENCH_CPU_PROF)}`] : [];
    service = await startServiceProcess({ dataDir: path.join(dataDir, 'data'), port, nodeArgs, env: { ...standIn.env({ mps: rate }), ...env, PUBLIC_URL: `http://127.0.0.1:${port}` } });
    const pid = service.child.pid as number;
    const created = await service.api('POST', '/campaigns', { name: `bench ${rate}`, kind: 'transactional', audience: { filter: { and: [] } }, text: 'Your order has shipped.' });
    if (created.status !== 201) throw new Error(`campaign not created: ${JSON.stringify(created.body)}`);
    const id = created.body.id as string;
    const loadBefore = load1();
    let serviceExited = false;
    void service.exited.then(() => (serviceExited = true));
    const cpuBefore = cpuSeconds(pid);
    const sent = await service.api('POST', `/campaigns/${id}/send`);
    if (sent.status !== 202) throw new Error(`campaign not started: ${JSON.stringify(sent.body)}`);

    const reportMs: number[] = [];
    let reportFailures = 0;
    let peakRss = 0;
    const deadline = Date.now() + (seconds * 3 + 120) * 1000;
    let nextReport = Date.now();
    while (standIn.stats.created < count && Date.now() < deadline && !serviceExited) {
      if (Date.now() >= nextReport && !process.env.TWILIO_BENCH_NO_REPORT) {
        nextReport += 1000;
        const t = performance.now();
        // A report the service could not answer is counted, not fatal: the send is what is measured.
        const report = await service.api('GET', `/campaigns/${id}/report`).catch(() => ({ status: 0 }));
        if (report.status === 200) reportMs.push(performance.now() - t);
        else reportFailures += 1;
        process.stderr.write(`  ${rate}/s: ${standIn.stats.created}/${count} at the stand-in, report ${(performance.now() - t).toFixed(0)} ms\r`);
      }
      peakRss = Math.max(peakRss, procStatus(pid, 'VmRSS'));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    process.stderr.write('\n');
    if (serviceExited) process.stderr.write(`  the service exited during the run:\n${service.stderr().slice(-2000)}\n`);
    const cpuUsed = cpuSeconds(pid) - cpuBefore;
    peakRss = Math.max(peakRss, procStatus(pid, 'VmHWM'));
    const { arrivalTimes: times, handledTimes } = await standIn.finish();
    const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
    const achieved = span > 0 ? standIn.stats.created / span : 0;
    const result: RateRun = {
      messages: standIn.stats.created, achieved, ratio: achieved / rate, maxWindow: maxInWindow(times), maxWindowAfterLatency: maxInWindow(handledTimes), throttled: standIn.stats.throttled,
      peakRssMb: peakRss, reportMedianMs: median(reportMs), reportMaxMs: Math.max(0, ...reportMs), reportFailures,
      callbacksFailed: standIn.callbackAttempts.filter((a) => a.answer < 200 || a.answer >= 300).length, callbacksUnanswered: standIn.callbackAttempts.filter((a) => a.answer === 0).length, cpuUsPerMessage: (cpuUsed * 1e6) / Math.max(1, standIn.stats.created), load1: (loadBefore + load1()) / 2, seconds: span,
    };
    process.stderr.write(`  ${rate}/s: ${JSON.stringify(result)}\n`);
    return result;
  } finally {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await standIn.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The in-process stand-in behind the threaded one's interface. */
function inline(standIn: Awaited<ReturnType<typeof startTwilioStandIn>>): Omit<TwilioStandInThread, 'setMode'> {
  return { ...standIn, finish: () => Promise.resolve({ arrivalTimes: standIn.arrivalTimes(), handledTimes: standIn.handledTimes() }) };
}

export async function benchTwilioDispatch(): Promise<Record<string, number>> {
  await ensureBuilt();
  const seconds = Number(process.env.TWILIO_BENCH_SECONDS ?? 25);
  const out: Record<string, number> = { seconds, latencyMs: LATENCY_MS };
  for (const rate of envList('TWILIO_BENCH_RATES') ?? TWILIO_BENCH_RATES) {
    const run = await runRate(rate, seconds);
    for (const [key, value] of Object.entries(run)) out[`rate${rate}${key[0]?.toUpperCase()}${key.slice(1)}`] = value;
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchTwilioDispatch()));
}
