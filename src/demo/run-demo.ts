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
import { sampleCsvLines } from './sample-data.js';

export interface DemoResult {
  dataDir: string;
  file: string;
  firstImport: ImportReport;
  secondImport: ImportReport;
  optedOutByReply: number;
}

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
  return { dataDir: app.config.DATA_DIR, file, firstImport, secondImport, optedOutByReply };
}
