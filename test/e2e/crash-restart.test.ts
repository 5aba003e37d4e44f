import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceProcess } from '../helpers/service-process.js';
import { ensureBuilt, freePort, processState, ROOT, serviceEnv, startServiceProcess, until } from '../helpers/service-process.js';
import type { TwilioStandIn } from '../helpers/twilio-stand-in.js';
import { startTwilioStandIn } from '../helpers/twilio-stand-in.js';
import { campaignRows, cliReport, recount } from './outbox-rows.js';

/**
 * The service as an operator runs it under a supervisor that restarts it at once after a crash: the
 * real built service as a child process, the Twilio adapter pointed at a local Twilio stand-in.
 */
const RECIPIENTS = 1500;
const phones = Array.from({ length: RECIPIENTS }, (_, i) => `+1415555${String(i).padStart(4, '0')}`);

let dataDir: string | undefined;
let standIn: TwilioStandIn | undefined;
const started: ServiceProcess[] = [];
const stray: number[] = [];

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

afterEach(async () => {
  for (const service of started.splice(0)) {
    if (service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
  }
  for (const pid of stray.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await standIn?.close();
  standIn = undefined;
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

describe('crash and immediate restart (end to end, the built service as a child process)', () => {
  it('SIGKILLed three times during a 1,500-message campaign: no duplicate, every recipient submitted or unknown, completes within 30 s, report = recount', async () => {
    const t0 = performance.now();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-e2e-crash-'));
    // Receipts for one message in twenty: enough to exercise them, few enough to keep the send rate.
    standIn = await startTwilioStandIn({ latencyMs: 5, callbacks: { delayMs: 20, share: 0.05 } });
    const port = await freePort();
    const env = { ...standIn.env({ mps: 400 }), PUBLIC_URL: `http://127.0.0.1:${port}` };
    const start = async (): Promise<ServiceProcess> => {
      const service = await startServiceProcess({ dataDir: dataDir!, env, port });
      started.push(service);
      return service;
    };

    let service = await start();
    const created = await service.api('POST', '/campaigns', { name: 'crash drill', kind: 'transactional', audience: { phones }, text: 'Your order has shipped.' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await service.api('POST', `/campaigns/${id}/send`)).status).toBe(202);

    let lastRestart = 0;
    for (const atCreated of [300, 700, 1100]) {
      await until(`${atCreated} messages at the stand-in`, () => standIn!.messages.length >= atCreated, 60_000, 2);
      service.child.kill('SIGKILL');
      await service.exited;
      service = await start();
      lastRestart = performance.now();
      process.stderr.write(`crash drill: killed at ${standIn!.messages.length} sent, restarted ${((lastRestart - t0) / 1000).toFixed(1)} s from the start\n`);
    }

    const completed = await until('the campaign to complete', async () => {
      const { body } = await service.api('GET', `/campaigns/${id}`);
      return body.status === 'completed' ? body : undefined;
    }, 30_000, 100);
    const completedAfterMs = performance.now() - lastRestart;
    process.stderr.write(`crash drill: completed ${(completedAfterMs / 1000).toFixed(1)} s after the last restart, ${((performance.now() - t0) / 1000).toFixed(1)} s from the start; ${standIn.messages.length} at the stand-in\n`);
    expect(completedAfterMs).toBeLessThan(30_000);
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);

    // No recipient got two messages.
    const perRecipient = standIn.countByTo();
    expect([...perRecipient.values()].filter((n) => n > 1)).toEqual([]);

    const { rows, counts } = await campaignRows(dataDir, id);
    expect(rows).toHaveLength(RECIPIENTS);
    const tally = recount(rows);
    // Every recipient is submitted (or later) or unknown; nothing is stuck queued or sending.
    expect(Object.keys(tally.byStatus).filter((status) => !['submitted', 'delivered', 'undelivered', 'unknown'].includes(status))).toEqual([]);
    // Unknowns are resolved through the stand-in's message list wherever it has the message.
    const unknownTheGatewayHas = rows.filter((row) => row.status === 'unknown' && perRecipient.has(row.phone));
    expect(unknownTheGatewayHas).toEqual([]);
    // A submitted row carries the sid the stand-in gave that recipient.
    const sidOf = new Map(standIn.messages.map((m) => [m.to, m.sid]));
    expect(rows.filter((row) => row.status !== 'unknown' && sidOf.get(row.phone) !== row.providerMessageId)).toEqual([]);

    // The report (CLI, read-only) and the kept counts equal a recount of the rows.
    const report = cliReport(dataDir, id);
    expect({ submitted: report.submitted, delivered: report.delivered, undelivered: report.undelivered, failed: report.failed, unknown: report.unknown, pending: report.pending, canceled: report.canceled })
      .toEqual({ submitted: tally.submitted, delivered: tally.delivered, undelivered: tally.undelivered, failed: tally.failed, unknown: tally.unknown, pending: tally.pending, canceled: tally.canceled });
    expect(counts).toEqual(tally.byStatus);
    expect(report.audience).toBe(RECIPIENTS);
    process.stderr.write(`crash drill: ${standIn.messages.length} sent, ${tally.unknown} unknown, completed ${(completedAfterMs / 1000).toFixed(1)} s after the last restart, ${((performance.now() - t0) / 1000).toFixed(1)} s in all (campaign ${completed.status})\n`);
  }, 180_000);

  it('a SIGKILLed service left a zombie (its parent never reaps it): the restart starts', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-e2e-zombie-'));
    const port = await freePort();
    // A parent that starts the service, prints its pid, then becomes `sleep`, which never waits for
    // children: the service, once killed, stays a zombie until that parent goes.
    const main = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
    const parent = spawn('/bin/sh', ['-c', `"${process.execPath}" "${main}" serve 2>/dev/null & echo $!; exec sleep 120`], {
      cwd: ROOT, env: serviceEnv(dataDir, port), stdio: ['ignore', 'pipe', 'ignore'],
    });
    stray.push(parent.pid!);
    const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    await until('the first service to answer', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200, 30_000, 50);

    process.kill(pid, 'SIGKILL');
    await until('the killed service to be a zombie', () => processState(pid) === 'Z', 5000);

    const restarted = await startServiceProcess({ dataDir, port: await freePort(), readyTimeoutMs: 30_000 });
    started.push(restarted);
    expect((await fetch(`${restarted.base}/healthz`)).status).toBe(200);
    expect(processState(pid)).toBe('Z');
  }, 60_000);
});
