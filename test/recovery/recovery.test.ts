import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import { makeOutboxRow } from '../helpers/factories.js';
import { makeCampaign, makeEngine, recordingLogger, tempDataDir } from './harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = tempDataDir('smsb-recovery-');
  dirs.push(dir);
  return dir;
};
const openLowdb = (dataDir: string): Promise<LowdbStore> => LowdbStore.open({ dataDir, maxBytes: 100 * 1024 * 1024 });
const T0 = '2026-11-27T07:00:00.000Z';

describe('recovery that completes', () => {
  it('embedded store: a restart right after a crash makes every sending row unknown at once and the campaign completes', async () => {
    const dir = tempDir();
    const first = await openLowdb(dir);
    await first.campaigns.put(makeCampaign());
    // The batch in flight when the process died: claimed a second ago, its lease runs for two more minutes.
    const inFlight = Array.from({ length: 3 }, (_, i) => makeOutboxRow({ campaignId: 'camp1', contactId: `r${i}`, status: 'sending', attempts: 1, attemptId: 'dead-attempt', leaseUntil: '2026-11-27T07:01:59.000Z' }));
    const done = makeOutboxRow({ campaignId: 'camp1', contactId: 'r9', status: 'delivered', providerMessageId: 'P9', submittedAt: T0, finalAt: T0 });
    await first.outbox.insertMany([...inFlight, done]);
    await first.close();

    const store = await openLowdb(dir);
    const clock = fixedClock('2026-11-27T07:00:01.000Z');
    const gateway = createFakeGateway();
    const { engine, campaigns } = await makeEngine({ store, clock, gateway, dir });
    await engine.recover();
    await engine.step();
    expect(await store.outbox.countByStatus('camp1')).toEqual({ unknown: 3, delivered: 1 });
    expect((await campaigns.get('camp1')).status).toBe('completed');
    expect(gateway.sent).toHaveLength(0);
    await store.close();
    // Durable: a read-only look at the files sees the same.
    const reader = await LowdbStore.open({ dataDir: dir, maxBytes: 100 * 1024 * 1024, readOnly: true });
    expect(await reader.outbox.countByStatus('camp1')).toEqual({ unknown: 3, delivered: 1 });
    await reader.close();
  });

  it('any store: the running engine expires leases on its own beat, not only at start', async () => {
    const store = new MemoryStore();
    const clock = fixedClock(T0);
    await store.campaigns.put(makeCampaign());
    // Another instance claimed this row and died; its lease runs out while this engine is running.
    await store.outbox.insertMany([makeOutboxRow({ campaignId: 'camp1', contactId: 'r1', status: 'sending', attempts: 1, attemptId: 'other', leaseUntil: '2026-11-27T07:02:00.000Z' })]);
    const { engine, campaigns } = await makeEngine({ store, clock, gateway: createFakeGateway(), dir: tempDir(), leaseCheckMs: 5_000 });
    await engine.recover();
    await engine.step();
    expect(await store.outbox.countByStatus('camp1')).toEqual({ sending: 1 });
    clock.advance(119_000);
    await engine.step();
    expect(await store.outbox.countByStatus('camp1')).toEqual({ sending: 1 });
    clock.advance(6_000);
    await engine.step();
    expect(await store.outbox.countByStatus('camp1')).toEqual({ unknown: 1 });
    expect((await campaigns.get('camp1')).status).toBe('completed');
  });

  it('a sending row whose gateway is no longer configured becomes unknown with a log line, not a crash', async () => {
    const dir = tempDir();
    const first = await openLowdb(dir);
    await first.campaigns.put(makeCampaign({ gateway: 'retired' }));
    await first.outbox.insertMany([
      makeOutboxRow({ campaignId: 'camp1', contactId: 'r1', gateway: 'retired', status: 'sending', attempts: 1, attemptId: 'a', leaseUntil: '2026-11-27T07:02:00.000Z' }),
      // A receipt raced ahead: the row has a provider id, so reconciliation would ask the gateway.
      makeOutboxRow({ campaignId: 'camp1', contactId: 'r2', gateway: 'retired', status: 'sending', attempts: 1, attemptId: 'a', leaseUntil: '2026-11-27T07:02:00.000Z', providerMessageId: 'R2' }),
    ]);
    await first.close();
    const store = await openLowdb(dir);
    const logger = recordingLogger();
    const { engine, campaigns } = await makeEngine({ store, clock: fixedClock(T0), gateway: createFakeGateway(), dir, logger });
    engine.start(10);
    for (let i = 0; i < 50 && (await campaigns.get('camp1')).status === 'sending'; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await engine.stop();
    expect(await store.outbox.countByStatus('camp1')).toEqual({ unknown: 2 });
    expect((await campaigns.get('camp1')).status).toBe('completed');
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg.includes('no longer configured') && (l.obj as { gateway?: string }).gateway === 'retired')).toBe(true);
    await store.close();
  });
});
