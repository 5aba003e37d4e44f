import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import { fixedClock } from '../../src/common/clock.js';
import { seededRandom } from '../../src/common/random.js';
import type { MessageStatus, OutboxMessage } from '../../src/delivery/outbox.js';
import { canMove } from '../../src/delivery/outbox.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { makeCampaign, tempDataDir } from './harness.js';

const MB = 1024 * 1024;
const CAMPAIGN = 'camp1';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function queued(i: number, at: string): OutboxMessage {
  const n = String(i).padStart(4, '0');
  return {
    id: `m-${n}`, campaignId: CAMPAIGN, contactId: `c-${n}`, phone: `+7912000${n}`, kind: 'marketing', variant: i % 2 ? 'A' : 'B', text: 'Hi', encoding: 'GSM-7', segments: 1,
    cost: 1, sender: 'SHOP', gateway: 'simulator', sendAfter: at, status: 'queued', attempts: 0, createdAt: at, updatedAt: at, ...(i % 17 === 0 ? { test: true } : {}),
  };
}

async function allRows(store: LowdbStore): Promise<OutboxMessage[]> {
  const rows: OutboxMessage[] = [];
  for (let afterId: string | undefined; ; ) {
    const page = await store.outbox.listByCampaign(CAMPAIGN, afterId === undefined ? { limit: 7 } : { limit: 7, afterId });
    if (page.length === 0) return rows;
    rows.push(...page);
    afterId = page[page.length - 1]?.id;
  }
}

function recount(rows: readonly OutboxMessage[]): Partial<Record<MessageStatus, number>> {
  const counts: Partial<Record<MessageStatus, number>> = {};
  for (const row of rows) if (!row.test) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}

/** Counts kept as rows change, the report, and a recount from the rows (and from the files) all agree. */
async function checkCounts(store: LowdbStore, dataDir: string, audience: number, service: CampaignService, flushed: boolean): Promise<void> {
  const rows = await allRows(store);
  const counts = await store.outbox.countByStatus(CAMPAIGN);
  expect(counts).toEqual(recount(rows));
  const report = await service.report(CAMPAIGN);
  const c = recount(rows);
  const planned = rows.filter((r) => !r.test);
  expect(report).toMatchObject({
    delivered: c.delivered ?? 0, undelivered: c.undelivered ?? 0, failed: (c.failed ?? 0) + (c.rejected ?? 0) + (c.expired ?? 0), unknown: c.unknown ?? 0,
    pending: (c.queued ?? 0) + (c.sending ?? 0) + (c.submitted ?? 0), canceled: c.canceled ?? 0,
    submitted: planned.filter((r) => ['submitted', 'delivered', 'undelivered', 'expired'].includes(r.status) || r.providerMessageId !== undefined || r.submittedAt !== undefined).length,
  });
  const { delivered, undelivered, failed, unknown, pending, canceled, submitted } = report;
  expect(delivered + undelivered + failed + unknown + pending + canceled).toBe(report.audience);
  expect(report.audience).toBe(audience);
  const inFlightOrWaiting = (counts.queued ?? 0) + (counts.sending ?? 0) + (counts.submitted ?? 0);
  const final = delivered + undelivered + failed + canceled;
  expect(inFlightOrWaiting + final + unknown).toBeLessThanOrEqual(audience);
  expect(submitted).toBeLessThanOrEqual(audience);
  if (!flushed) return;
  // What is durable reads back the same from the files.
  const reader = await LowdbStore.open({ dataDir, maxBytes: 100 * MB, readOnly: true });
  expect(await reader.outbox.countByStatus(CAMPAIGN)).toEqual(counts);
  await reader.close();
}

describe('counts that cannot drift', () => {
  it('after random claims, results, receipts, crashes and restarts, counts equal a recount and never exceed the audience', async () => {
    const random = seededRandom(8_2026);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    for (let run = 0; run < 8; run += 1) {
      const clock = fixedClock('2026-11-27T07:00:00.000Z');
      let dataDir = tempDataDir('smsb-counts-');
      dirs.push(dataDir);
      const size = 20 + Math.floor(random() * 40);
      const rows = Array.from({ length: size }, (_, i) => queued(i, clock.now().toISOString()));
      const audience = rows.filter((r) => !r.test).length;
      let store = await LowdbStore.open({ dataDir, maxBytes: 100 * MB });
      await store.campaigns.put(makeCampaign({ id: CAMPAIGN, variants: [{ name: 'A', text: 'Hi', weight: 1 }, { name: 'B', text: 'Hi', weight: 1 }] as never }));
      await store.outbox.insertMany(rows);
      await store.flush();
      const service = (s: LowdbStore): CampaignService => new CampaignService({ store: s, clock, newId: () => 'x', policy: DEFAULT_POLICY, defaultZone: 'UTC', defaultCountry: 'RU', prices: {}, currency: 'RUB', gateway: () => { throw new Error('no gateway'); }, testSendRequiredAbove: 1e9 });
      for (let step = 0; step < 40; step += 1) {
        clock.advance(1_000);
        const action = random();
        let flushed = false;
        if (action < 0.3) {
          await store.outbox.claimDue({ now: clock.now(), limit: 1 + Math.floor(random() * 8), leaseMs: 120_000, attemptId: `a${run}-${step}`, campaignIds: new Set([CAMPAIGN]) });
        } else if (action < 0.55) {
          const sending = (await allRows(store)).filter((r) => r.status === 'sending');
          const at = clock.now().toISOString();
          await store.outbox.updateMany(sending.filter(() => random() < 0.8).map((r, i) => {
            const outcome = pick(['submitted', 'submitted', 'queued', 'unknown', 'rejected'] as const);
            return outcome === 'submitted' ? { ...r, status: outcome, providerMessageId: `P${run}-${step}-${i}`, submittedAt: at, updatedAt: at }
              : outcome === 'queued' ? { ...r, status: outcome, retryAt: at, updatedAt: at } : { ...r, status: outcome, updatedAt: at, ...(outcome === 'rejected' ? { finalAt: at } : {}) };
          }));
        } else if (action < 0.75) {
          const at = clock.now().toISOString();
          const receipts = (await allRows(store)).filter(() => random() < 0.5).map((r) => ({ row: r, next: pick(['delivered', 'undelivered', 'expired', 'submitted'] as const) }));
          await store.outbox.updateMany(receipts.filter(({ row, next }) => row.status !== next && canMove(row.status, next) && row.status !== 'queued' && row.status !== 'sending').map(({ row, next }) => ({ ...row, status: next, updatedAt: at, finalAt: at })));
        } else if (action < 0.85) {
          await store.flush();
          flushed = true;
        } else {
          // A crash: the disk as it is this instant (flushed or not) becomes the next process's data dir.
          const next = tempDataDir('smsb-counts-');
          dirs.push(next);
          for (const entry of fs.readdirSync(dataDir)) if (entry !== 'smsbridge.sock') fs.cpSync(path.join(dataDir, entry), path.join(next, entry), { recursive: true });
          // The old process is gone: whatever it would still write lands in the old dir, not in the copy.
          await store.close();
          dataDir = next;
          store = await LowdbStore.open({ dataDir, maxBytes: 100 * MB });
          // The restart's recovery: rows left sending by the dead process become unknown at once.
          await store.outbox.expireLeases(clock.now());
          expect((await store.outbox.countByStatus(CAMPAIGN)).sending ?? 0).toBe(0);
          await store.flush();
          flushed = true;
        }
        await checkCounts(store, dataDir, audience, service(store), flushed);
      }
      await store.close();
    }
  });
});
