import fs from 'node:fs';
import { sampleCsvLines } from '../../src/demo/sample-data.js';

/** Writes `rows` generated customers as CSV to `file`, a megabyte at a time (a million rows never sit in memory). */
export function writeSampleCsv(file: string, rows: number, seed = 1): void {
  const out = fs.openSync(file, 'w');
  try {
    let chunk = '';
    for (const line of sampleCsvLines({ rows, today: '2026-11-27', seed })) {
      chunk += line;
      if (chunk.length > 1 << 20) {
        fs.writeSync(out, chunk);
        chunk = '';
      }
    }
    fs.writeSync(out, chunk);
  } finally {
    fs.closeSync(out);
  }
}
