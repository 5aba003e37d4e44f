import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutcomeReport } from '../../src/outcomes/outcome-types.js';
import type { ReportServer } from '../helpers/report-server.js';
import { REPORT_API_KEY, startReportServer } from '../helpers/report-server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Skipping the report page browser test: ${CHROMIUM} is missing (Debian: apt-get install -y chromium; .ci/run installs it).`);

/** Screenshots land here (ignored by git). */
const OUTPUT = path.join(import.meta.dirname, '..', '..', 'test-output');

let srv: ReportServer;
let browser: BrowserContext;
let profile: string;

describe.skipIf(!hasChromium)('the report page in headless Chromium', () => {
  beforeAll(async () => {
    srv = await startReportServer({ recipients: 80 });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('signs in, draws every chart without a console error, and shows the JSON report\'s numbers', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));

    // (Without a session the page itself answers 401 with this same form: see report-auth.test.ts.)
    await page.goto(`${srv.base}/reports/login?next=/reports/campaigns/${srv.campaignId}`);
    await page.fill('#key', REPORT_API_KEY);
    await Promise.all([page.waitForURL(`**/reports/campaigns/${srv.campaignId}`), page.click('button[type=submit]')]);
    await page.waitForSelector('body[data-charts="ready"]', { timeout: 15_000 });

    const report = (await (await fetch(`${srv.base}/api/v1/campaigns/${srv.campaignId}/report`, { headers: { authorization: `Bearer ${REPORT_API_KEY}` } })).json()) as OutcomeReport;
    const shown = await page.$$eval('[data-testid][data-value]', (nodes) => Object.fromEntries(nodes.map((n) => [n.getAttribute('data-testid'), n.getAttribute('data-value')])));
    const value = (id: string): number | null => (shown[id] === '' || shown[id] === undefined ? null : Number(shown[id]));
    const excluded = Object.values(report.excluded).reduce((a, b) => a + b, 0);
    expect(report.conversions.count).toBeGreaterThan(0);
    expect(report.clicks.unique).toBeGreaterThan(0);
    expect({
      audience: value('audience'), delivered: value('delivered'), clicks: value('clicks-unique'), response: value('response-rate'), orders: value('conversions-count'),
      revenue: value('revenue-total'), perRecipient: value('revenue-per-recipient'), cost: value('cost'), roi: value('roi'), repeat: value('repeat-rate'),
      planned: value('funnel-planned'), submitted: value('funnel-submitted'), funnelDelivered: value('funnel-delivered'), clicked: value('funnel-clicked'), converted: value('funnel-converted'),
      liftSent: value('lift-sent-contacts'), liftHeld: value('lift-holdout-contacts'), liftHeldConverted: value('lift-holdout-converted'), liftDifference: value('lift-difference'),
      ciLow: value('lift-ci-low'), ciHigh: value('lift-ci-high'), ttdMedian: value('ttd-median'),
    }).toEqual({
      audience: report.audience, delivered: report.delivered, clicks: report.clicks.unique, response: report.response.rate, orders: report.conversions.count,
      revenue: report.revenue.total, perRecipient: report.revenue.perRecipient, cost: report.cost, roi: report.roi.ratio, repeat: report.repeatPurchase.rate,
      planned: report.audience - excluded, submitted: report.submitted, funnelDelivered: report.delivered, clicked: report.clicks.unique, converted: report.conversions.customers,
      liftSent: report.lift?.sent.contacts, liftHeld: report.lift?.holdout.contacts, liftHeldConverted: report.lift?.holdout.converted, liftDifference: report.lift?.difference,
      ciLow: report.lift?.ci95?.low, ciHigh: report.lift?.ci95?.high, ttdMedian: report.timeToDelivery.medianMs,
    });
    for (const variant of report.variants) {
      expect(value(`variant-${variant.name}-customers`)).toBe(variant.customers);
      expect(value(`variant-${variant.name}-revenue`)).toBe(variant.revenue);
    }
    const charts = await page.$$eval('canvas', (nodes) => nodes.map((n) => ({ id: n.id, width: (n as unknown as { width: number }).width })));
    expect(charts.map((c) => c.id).sort()).toEqual(['chart-excluded', 'chart-funnel', 'chart-intervals', 'chart-timeline', 'chart-ttd'].filter((id) => id !== 'chart-excluded' || excluded > 0).sort());
    for (const c of charts) expect(c.width, c.id).toBeGreaterThan(0);

    fs.mkdirSync(OUTPUT, { recursive: true });
    const shot = path.join(OUTPUT, 'report-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`report page screenshot: ${shot}`);
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
  }, 60_000);
});
