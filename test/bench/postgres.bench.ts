import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { previewCampaign } from '../../src/campaigns/preview.js';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import type { Variant } from '../../src/campaigns/variants.js';
import { fixedClock, systemClock } from '../../src/common/clock.js';
import { timeOrderedId } from '../../src/common/ids.js';
import { mapColumns } from '../../src/contacts/columns.js';
import { openSheet } from '../../src/contacts/files/index.js';
import { importContacts } from '../../src/contacts/import-contacts.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import type { FilterNode } from '../../src/segments/filter.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { signTwilioRequest } from '../../integrations/gateways/twilio/index.js';
import type { ServiceProcess } from '../helpers/service-process.js';
import { E2E_API_KEY, ensureBuilt, freePort, startServiceProcess } from '../helpers/service-process.js';
import { startTwilioStandIn } from '../helpers/twilio-stand-in.js';
import { writeSampleCsv } from '../helpers/sample-csv.js';
import { maxInWindow } from '../helpers/windows.js';

/**
 * The PostgreSQL benchmarks (`npm run bench -- --store postgres [--size N]`), on the database at
 * DATABASE_URL, each in a schema of its own (BENCH_PG_SCHEMA, made and dropped by run.ts):
 *  - import: a generated CSV of BENCH_SIZE rows (default 1,000,000) through the import pipeline into
 *    the PostgreSQL store, with the service's ids (time-ordered), rows/s and this process's peak RSS;
 *  - planning: the same marketing plan as plan.bench.ts over every contact the import left, in a new
 *    process (its own peak RSS: flat memory means it does not grow with the audience);
 *  - start: a campaign start over the same audience, its plan written to the outbox as it is made, in
 *    a new process (peak RSS: a start of a million recipients stays under 300 MB);
 *  - dispatch: two real service processes on one schema send a campaign of BENCH_DISPATCH_MESSAGES
 *    (default 20,000) through one Twilio stand-in that enforces BENCH_DISPATCH_RATE (default 1,000/s); sustained ÷ configured (as in
 *    dispatch.bench.ts), the busiest sliding second (both timed as requests reach the stand-in), 429s,
 *    each instance's peak RSS;
 *  - receipts: two service processes, BENCH_RECEIPTS (default 20,000) signed Twilio status callbacks
 *    from 50 keep-alive connections split between them; req/s, and the time until all are applied.
 */
const url = (): string => {
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: the PostgreSQL benchmarks need a server');
  return process.env.DATABASE_URL;
};
const schema = (): string => process.env.BENCH_PG_SCHEMA ?? 'bench';
const size = (): number => Number(process.env.BENCH_SIZE ?? 1_000_000);
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

