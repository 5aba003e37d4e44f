import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { z } from 'zod';
import { openSheet } from '../../contacts/files/index.js';
import type { ConversionImportReport } from '../../outcomes/import-conversions.js';
import { importConversions } from '../../outcomes/import-conversions.js';
import { importCrmDeals } from '../../outcomes/import-crm-deals.js';
import { withApp } from '../context.js';
import { parseFlags } from '../flags.js';
import { printJson, printLines } from '../output.js';

const importFlags = z.object({
  json: z.boolean().default(false),
  format: z.enum(['csv', 'xlsx']).optional(),
  encoding: z.enum(['auto', 'utf-8', 'windows-1251']).default('auto'),
});

export function registerConversionCommands(program: Command): void {
  const conversions = program.command('conversions').description('Orders (conversions) credited to campaigns: imported from files, sent to POST /api/v1/conversions, or read from HubSpot deals.');
  conversions
    .command('import')
    .description('Import orders from a CSV or XLSX file (order_id, phone or contact_id, amount, currency, date): the same order twice counts once; bad rows are reported, good rows kept.')
    .argument('<file>', 'a .csv, .tsv, .txt or .xlsx file with a header row')
    .addOption(new Option('--format <format>', 'file format, when the extension does not say').choices(['csv', 'xlsx']))
    .addOption(new Option('--encoding <encoding>', 'CSV text encoding').choices(['auto', 'utf-8', 'windows-1251']).default('auto'))
    .option('--json', 'print the report as JSON')
    .action(async (file: string, rawFlags: unknown) => {
      const flags = parseFlags(importFlags, rawFlags);
      await withApp({}, async (app) => {
        const sheet = await openSheet(file, { ...(flags.format ? { format: flags.format } : {}), encoding: flags.encoding });
        const report = await importConversions(sheet, { zone: app.config.DEFAULT_TIMEZONE }, {
          store: app.store, clock: app.clock, windowDays: app.config.ATTRIBUTION_WINDOW_DAYS, defaultCountry: app.config.DEFAULT_COUNTRY, currency: app.config.SMS_CURRENCY,
        });
        await app.store.flush();
        app.logger.info({ file: path.basename(file), rows: report.rows, recorded: report.recorded, invalid: report.invalid.length }, 'conversions import finished');
        if (flags.json) printJson(report);
        else printLines(formatConversionImport(report));
      });
    });
  conversions
    .command('hubspot')
    .description('Record HubSpot deals closed won as conversions (each deal once), credited to campaigns like any order; contacts must be synced (hubspot sync).')
    .option('--since-days <days>', 'deals closed within this many days (default: ATTRIBUTION_WINDOW_DAYS)')
    .option('--json', 'print the report as JSON')
    .action(async (rawFlags: unknown) => {
      const flags = parseFlags(hubspotFlags, rawFlags);
      await withApp({}, async (app) => {
        const days = flags.sinceDays ?? app.config.ATTRIBUTION_WINDOW_DAYS;
        const since = new Date(app.clock.now().getTime() - days * 86_400_000).toISOString();
        const report = await importCrmDeals(app.hubspot().crm, since, {
          store: app.store, clock: app.clock, windowDays: app.config.ATTRIBUTION_WINDOW_DAYS, defaultCountry: app.config.DEFAULT_COUNTRY, currency: app.config.SMS_CURRENCY,
        });
        await app.store.flush();
        if (flags.json) printJson(report);
        else {
          printLines([
            `${report.deals} deals closed won since ${since}: ${report.recorded} recorded, ${report.duplicates} already recorded, ${report.conflicts} changed since (first record kept), ${report.skipped.length} skipped.`,
            ...report.skipped.slice(0, SHOWN).map((s) => `  deal ${s.dealId}: ${s.reason}`),
          ]);
        }
      });
    });
}

const hubspotFlags = z.object({
  sinceDays: z.coerce.number('--since-days must be a number').positive('--since-days must be more than 0').max(365).optional(),
  json: z.boolean().default(false),
});

const SHOWN = 20;

export function formatConversionImport(report: ConversionImportReport): string[] {
  const lines = [
    `${report.rows} rows: ${report.recorded} orders recorded (${report.attributed} credited to a campaign), ${report.duplicates} already recorded, ${report.invalid.length} problems.`,
  ];
  if (report.invalid.length > 0) {
    lines.push('Rows not recorded:');
    for (const p of report.invalid.slice(0, SHOWN)) lines.push(`  row ${p.row}${p.column ? `, column "${p.column}"` : ''}: ${p.reason}${p.value ? ` (${p.value})` : ''}`);
    if (report.invalid.length > SHOWN) lines.push(`  ... and ${report.invalid.length - SHOWN} more (use --json for all)`);
  }
  return lines;
}
