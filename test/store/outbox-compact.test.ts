import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { findDamage } from '../../src/store/lowdb/recover.js';
import { makeOutboxRow } from '../helpers/factories.js';
import { makeCampaign } from '../recovery/harness.js';
import { archiveCampaign } from '../../src/campaigns/campaign-list.js';
import { fixedClock } from '../../src/common/clock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-compact-'));
  dirs.push(dir);
  return dir;
}
const open = (dataDir: string) => LowdbStore.open({ dataDir, maxBytes: 1024 ** 3 });
const T = '2026-11-27T07:00:00.000Z';

/** A campaign of n messages, sent and delivered, in the store's own order of changes. */
async function finished(store: LowdbStore, n: number): Promise<OutboxMessage[]> {
  const rows = Array.from({ length: n }, (_, i) => makeOutboxRow({ campaignId: 'done', contactId: `c${i}`, text: 'Скидка 20% до воскресенья', sendAfter: T }));
  await store.outbox.insertMany(rows);
  const sent = rows.map((row, i) => ({ ...row, status: 'submitted' as const, providerMessageId: `P${i}`, submittedAt: T, attempts: 1 }));
  await store.outbox.updateMany(sent);
  const delivered = sent.map((row) => ({ ...row, status: 'delivered' as const, finalAt: '2026-11-27T07:00:05.000Z' }));
  await store.outbox.updateMany(delivered);
  await store.flush();
  return delivered;
}

describe('the outbox on disk', () => {
  it('writes a campaign planned in one large batch straight into its snapshot, no journal lines, and reads it back', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const rows = Array.from({ length: 5000 }, (_, i) => makeOutboxRow({ campaignId: 'big', contactId: `c${i}`, text: `Привет, ${i}!`, sendAfter: T }));
    await store.outbox.insertMany(rows);
    await store.flush();
    const names = fs.readdirSync(path.join(dir, 'outbox'));
    expect(names).toContain('big.snap.gz');
    expect(names.filter((name) => name.endsWith('.jsonl')).reduce((sum, name) => sum + fs.statSync(path.join(dir, 'outbox', name)).size, 0)).toBe(0);
    // A change after it lands in the journal and wins over the snapshot on reopening.
    const claimed = { ...(rows[7] as OutboxMessage), status: 'submitted' as const, attempts: 1, attemptId: 'a1', providerMessageId: 'P7', submittedAt: T };
    await store.outbox.updateMany([claimed]);
    await store.close();
    const reopened = await open(dir);
    const back = await reopened.outbox.listByCampaign('big', { limit: 10_000 });
    expect(back).toHaveLength(5000);
    expect(back.find((row) => row.id === claimed.id)).toStrictEqual(claimed);
    expect(back.find((row) => row.id === rows[8]?.id)).toStrictEqual(rows[8]);
    await reopened.close();
  });

  it('folds a settled campaign into one compact snapshot (shared fields once, gzip) and reads it back after a restart', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const rows = await finished(store, 3000);
    await store.flush();
    await (store as unknown as { outboxFiles: { compactAll(): Promise<void> } }).outboxFiles.compactAll();
    const names = fs.readdirSync(path.join(dir, 'outbox'));
    expect(names).toContain('done.snap.gz');
    expect(names.filter((name) => name.endsWith('.jsonl')).reduce((sum, name) => sum + fs.statSync(path.join(dir, 'outbox', name)).size, 0)).toBe(0);
    const lines = gunzipSync(fs.readFileSync(path.join(dir, 'outbox', 'done.snap.gz'))).toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(3001);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ version: 2, shared: { campaignId: 'done', text: 'Скидка 20% до воскресенья', sender: 'SHOP' } });
    expect(lines[1]).not.toContain('Скидка');
    const report = await store.outbox.aggregate('done');
    await store.close();
    const again = await open(dir);
    expect((await again.outbox.getMany([rows[7]?.id as string])).get(rows[7]?.id as string)).toEqual(rows[7]);
    expect((await again.outbox.getByProviderIds('simulator', ['P9'])).get('P9')?.id).toBe(rows[9]?.id);
    expect(await again.outbox.aggregate('done')).toEqual(report);
    await again.close();
  });

  it('folds the journal by itself once the campaign is settled', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await finished(store, 1200);
    await store.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await store.flush();
    const names = fs.readdirSync(path.join(dir, 'outbox'));
    expect(names).toContain('done.snap.gz');
    const journalBytes = names.filter((name) => name.endsWith('.jsonl')).reduce((sum, name) => sum + fs.statSync(path.join(dir, 'outbox', name)).size, 0);
    expect(journalBytes).toBeLessThan(200_000);
    await store.close();
  });

  it('reads a snapshot of the earlier JSON layout, and replaces it at the next compaction', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'outbox'), { recursive: true });
    const rows = Array.from({ length: 5 }, (_, i) => makeOutboxRow({ campaignId: 'old', contactId: `o${i}`, status: 'delivered' }));
    fs.writeFileSync(path.join(dir, 'outbox', 'old.json'), JSON.stringify({ version: 1, journalGen: 0, items: rows }));
    const store = await open(dir);
    expect(await store.outbox.countByStatus('old')).toEqual({ delivered: 5 });
    await (store as unknown as { outboxFiles: { compactAll(): Promise<void> } }).outboxFiles.compactAll();
    expect(fs.existsSync(path.join(dir, 'outbox', 'old.json'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'outbox', 'old.snap.gz'))).toBe(true);
    await store.close();
    const again = await open(dir);
    expect(await again.outbox.countByStatus('old')).toEqual({ delivered: 5 });
    await again.close();
  });

  it('a damaged compact snapshot stops start-up naming the file and line; recovery keeps every readable row', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await finished(store, 50);
    await (store as unknown as { outboxFiles: { compactAll(): Promise<void> } }).outboxFiles.compactAll();
    await store.close();
    const file = path.join(dir, 'outbox', 'done.snap.gz');
    const lines = gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
    lines[20] = '{"id":"broken';
    fs.writeFileSync(file, gzipSync(lines.join('\n')));
    await expect(open(dir)).rejects.toMatchObject({ code: 'STORE_CORRUPT', message: expect.stringContaining(`${file} is damaged at line 21`), hint: expect.stringContaining('store recover') });
    const damage = await findDamage(dir);
    expect(damage).toEqual([{ file, kind: 'outbox-snapshot', damageAt: [21], kept: 19, unknownRows: [] }]);
  });

  it('archiving a finished campaign folds its messages into the compact snapshot; they read back the same', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await store.campaigns.put(makeCampaign({ id: 'done', status: 'completed', finishedAt: T }));
    const rows = await finished(store, 60);
    const journal = () => fs.readdirSync(path.join(dir, 'outbox')).filter((name) => name.endsWith('.jsonl')).reduce((sum, name) => sum + fs.statSync(path.join(dir, 'outbox', name)).size, 0);
    expect(journal()).toBeGreaterThan(0);
    const before = await store.outbox.aggregate('done');
    await archiveCampaign(store, fixedClock('2026-12-01T00:00:00.000Z'), 'done');
    expect(journal()).toBe(0);
    expect(fs.existsSync(path.join(dir, 'outbox', 'done.snap.gz'))).toBe(true);
    await store.close();
    const again = await open(dir);
    expect(await again.outbox.aggregate('done')).toEqual(before);
    expect(await again.outbox.listByCampaign('done', { limit: 100 })).toEqual([...rows].sort((a, b) => (a.id < b.id ? -1 : 1)));
    await again.close();
  });
});
