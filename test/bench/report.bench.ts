import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Campaign } from '../../src/campaigns/campaign.js';
import type { CampaignServiceDeps } from '../../src/campaigns/campaign-service.js';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import { CampaignReportBuilder } from '../../src/campaigns/report.js';
import type { InboundRecord } from '../../src/campaigns/report.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';

export interface ReportBenchResult {
  messages: number;
  reports: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** One report folded from every row, the way it was built before running totals (for comparison). */
  foldedMs: number;
}

const BATCH = 500;

/**
 * A 100,000-message A/B campaign being sent through the embedded lowdb store: batches are claimed,
 * marked submitted, then delivered (receipts) a few batches later, replies arrive, and between every
 * two store changes the report is built the way the service builds it (CampaignService.report).
 * Goal: p99 < 10 ms. Run: `npx tsx test/bench/report.bench.ts`.
 */
export async function benchReport(messages = 100_000): Promise<ReportBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-report-'));
  try {
    const store = await LowdbStore.open({ dataDir: dir, maxBytes: 1024 ** 3 });
    const at = (ms: number): string => new Date(Date.UTC(2026, 10, 27, 9) + ms).toISOString();
    const campaign = {
      id: 'bench', name: 'Loyalty', kind: 'marketing', status: 'sending', variants: [{ name: 'A', template: 'a' }, { name: 'B', template: 'b' }],
      planned: { excluded: { no_consent: 1200 } }, createdAt: at(0), updatedAt: at(0),
    } as unknown as Campaign;
    await store.campaigns.put(campaign);
    const service = new CampaignService({ store, currency: 'RUB' } as unknown as CampaignServiceDeps);
    const rows: OutboxMessage[] = Array.from({ length: messages }, (_, i) => ({
      id: `m${String(i).padStart(7, '0')}`, campaignId: 'bench', contactId: `c${i}`, phone: `+7912${String(i).padStart(7, '0')}`, kind: 'marketing',
      variant: i % 2 ? 'B' : 'A', text: `Привет, гость ${i}! Скидка 20% до воскресенья. Отказ: STOP`, encoding: 'UCS-2', segments: 1, cost: 3.5,
      sender: 'SHOP', gateway: 'simulator', sendAfter: at(0), status: 'queued', attempts: 0, createdAt: at(0), updatedAt: at(0),
    }));
    for (let i = 0; i < rows.length; i += 10_000) await store.outbox.insertMany(rows.slice(i, i + 10_000));
    await store.flush();

    const times: number[] = [];
    const report = async (): Promise<void> => {
      const started = performance.now();
      await service.report('bench');
      times.push(performance.now() - started);
    };
    const submitted: OutboxMessage[][] = [];
    for (let batch = 0; ; batch += 1) {
      const now = new Date(Date.parse(at(0)) + batch * 1000);
      const claimed = await store.outbox.claimDue({ now, limit: BATCH, leaseMs: 60_000, attemptId: `a${batch}`, campaignIds: new Set(['bench']) });
      await report();
      const sent = claimed.map((row, i) => ({ ...row, status: 'submitted' as const, providerMessageId: `P${row.id}`, submittedAt: at(batch * 1000 + i), updatedAt: at(batch * 1000 + i) }));
      await store.outbox.updateMany(sent);
      await report();
      if (sent.length > 0) submitted.push(sent);
      const receipts = submitted.length > 3 || sent.length === 0 ? submitted.shift() : undefined;
      if (receipts) {
        await store.outbox.updateMany(receipts.map((row, i) => ({ ...row, status: i % 20 ? ('delivered' as const) : ('undelivered' as const), finalAt: at(batch * 1000 + 2000 + (i % 97) * 37), updatedAt: at(batch * 1000) })));
        const replies: InboundRecord[] = receipts.filter((_, i) => i % 25 === 0).map((row) => ({ id: `r${row.id}`, at: at(batch * 1000), from: row.phone, contactId: row.contactId, text: 'Спасибо', kind: 'reply', campaignId: 'bench', messageId: row.id }));
        await store.inbound.append(replies);
        await report();
      }
      if (sent.length === 0 && submitted.length === 0) break;
    }
    await store.flush();
    const folded = performance.now();
    const builder = new CampaignReportBuilder(campaign, { no_consent: 1200 });
    for (let afterId: string | undefined; ; ) {
      const page = await store.outbox.listByCampaign('bench', afterId === undefined ? { limit: 2000 } : { limit: 2000, afterId });
      if (page.length === 0) break;
      builder.addMessages(page);
      afterId = page[page.length - 1]?.id;
    }
    builder.addInbound(await store.inbound.listByCampaign('bench'));
    const old = builder.result();
    const foldedMs = performance.now() - folded;
    const fresh = await service.report('bench');
    if (fresh.delivered !== old.delivered || fresh.replies !== old.replies || fresh.cost !== old.cost) throw new Error('the report from running totals differs from the folded one');
    await store.close();
    const sorted = [...times].sort((a, b) => a - b);
    const pick = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { messages, reports: times.length, p50Ms: pick(0.5), p99Ms: pick(0.99), maxMs: sorted[sorted.length - 1] ?? 0, foldedMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchReport()));
}