export async function benchPgImport(): Promise<Record<string, number>> {
  const rows = size();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-pgimport-'));
  try {
    const file = path.join(dir, 'contacts.csv');
    writeSampleCsv(file, rows);
    const store = await PostgresStore.open({ url: url(), schema: schema() });
    const started = performance.now();
    const sheet = await openSheet(file);
    const report = await importContacts(sheet.rows, mapColumns(sheet.headers), { defaultCountry: 'RU', sourceName: 'bench', consent: { status: 'opted_in', source: 'bench' } }, { store, clock: systemClock, newId: () => timeOrderedId(systemClock.now().getTime()) });
    await store.flush();
    const seconds = (performance.now() - started) / 1000;
    const contacts = await store.contacts.count();
    await store.close();
    return { rows: report.rows, seconds, rowsPerSecond: report.rows / seconds, peakRssMb: peakRssMb(), contacts };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const BENCH_FILTER: FilterNode = { or: [{ field: 'interests', op: 'has_any', value: ['спорт'] }, { field: 'city', op: 'is_known' }] };
const BENCH_VARIANTS: Variant[] = [
  { name: 'A', text: 'Здравствуйте{{#firstName}}, {{firstName}}{{/firstName}}! Скидка 20% до воскресенья.', weight: 1 },
  { name: 'B', text: 'Привет{{#firstName}}, {{firstName}}{{/firstName}}! Скидка 15% на всё.', weight: 1 },
];

export async function benchPgPlan(): Promise<Record<string, number>> {
  const store = await PostgresStore.open({ url: url(), schema: schema() });
  const started = performance.now();
  const summary = await previewCampaign(
    {
      campaignId: 'bench', audience: { filter: BENCH_FILTER }, variants: BENCH_VARIANTS,
      kind: 'marketing', sender: 'SHOP', at: new Date('2026-11-27T16:00:00Z'),
    },
    { store, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: { default: { RU: 3.5 } }, currency: 'RUB' },
  );
  const seconds = (performance.now() - started) / 1000;
  const contacts = await store.contacts.count();
  await store.close();
  return { contacts, recipients: summary.audience, toSend: summary.toSend, perSecond: contacts / seconds, seconds, peakRssMb: peakRssMb() };
}

/**
 * A campaign start over every contact the import left (the plan bench's audience and texts): planned and
 * written to the outbox as it is made. Recipients/s, Node CPU per contact and this process's peak RSS,
 * which must not grow with the audience. Run after the plan bench (its messages count against later
 * plans' frequency caps).
 */
export async function benchPgStart(): Promise<Record<string, number>> {
  const store = await PostgresStore.open({ url: url(), schema: schema() });
  const service = new CampaignService({
    store, clock: fixedClock('2026-11-27T16:00:00Z'), newId: randomUUID, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU',
    prices: { default: { RU: 3.5 } }, currency: 'RUB', testSendRequiredAbove: 100,
    gateway: () => {
      throw new Error('the start bench sends nothing');
    },
  });
  const campaign = await service.create({
    name: 'bench start', kind: 'marketing', audience: { filter: BENCH_FILTER }, variants: BENCH_VARIANTS, campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' },
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const run = await service.start(campaign.id, { skipTestSendCheck: true });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const contacts = await store.contacts.count();
  const counts = await store.outbox.countByStatus(campaign.id);
  await store.close();
  return {
    contacts, messages: run.planned?.recipients ?? 0, queued: counts.queued ?? 0, perSecond: contacts / seconds, seconds,
    cpuUsPerContact: (used.user + used.system) / contacts, peakRssMb: peakRssMb(),
  };
}

/** VmHWM (peak resident set) of a live process, in MB. */
function peakRssOf(pid: number | undefined): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a live process has used so far, from /proc (0 where there is none). */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** BENCH_PROF=<dir>: each instance writes a CPU profile there when it stops (node --cpu-prof). */
const profArgs = (): string[] => (process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []);

async function startInstances(count: number, env: Record<string, string>): Promise<{ services: ServiceProcess[]; dirs: string[] }> {
  await ensureBuilt();
  const services: ServiceProcess[] = [];
  const dirs: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-instance-'));
    dirs.push(dataDir);
    const port = await freePort();
    services.push(await startServiceProcess({
      dataDir, port, readyTimeoutMs: 60_000, nodeArgs: profArgs(),
      env: { PUBLIC_URL: `http://127.0.0.1:${port}`, DATABASE_URL: url(), DATABASE_SCHEMA: schema(), LOG_LEVEL: 'warn', ...env },
    }));
  }
  return { services, dirs };
}

async function stopInstances({ services, dirs }: { services: ServiceProcess[]; dirs: string[] }): Promise<void> {
  for (const service of services) service.child.kill('SIGTERM');
  await Promise.all(services.map((service) => service.exited));
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
}

/** The instances' send slots from the shared cap, by what became of them (/metrics), summed: where throughput went. */
async function clusterSlots(services: readonly ServiceProcess[]): Promise<Record<string, number>> {
  const sums: Record<string, number> = { slotsUsed: 0, slotsLate: 0, slotsAbandoned: 0, slotsUnassigned: 0, slotAsks: 0 };
  for (const service of services) {
    const text = await (await fetch(`${service.base}/metrics`)).text();
    for (const [, outcome, n] of text.matchAll(/^smsbridge_cluster_send_slots_total\{outcome="(\w+)"\} (\d+)$/gm)) {
      const key = `slots${(outcome as string).charAt(0).toUpperCase()}${(outcome as string).slice(1)}`;
      sums[key] = (sums[key] ?? 0) + Number(n);
    }
    sums.slotAsks = (sums.slotAsks ?? 0) + Number(/^smsbridge_cluster_slot_asks_total (\d+)$/m.exec(text)?.[1] ?? 0);
  }
  return sums;
}

function sustainedRate(starts: readonly number[], rate: number): number {
  const n = starts.length;
  if (n <= rate) return n / Math.max(1e-9, ((starts[n - 1] ?? 0) - (starts[0] ?? 0)) / 1000);
  let sum = 0;
  for (let i = 0; i + rate < n; i += 1) sum += (starts[i + rate] as number) - (starts[i] as number);
  return rate / (sum / (n - rate) / 1000);
}

export async function benchPgDispatch(): Promise<Record<string, number>> {
  const messages = Number(process.env.BENCH_DISPATCH_MESSAGES ?? 20_000);
  const rate = Number(process.env.BENCH_DISPATCH_RATE ?? 1000);
  const standIn = await startTwilioStandIn({ latencyMs: 5, ratePerSecond: rate });
  const instances = await startInstances(2, { ...standIn.env({ mps: rate }), TWILIO_MAX_IN_FLIGHT: '50' });
  try {
    const [first] = instances.services as [ServiceProcess];
    const csv = `phone\n${Array.from({ length: messages }, (_, i) => `+7913${String(i).padStart(7, '0')}`).join('\n')}\n`;
    const imported = await fetch(`${first.base}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: `Bearer ${E2E_API_KEY}`, 'content-type': 'text/csv' }, body: csv });
    if (imported.status !== 200) throw new Error(`import failed: ${imported.status} ${await imported.text()}`);
    const created = await first.api('POST', '/campaigns', { name: 'bench dispatch', kind: 'transactional', audience: { filter: { field: 'phone', op: 'starts_with', value: '+7913' } }, text: 'Your order has shipped.' });
    if (created.status !== 201) throw new Error(`campaign create failed: ${JSON.stringify(created.body)}`);
    const cpuBefore = instances.services.map((service) => cpuSecondsOf(service.child.pid));
    const standInCpu = process.cpuUsage();
    const sent = await first.api('POST', `/campaigns/${created.body.id as string}/send`);
    if (sent.status !== 202) throw new Error(`send failed: ${JSON.stringify(sent.body)}`);
    const deadline = Date.now() + 600_000;
    while (standIn.messages.length < messages && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const rss = instances.services.map((service) => peakRssOf(service.child.pid));
    const slots = await clusterSlots(instances.services);
    const cpuMs = instances.services.map((service, i) => (cpuSecondsOf(service.child.pid) - (cpuBefore[i] ?? 0)) * 1000);
    // Timed as the requests reach the stand-in (sub-millisecond), as a carrier counts them: the times
    // messages are created there come after its own latency timer, which batches them by up to tens of
    // milliseconds on a busy machine (kept as busiestHandled, for comparison).
    const starts = standIn.arrivalTimes().sort((a, b) => a - b);
    // BENCH_DUMP=<file>: the arrival and handled times, for a look at the gaps and bunches.
    if (process.env.BENCH_DUMP) fs.writeFileSync(process.env.BENCH_DUMP, JSON.stringify({ arrivals: starts, handled: standIn.handledTimes() }));
    const sustained = sustainedRate(starts, rate);
    return {
      messages: standIn.messages.length, rate, sustained, ratio: sustained / rate, busiest: maxInWindow(starts, 1000), busiestHandled: maxInWindow(standIn.handledTimes(), 1000),
      busiestSecond: Math.max(...standIn.arrivalsPerSecond().values()), throttled: standIn.stats.throttled,
      duplicates: [...standIn.countByTo().values()].filter((n) => n > 1).length,
      // CPU the two instances spent per message sent (claims, slots, requests, records), together.
      ...slots,
      cpuMsPerMessage: cpuMs.reduce((sum, ms) => sum + ms, 0) / Math.max(1, standIn.messages.length),
      standInCpuMsPerMessage: ((({ user, system }) => (user + system) / 1000)(process.cpuUsage(standInCpu))) / Math.max(1, standIn.messages.length), peakRssMbA: rss[0] ?? 0, peakRssMbB: rss[1] ?? 0,
    };
  } finally {
    await stopInstances(instances);
    await standIn.close();
  }
}

export async function benchPgReceipts(): Promise<Record<string, number>> {
  const count = Number(process.env.BENCH_RECEIPTS ?? 20_000);
  const connections = 50;
  const token = 'bench-token';
  const store = await PostgresStore.open({ url: url(), schema: schema() });
  const now = new Date().toISOString();
  const campaignId = `bench-receipts-${randomUUID().slice(0, 8)}`;
  const rows: OutboxMessage[] = Array.from({ length: count }, (_, i) => ({
    id: `${campaignId}-m${i}`, campaignId, contactId: `c${i}`, phone: `+7914${String(i).padStart(7, '0')}`, kind: 'transactional', variant: 'A', text: 'x',
    encoding: 'GSM-7', segments: 1, cost: 0, sender: 'SHOP', gateway: 'twilio', sendAfter: now, status: 'submitted', attempts: 1,
    providerMessageId: `SM${campaignId.slice(-8)}${String(i).padStart(24, '0')}`, submittedAt: now, createdAt: now, updatedAt: now,
  }));
  await store.outbox.insertMany(rows);
  await store.flush();
  const instances = await startInstances(2, {
    PUBLIC_URL: 'https://sms.example.com', SMS_GATEWAY: 'twilio', TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: token, TWILIO_FROM: '+15005550006',
  });
  try {
    const requests = rows.map((row, i) => {
      const params = { MessageSid: row.providerMessageId as string, SmsSid: row.providerMessageId as string, MessageStatus: 'delivered', SmsStatus: 'delivered', AccountSid: `AC${'0'.repeat(32)}`, To: row.phone, From: '+15005550006', ApiVersion: '2010-04-01' };
      const pathAndQuery = `/webhooks/twilio/status?mid=${encodeURIComponent(row.id)}`;
      return { port: (instances.services[i % 2] as ServiceProcess).port, pathAndQuery, body: new URLSearchParams(params).toString(), signature: signTwilioRequest(token, `https://sms.example.com${pathAndQuery}`, params) };
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    let next = 0;
    let non2xx = 0;
    const post = (i: number): Promise<void> => {
      const request = requests[i] as (typeof requests)[number];
      return new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: request.port, path: request.pathAndQuery, method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': request.signature, 'content-length': Buffer.byteLength(request.body) } }, (res) => {
          res.resume();
          res.on('end', () => {
            if ((res.statusCode ?? 500) >= 300) non2xx += 1;
            resolve();
          });
        });
        req.on('error', reject);
        req.end(request.body);
      });
    };
    const cpuBefore = instances.services.map((service) => cpuSecondsOf(service.child.pid));
    const started = performance.now();
    await Promise.all(Array.from({ length: connections }, async () => {
      while (next < count) await post(next++);
    }));
    const seconds = (performance.now() - started) / 1000;
    // What the instances spent answering (receipts applied meanwhile included), per request.
    const serverCpuSeconds = instances.services.reduce((sum, service, i) => sum + cpuSecondsOf(service.child.pid) - (cpuBefore[i] ?? 0), 0);
    agent.destroy();
    let delivered = 0;
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      delivered = (await store.outbox.countByStatus(campaignId)).delivered ?? 0;
      if (delivered >= count) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const appliedSeconds = (performance.now() - started) / 1000;
    const rss = instances.services.map((service) => peakRssOf(service.child.pid));
    return { requests: count, perSecond: count / seconds, serverCpuMsPerRequest: (serverCpuSeconds * 1000) / count, non2xx, delivered, lost: count - delivered, appliedSeconds, peakRssMbA: rss[0] ?? 0, peakRssMbB: rss[1] ?? 0 };
  } finally {
    await stopInstances(instances);
    await store.close();
  }
}
