import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import type { ClickRecord } from '../../src/store/port.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const open = (dataDir: string) => LowdbStore.open({ dataDir, maxBytes: 50 * 1024 * 1024 });
const click = (i: number, contactId = `ct${i % 10}`): ClickRecord => ({
  id: `k${String(i).padStart(6, '0')}`, code: 'AbCdEfGhJk', campaignId: 'c1', messageId: `m${i}`, contactId, url: 'https://shop.example/', at: '2026-11-27T10:00:00.000Z', human: true, userAgent: `Agent ${i}`,
});

describe('lowdb clicks', () => {
  it('appends clicks to a journal instead of rewriting them, and reads them back after a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-clicks-'));
    dirs.push(dir);
    const store = await open(dir);
    for (let batch = 0; batch < 20; batch += 1) await store.clicks.append(Array.from({ length: 50 }, (_, i) => click(batch * 50 + i)));
    await store.flush();
    expect(store.writes().clicks).toBe(0);
    const lines = fs.readFileSync(path.join(dir, 'clicks.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1000);
    await store.close();
    const again = await open(dir);
    expect(await again.clicks.listByCampaign('c1')).toHaveLength(1000);
    await again.close();
  });

  it('rewrites the journal on erasure, so the erased user agents leave the disk, keeping later clicks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-clicks-'));
    dirs.push(dir);
    const store = await open(dir);
    await store.clicks.append([click(1, 'anna'), click(2, 'boris')]);
    await store.clicks.erase('anna', 'erased:x');
    await store.clicks.append([click(3, 'anna')]);
    await store.close();
    const text = fs.readFileSync(path.join(dir, 'clicks.jsonl'), 'utf8');
    expect(text).not.toContain('Agent 1');
    expect(text).toContain('Agent 2');
    const again = await open(dir);
    const clicks = await again.clicks.listByCampaign('c1');
    expect(clicks.map((c) => [c.id, c.contactId, c.userAgent])).toEqual([['k000001', 'erased:x', undefined], ['k000002', 'boris', 'Agent 2'], ['k000003', 'anna', 'Agent 3']]);
    await again.close();
  });
});
