import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openSheet } from '../../src/contacts/files/index.js';

const ROWS = 100_000;
const CITIES = ['Москва', 'Санкт-Петербург', 'Казань', 'Новосибирск', 'Екатеринбург'];
const INTERESTS = ['"рыбалка, футбол"', 'кино', '"театр; музыка"', '', 'путешествия|книги'];

/** Writes the file in chunks through a stream, so the generator itself stays small in memory. */
async function writeFixture(file: string, rowCount: number): Promise<void> {
  const out = fs.createWriteStream(file);
  out.write('phone,name,city,birthday,interests\n');
  for (let i = 0; i < rowCount; i += 1) {
    const day = String((i % 28) + 1).padStart(2, '0');
    const month = String((i % 12) + 1).padStart(2, '0');
    const line = `+7912${String(i).padStart(7, '0')},Имя ${i},${CITIES[i % CITIES.length]},${day}.${month}.${1950 + (i % 50)},${INTERESTS[i % INTERESTS.length]}\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

export interface BenchResult {
  rows: number;
  rowsPerSecond: number;
  peakRssMb: number;
  /** RSS just before reading: the runtime's own share of the peak, so the reader's cost is the difference. */
  baselineRssMb: number;
}

export async function benchReadCsv(rowCount = ROWS): Promise<BenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-'));
  try {
    const file = path.join(dir, 'contacts.csv');
    await writeFixture(file, rowCount);
    const baselineRss = process.memoryUsage().rss;
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 10);
    const started = performance.now();
    let rows = 0;
    try {
      const sheet = await openSheet(file);
      for await (const _row of sheet.rows) {
        rows += 1;
        // Sample inline too: the loop may not yield to the timer often.
        if (rows % 5000 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return { rows, rowsPerSecond: Math.round(rows / seconds), peakRssMb: toMb(peakRss), baselineRssMb: toMb(baselineRss) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function toMb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rowCount = Number(process.argv[2] ?? ROWS);
  const result = await benchReadCsv(rowCount);
  console.log(
    `read-csv: ${result.rows} rows, ${result.rowsPerSecond} rows/s, peak RSS ${result.peakRssMb} MB (${result.baselineRssMb} MB before reading)`,
  );
}
