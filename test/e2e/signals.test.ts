import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceProcess } from '../helpers/service-process.js';
import { descendants, ensureBuilt, processState, startServiceProcess, until } from '../helpers/service-process.js';
import type { TwilioStandIn, TwilioStandInOptions } from '../helpers/twilio-stand-in.js';
import { startTwilioStandIn } from '../helpers/twilio-stand-in.js';
import { campaignRows } from './outbox-rows.js';

/**
 * `npm start` as a supervisor runs it (systemd, docker without an init, a process manager): SIGTERM to
 * npm must reach the service, which stops gracefully within SHUTDOWN_GRACE_S and leaves no process
 * behind and no row in `sending`.
 */
const GRACE_S = 10;

let dataDir: string | undefined;
let standIn: TwilioStandIn | undefined;
let service: ServiceProcess | undefined;
let tree: number[] = [];

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

afterEach(async () => {
  for (const pid of [...tree, ...(service?.child.pid ? [service.child.pid] : [])]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  tree = [];
  service = undefined;
  await standIn?.close();
  standIn = undefined;
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

const alive = (pid: number): boolean => {
  const state = processState(pid);
  return state !== undefined && state !== 'Z';
};

/**
 * Starts `npm start`, sends a campaign through the stand-in, waits until `busy` says the gateway is
 * being worked, sends SIGTERM to npm, and returns how long until npm and every process under it
 * were gone, and the campaign's rows by status afterwards.
 */
async function stopMidCampaign(options: { mps: number; recipients: number; standIn?: TwilioStandInOptions; busy: (stand: TwilioStandIn) => boolean }) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-e2e-signals-'));
  standIn = await startTwilioStandIn({ latencyMs: 5, ...options.standIn });
  service = await startServiceProcess({ dataDir, via: 'npm', env: { ...standIn.env({ mps: options.mps }), SHUTDOWN_GRACE_S: String(GRACE_S) } });
  const phones = Array.from({ length: options.recipients }, (_, i) => `+1415555${String(i).padStart(4, '0')}`);
  const created = await service.api('POST', '/campaigns', { name: `stop at ${options.mps}/s`, kind: 'transactional', audience: { phones }, text: 'Your order has shipped.' });
  expect(created.status).toBe(201);
  expect((await service.api('POST', `/campaigns/${created.body.id as string}/send`)).status).toBe(202);
  await until('the gateway to be busy', () => options.busy(standIn!), 20_000);

  tree = descendants(service.child.pid!);
  expect(tree.length).toBeGreaterThan(0);
  const signalled = performance.now();
  service.child.kill('SIGTERM');
  const exit = await service.exited;
  await until('every process under npm to end', () => !tree.some(alive), GRACE_S * 1000 + 5000);
  const stopMs = performance.now() - signalled;
  const { counts } = await campaignRows(dataDir, created.body.id as string);
  return { stopMs, exit, counts, stderr: service.stderr() };
}

describe('npm start under SIGTERM (end to end)', () => {
  it.each([5, 500])('stops within the graceful-shutdown time at %i messages per second, with no `sending` rows left', async (mps) => {
    // SIGTERM once about a fifth of a second's worth has gone out: the campaign is mid-flight.
    const result = await stopMidCampaign({ mps, recipients: mps === 5 ? 60 : 1500, busy: (stand) => stand.messages.length >= Math.max(3, mps / 5) });
    expect(result.stderr).toContain('stopping (SIGTERM)');
    expect(result.exit.code).toBe(0);
    expect(result.stopMs).toBeLessThan(GRACE_S * 1000);
    expect(result.counts.sending ?? 0).toBe(0);
    expect(result.counts.queued ?? 0).toBeGreaterThan(0);
    process.stderr.write(`npm start at ${mps}/s: stopped ${(result.stopMs / 1000).toFixed(2)} s after SIGTERM; rows ${JSON.stringify(result.counts)}\n`);
  }, 60_000);

  it('stops within the graceful-shutdown time while the gateway answers 429 with Retry-After: 300', async () => {
    const result = await stopMidCampaign({ mps: 50, recipients: 200, standIn: { mode: 'throttle', retryAfterSeconds: 300 }, busy: (stand) => stand.stats.throttled >= 1 });
    expect(result.exit.code).toBe(0);
    expect(result.stopMs).toBeLessThan(GRACE_S * 1000);
    expect(result.counts.sending ?? 0).toBe(0);
    expect(standIn!.messages).toHaveLength(0);
    process.stderr.write(`npm start under 429 Retry-After 300: stopped ${(result.stopMs / 1000).toFixed(2)} s after SIGTERM; rows ${JSON.stringify(result.counts)}\n`);
  }, 60_000);
});
