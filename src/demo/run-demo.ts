import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { AppContext } from '../app.js';
import { mapColumns } from '../contacts/columns.js';
import { openSheet } from '../contacts/files/index.js';
import type { ImportReport } from '../contacts/import-contacts.js';
import { importContacts } from '../contacts/import-contacts.js';
import { recordConsent } from '../consent/record-consent.js';
import type { PlanSummary } from '../campaigns/plan-summary.js';
import type { CampaignReport } from '../campaigns/report.js';
import { compileTemplate } from '../messages/template.js';
import type { Template } from '../messages/template-record.js';
import type { Segment } from '../segments/filter.js';
import { sampleCsvLines } from './sample-data.js';
import type { DemoOutcomes } from './demo-outcomes.js';
import { runDemoOutcomes } from './demo-outcomes.js';

export interface DemoResult {
  dataDir: string;
  file: string;
  firstImport: ImportReport;
  secondImport: ImportReport;
  optedOutByReply: number;
  segment: Segment;
  template: Template;
  preview: PlanSummary;
  at: string;
  campaignId: string;
  testSend: Array<{ phone: string; ok: boolean; detail: string }>;
  report: CampaignReport;
  /** Clicks through the real redirect, orders through the REST API, and the report with its outcome keys. */
  outcomes: DemoOutcomes;
}

export const DEMO_SEGMENT = 'Москва и Петербург';
export const DEMO_TEMPLATE = 'весна';
const DEMO_LINK = 'https://shop.example/spring';
const DEMO_TEXT = 'Здравствуйте{{#firstName}}, {{firstName}}{{/firstName}}! Весенняя скидка 20% по промокоду {{promo}} до воскресенья.';

/** Writes the sample as a Windows-1251 CSV, the way Russian Excel exports it. */
export function writeSampleFile(dir: string, rows: number, today: string): string {
  const file = path.join(dir, 'customers.csv');
  const text = [...sampleCsvLines({ rows, today })].join('');
  fs.writeFileSync(file, iconv.encode(text, 'win1251'));
  return file;
}

export function makeDemoDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'smsbridge-demo-'));
}

/**
 * The demo, step by step, on an app opened over a scratch data dir: import a customer file, let a
 * few recipients reply STOP, import the same file again (nothing duplicated, no one who opted out is
 * opted back in), then an A/B marketing campaign: preview, test send, send through the simulator,
 * receipts and replies, report.
 */
export async function runDemo(app: AppContext, options: { rows: number; workDir: string; replyWaitMs: number }): Promise<DemoResult> {
  const today = app.clock.now().toISOString().slice(0, 10);
  const file = writeSampleFile(options.workDir, options.rows, today);
  const importOnce = async (): Promise<ImportReport> => {
    const sheet = await openSheet(file);
    return importContacts(
      sheet.rows,
      mapColumns(sheet.headers),
      { defaultCountry: app.config.DEFAULT_COUNTRY, sourceName: 'import customers.csv', consent: { status: 'opted_in', source: 'demo: loyalty card form' } },
      { store: app.store, clock: app.clock, newId: app.newId },
    );
  };
  const firstImport = await importOnce();

  let optedOutByReply = 0;
  for (const contact of await app.store.contacts.list({ limit: 25 })) {
    await recordConsent(
      { contactId: contact.id, status: 'opted_out', scope: 'all', origin: 'recipient', source: 'sms reply "СТОП"' },
      app,
    );
    optedOutByReply += 1;
  }
  const secondImport = await importOnce();

  const now = app.clock.now().toISOString();
  const segment: Segment = {
    name: DEMO_SEGMENT,
    filter: { or: [{ field: 'city', op: 'eq', value: 'москва' }, { field: 'city', op: 'eq', value: 'санкт-петербург' }] },
    description: 'Customers in the two capitals',
    createdAt: now,
    updatedAt: now,
  };
  await app.store.segments.put(segment);
  compileTemplate(DEMO_TEXT, { name: DEMO_TEMPLATE, campaignVariables: ['promo'] });
  const template: Template = { name: DEMO_TEMPLATE, text: DEMO_TEXT, variables: ['promo'], createdAt: now, updatedAt: now };
  await app.store.templates.put(template);
  await app.store.flush();

  const campaign = await app.campaigns.create({
    name: 'Весенняя скидка', kind: 'marketing', sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' },
    audience: { segment: segment.name, filter: segment.filter }, campaignVariables: { promo: 'SPRING20' },
    variants: [
      { name: 'A', text: `${DEMO_TEXT} ${DEMO_LINK}`, weight: 1 },
      { name: 'B', text: `Привет{{#firstName}}, {{firstName}}{{/firstName}}! Только до воскресенья: −20% с кодом {{promo}}: ${DEMO_LINK}`, weight: 1 },
    ],
    // One in ten of the audience is held out (never sent), so the report can show the campaign's lift.
    holdoutPercent: 10,
  });
  const preview = await app.campaigns.preview(campaign.id);
  const testSend = await app.campaigns.testSend(campaign.id, ['+79990000001']);
  await app.campaigns.start(campaign.id);
  const engine = await app.engine();
  await engine.runCampaign(campaign.id, { receipts: true, timeoutMs: 30_000, pollMs: 50 });
  // Replies trail the receipts: give them the simulator's reply delay to arrive, then apply them.
  await new Promise((resolve) => setTimeout(resolve, options.replyWaitMs));
  await engine.processInbox();
  const report = await app.campaigns.report(campaign.id);
  const outcomes = await runDemoOutcomes(app, campaign.id);
  return { dataDir: app.config.DATA_DIR, file, firstImport, secondImport, optedOutByReply, segment, template, preview, at: now, campaignId: campaign.id, testSend, report, outcomes };
}
