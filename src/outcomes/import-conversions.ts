import type { SheetRow } from '../contacts/files/index.js';
import type { ConversionInput } from './conversion.js';
import type { RowProblem } from './conversion-rows.js';
import { mapOrderColumns, rowToConversion } from './conversion-rows.js';
import type { RecordConversionsDeps } from './record-conversions.js';
import { recordConversions } from './record-conversions.js';

/** What importing an orders file did, row by row where a row was not recorded. */
export interface ConversionImportReport {
  rows: number;
  recorded: number;
  /** Orders already recorded (the file imported again): counted once. */
  duplicates: number;
  /** Rows skipped: unreadable cells, an order id recorded with another amount, an unknown contact. */
  invalid: RowProblem[];
  /** Recorded orders credited to a campaign. */
  attributed: number;
}

const CHUNK = 5000;

/** Reads an orders file's rows and records the good ones in chunks; bad rows are reported with row, column and reason. */
export async function importConversions(sheet: { headers: string[]; rows: AsyncIterable<SheetRow> }, options: { zone: string }, deps: RecordConversionsDeps): Promise<ConversionImportReport> {
  const columns = mapOrderColumns(sheet.headers);
  const report: ConversionImportReport = { rows: 0, recorded: 0, duplicates: 0, invalid: [], attributed: 0 };
  let chunk: Array<{ row: number; input: ConversionInput }> = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const result = await recordConversions(chunk.map((c) => c.input), 'file', deps);
    result.outcomes.forEach((outcome, i) => {
      const row = chunk[i]?.row ?? 0;
      if (outcome.result === 'recorded') {
        report.recorded += 1;
        if (outcome.attribution) report.attributed += 1;
      } else if (outcome.result === 'duplicate') report.duplicates += 1;
      else report.invalid.push({ row, column: outcome.result === 'conflict' ? 'order' : 'phone', reason: outcome.reason, value: outcome.orderId });
    });
    chunk = [];
  };
  for await (const { row, cells, error } of sheet.rows) {
    report.rows += 1;
    if (error !== undefined) {
      report.invalid.push({ row, reason: error, value: '' });
      continue;
    }
    const { input, problems } = rowToConversion(cells, row, columns, sheet.headers, options.zone);
    report.invalid.push(...problems);
    if (input) chunk.push({ row, input });
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  report.invalid.sort((a, b) => a.row - b.row);
  return report;
}
