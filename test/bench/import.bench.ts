import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { systemClock } from '../../src/common/clock.js';
import { mapColumns } from '../../src/contacts/columns.js';
import { openSheet } from '../../src/contacts/files/index.js';
import { importContacts } from '../../src/contacts/import-contacts.js';
import { sampleCsvLines } from '../../src/demo/sample-data.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { randomUUID } from 'node:crypto';

export interface ImportBenchResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  contacts: number;
}

/**
 * Imports a generated 100,000-row CSV (Russian headers, mixed phone formats, consent column) into
 * the embedded lowdb store, end to end: file read, parse, normalise, merge, consent, durable write.
 */
export async function benchImport(rows = 100_000): Promise<ImportBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-import-'));
  try {
    const file = path.join(dir, 'contacts.csv');
    const out = fs.openSync(file, 'w');
    let chunk = '';
    for (const line of sampleCsvLines({ rows, today: '2026-11-27', seed: 1 })) {
      chunk += line;
      if (chunk.length > 1 << 20) {
        fs.writeSync(out, chunk);
        chunk = '';
      }
    }
    fs.writeSync(out, chunk);
    fs.closeSync(out);

    const store = await LowdbStore.open({ dataDir: path.join(dir, 'data'), maxBytes: 1024 * 1024 * 1024 });
    const started = performance.now();
    const sheet = await openSheet(file);
    const report = await importContacts(
      sheet.rows,
      mapColumns(sheet.headers),
      { defaultCountry: 'RU', sourceName: 'bench', consent: { status: 'opted_in', source: 'bench' } },
      { store, clock: systemClock, newId: randomUUID },
    );
    await store.flush();
    const seconds = (performance.now() - started) / 1000;
    const contacts = await store.contacts.count();
    await store.close();
    return {
      rows: report.rows,
      seconds,
      rowsPerSecond: report.rows / seconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      contacts,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchImport();
  console.log(JSON.stringify(result));
}
