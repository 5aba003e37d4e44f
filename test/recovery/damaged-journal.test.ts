import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import { cli } from '../helpers/run-cli.js';
import { makeCampaign, makeEngine, tempDataDir } from './harness.js';

const T0 = '2026-11-27T07:00:00.000Z';
const MB = 1024 * 1024;
let dataDir: string;
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A queued row laid out as the campaign service writes it (id and campaignId first). */
function queuedRow(i: number): OutboxMessage {
  const n = String(i).padStart(4, '0');
  return {
    id: `msg-${n}`, campaignId: 'camp1', contactId: `c-${n}`, phone: `+7912000${n}`, kind: 'marketing', variant: 'A', text: 'Hi', encoding: 'GSM-7', segments: 1, cost: 1,
    sender: 'SHOP', gateway: 'simulator', sendAfter: T0, status: 'queued', attempts: 0, createdAt: T0, updatedAt: T0,
  };
}

/** Runs a campaign to its end through the engine on a lowdb store: every message sent and delivered. */
async function finishedCampaign(rows: number): Promise<void> {
  const store = await LowdbStore.open({ dataDir, maxBytes: 100 * MB });
  await store.campaigns.put(makeCampaign());
  await store.outbox.insertMany(Array.from({ length: rows }, (_, i) => queuedRow(i)));
  // The clock stands still, and sends are paced evenly on it: a fast gateway lets each round send its whole claim.
  const gateway = createFakeGateway({ id: 'simulator', capabilities: { maxSegmentsPerSecond: 100_000 } });
  const { engine, campaigns, inbox } = await makeEngine({ store, clock: fixedClock(T0), gateway, dir: dataDir });
  await engine.recover();
  while ((await engine.step()) > 0) await engine.accept(gateway.deliverAll());
  await engine.accept(gateway.deliverAll());
  await engine.step();
  expect((await campaigns.get('camp1')).status).toBe('completed');
  expect(await store.outbox.countByStatus('camp1')).toEqual({ delivered: rows });
  await inbox.close();
  await store.close();
}

function damageLine(file: string, lineIndex: number): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const offset = Buffer.byteLength(lines.slice(0, lineIndex).map((l) => `${l}\n`).join(''));
  lines[lineIndex] = `${(lines[lineIndex] as string).slice(0, 40)}\u0000\u0000garbage`;
  fs.writeFileSync(file, lines.join('\n'));
  return offset;
}

describe('a damaged line in the middle of an outbox journal', () => {
  it('stops start-up naming the file and byte, read-only commands change nothing, recovery keeps a copy and nothing is sent again', async () => {
    dataDir = tempDataDir('smsb-damage-');
    vi.stubEnv('DATA_DIR', dataDir);
    vi.stubEnv('LOG_LEVEL', 'silent');
    await finishedCampaign(40);
    const journal = path.join(dataDir, 'outbox', 'camp1.0.jsonl');
    const lineCount = fs.readFileSync(journal, 'utf8').split('\n').length - 1;
    expect(lineCount).toBeGreaterThanOrEqual(120);
    // A line in the middle: the send result of one message, with its receipt and others after it.
    const offset = damageLine(journal, Math.floor(lineCount / 2));
    const before = { bytes: fs.readFileSync(journal), mtimeMs: fs.statSync(journal).mtimeMs };

    await expect(LowdbStore.open({ dataDir, maxBytes: 100 * MB })).rejects.toMatchObject({
      code: 'STORE_CORRUPT', message: expect.stringContaining(`${journal} has a damaged line at byte ${offset}`), hint: expect.stringContaining('store recover'),
    });
    await expect(LowdbStore.open({ dataDir, maxBytes: 100 * MB, readOnly: true })).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    for (const args of [['contacts', 'list'], ['campaign', 'report', 'camp1'], ['campaign', 'list'], ['store', 'recover']]) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stdout + result.stderr).toContain(`byte ${offset}`);
    }
    expect(fs.readFileSync(journal).equals(before.bytes)).toBe(true);
    expect(fs.statSync(journal).mtimeMs).toBe(before.mtimeMs);
    expect(fs.readdirSync(path.join(dataDir, 'outbox')).some((name) => name.includes('.damaged-'))).toBe(false);

    const recovered = await cli('store', 'recover', '--yes', '--json');
    expect(recovered.code).toBe(0);
    const report = JSON.parse(recovered.stdout) as { damaged: Array<{ file: string; damageAt: number[]; kept: number; unknownRows: string[] }> };
    expect(report.damaged).toEqual([{ file: journal, kind: 'outbox-journal', damageAt: [offset], kept: lineCount - 1, unknownRows: [] }]);
    const copies = fs.readdirSync(path.join(dataDir, 'outbox')).filter((name) => name.startsWith('camp1.0.jsonl.damaged-'));
    expect(copies).toHaveLength(1);
    expect(fs.readFileSync(path.join(dataDir, 'outbox', copies[0] as string)).equals(before.bytes)).toBe(true);
    expect((await cli('store', 'recover')).stdout).toContain('No damaged files');

    const store = await LowdbStore.open({ dataDir, maxBytes: 100 * MB });
    expect(await store.outbox.countByStatus('camp1')).toEqual({ delivered: 40 });
    const gateway = createFakeGateway({ id: 'simulator' });
    const { engine, inbox } = await makeEngine({ store, clock: fixedClock(T0), gateway, dir: dataDir });
    await engine.recover();
    for (let i = 0; i < 3; i += 1) await engine.step();
    expect(gateway.sent).toHaveLength(0);
    await inbox.close();
    await store.close();
  });
});
