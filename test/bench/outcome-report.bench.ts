import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openApp } from '../../src/app.js';
import type { Campaign } from '../../src/campaigns/campaign.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { startService } from '../../src/http/serve.js';
import type { ConversionRecord } from '../../src/outcomes/conversion.js';
import { reportWithOutcomes } from '../../src/reports/outcome-service.js';
import { renderReportPage } from '../../src/reports/report-page.js';
import type { ClickRecord } from '../../src/store/port.js';

const KEY = 'bench-key-0123456789';

/**
 * The campaign report with its outcome keys, and the report page, for one campaign of 100,000
 * messages (A/B, delivered over an hour), 20,000 clicks, 10,000 credited orders and a holdout of
 * 5,000, in the embedded store: the report built in-process, then the page fetched over loopback.
 */
export async function benchOutcomeReport(messages = 100_000, orders = 10_000): Promise<{ messages: number; conversions: number; reportMs: number; reportCpuMs: number; renderMs: number; pageMs: number; pageKb: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-outcome-report-'));
  const app = await openApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', API_KEY: KEY, SMS_SENDER: 'SHOP' }), { logger: silentLogger });
  try {
    const start = Date.parse('2026-11-27T09:00:00.000Z');
    const iso = (ms: number): string => new Date(ms).toISOString();
    const campaign: Campaign = {
      id: 'bench', name: 'Bench', status: 'completed', kind: 'marketing', audience: { filter: { and: [] } }, campaignVariables: {}, sender: 'SHOP', gateway: 'simulator',
      variants: [{ name: 'A', text: 'a', weight: 1 }, { name: 'B', text: 'b', weight: 1 }], schedule: { type: 'now' },
      planned: { recipients: messages, excluded: { no_consent: 1234, quiet_hours: 56 } }, createdAt: iso(start), updatedAt: iso(start), startedAt: iso(start),
    };
    await app.store.campaigns.put(campaign);
    const rows: OutboxMessage[] = Array.from({ length: messages }, (_, i) => {
      const sent = start + Math.floor((i / messages) * 3_600_000);
      return {
        id: `m${String(i).padStart(7, '0')}`, campaignId: 'bench', contactId: `c${i}`, phone: `+7912${String(i).padStart(7, '0')}`, kind: 'marketing', variant: i % 2 ? 'B' : 'A',
        text: 'x', encoding: 'GSM-7', segments: 1, cost: 3.5, sender: 'SHOP', gateway: 'simulator', sendAfter: iso(start), status: i % 50 === 0 ? 'undelivered' : 'delivered',
        attempts: 1, submittedAt: iso(sent), finalAt: iso(sent + 1000 + (i % 7000)), createdAt: iso(start), updatedAt: iso(sent),
      };
    });
    await app.store.outbox.insertMany(rows);
    const clicks: ClickRecord[] = Array.from({ length: messages / 5 }, (_, i) => ({
      id: `k${i}`, code: `code${i}`, campaignId: 'bench', messageId: `m${String(i * 5).padStart(7, '0')}`, contactId: `c${i * 5}`, url: 'https://shop.example', at: iso(start + 600_000 + i * 100), human: i % 20 !== 0,
    }));
    await app.store.clicks.append(clicks);
    const conversions: ConversionRecord[] = Array.from({ length: orders }, (_, i) => ({
      id: `o${i}`, contactId: `c${i * 9}`, amount: 500 + (i % 50) * 100, currency: 'RUB', at: iso(start + 7_200_000 + i * 1000), source: 'file', recordedAt: iso(start),
      attribution: { campaignId: 'bench', via: i % 3 ? 'message' : 'click', messageId: `m${String(i * 9).padStart(7, '0')}`, variant: (i * 9) % 2 ? 'B' : 'A', touchedAt: iso(start) },
    }));
    await app.store.conversions.insertNew(conversions);
    await app.store.holdouts.put({ id: 'bench', contactIds: Array.from({ length: 5000 }, (_, i) => `h${i}`), percent: 5, at: iso(start) });
    rows.length = 0;
    await app.store.flush();

    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const { report, series } = await reportWithOutcomes(app, 'bench', { series: true });
    const reportMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const reportCpuMs = (cpu.user + cpu.system) / 1000;
    const t1 = performance.now();
    renderReportPage(report, series, { generatedAt: iso(start) });
    const renderMs = performance.now() - t1;

    const service = await startService(app, { port: 0, host: '127.0.0.1' });
    try {
      const t2 = performance.now();
      const res = await fetch(`http://127.0.0.1:${service.port}/reports/campaigns/bench`, { headers: { authorization: `Bearer ${KEY}` } });
      const html = await res.text();
      const pageMs = performance.now() - t2;
      if (res.status !== 200 || report.conversions.count !== orders) throw new Error(`page ${res.status}, ${report.conversions.count} conversions`);
      return { messages, conversions: report.conversions.count, reportMs, reportCpuMs, renderMs, pageMs, pageKb: Buffer.byteLength(html) / 1024 };
    } finally {
      await service.stop();
    }
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await benchOutcomeReport()));
