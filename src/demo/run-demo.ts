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
import { previewCampaign } from '../campaigns/preview.js';
import { compileTemplate } from '../messages/template.js';
import type { Template } from '../messages/template-record.js';
import type { Segment } from '../segments/filter.js';
import { sampleCsvLines } from './sample-data.js';

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
}

export const DEMO_SEGMENT = 'Москва и Петербург';
export const DEMO_TEMPLATE = 'весна';
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
 * few recipients reply STOP, import the same file again, and show that nothing was duplicated and
 * no one who opted out was opted back in.
 */
export async function runDemo(app: AppContext, options: { rows: number; workDir: string }): Promise<DemoResult> {
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

  const preview = await previewCampaign(
    {
      campaignId: 'demo', audience: { filter: segment.filter }, kind: 'marketing', sender: 'SHOP', at: app.clock.now(),
      variants: [{ name: 'A', text: DEMO_TEXT, weight: 1 }, { name: 'B', text: 'Привет{{#firstName}}, {{firstName}}{{/firstName}}! Только до воскресенья: −20% с кодом {{promo}}.', weight: 1 }],
      campaignVariables: { promo: 'SPRING20' },
    },
    { store: app.store, policy: app.policy, defaultZone: app.config.DEFAULT_TIMEZONE, defaultCountry: app.config.DEFAULT_COUNTRY, prices: app.config.SMS_PRICES, currency: app.config.SMS_CURRENCY },
  );
  return { dataDir: app.config.DATA_DIR, file, firstImport, secondImport, optedOutByReply, segment, template, preview, at: now };
}
