import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { mapColumns, parseMapOption } from '../../contacts/columns.js';
import { openSheet } from '../../contacts/files/index.js';
import type { ImportReport } from '../../contacts/import-contacts.js';
import { importContacts } from '../../contacts/import-contacts.js';
import { withStore } from '../context.js';
import { collect, parseFlags } from '../flags.js';
import { printJson, printLines, progressBar } from '../output.js';

const importFlags = z
  .object({
    map: z.array(z.string()).default([]),
    defaultCountry: z
      .string()
      .regex(/^[A-Za-z]{2}$/, '--default-country must be a two-letter ISO code such as RU')
      .transform((value) => value.toUpperCase())
      .optional(),
    consent: z.enum(['opted_in', 'opted_out']).optional(),
    consentSource: z.string().trim().min(1).optional(),
    dryRun: z.boolean().default(false),
    json: z.boolean().default(false),
    format: z.enum(['csv', 'xlsx']).optional(),
    encoding: z.enum(['auto', 'utf-8', 'windows-1251']).default('auto'),
  })
  .refine((flags) => !flags.consent || flags.consentSource, {
    message: '--consent needs --consent-source "<where the consent was collected>" (for example "checkout form, 2026")',
  });

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('Import contacts from a CSV or XLSX file: numbers normalised to E.164, merged by phone, consent recorded.')
    .argument('<file>', 'a .csv, .tsv, .txt or .xlsx file with a header row')
    .option('--map <mapping>', 'map a column to a field: "Column Name=field" (repeatable); fields: phone, firstName, lastName, fullName, gender, birthDate, city, timezone, interests, tags, consent, email, properties.<name>', collect, [])
    .option('--default-country <code>', 'country for numbers written without a country code (default: DEFAULT_COUNTRY)')
    .addOption(new Option('--consent <status>', 'consent for rows without a consent column').choices(['opted_in', 'opted_out']))
    .option('--consent-source <text>', 'where the consent was collected (required with --consent)')
    .option('--dry-run', 'check the file and report, change nothing')
    .addOption(new Option('--format <format>', 'file format, when the extension does not say').choices(['csv', 'xlsx']))
    .addOption(new Option('--encoding <encoding>', 'CSV text encoding').choices(['auto', 'utf-8', 'windows-1251']).default('auto'))
    .option('--json', 'print the report as JSON')
    .action(async (file: string, rawFlags: unknown) => {
      const flags = parseFlags(importFlags, rawFlags);
      const overrides = parseMapOption(flags.map);
      await withStore({}, async (app) => {
        const sheet = await openSheet(file, { ...(flags.format ? { format: flags.format } : {}), encoding: flags.encoding });
        const mapping = mapColumns(sheet.headers, overrides);
        if (!mapping.columns.some((column) => column.target === 'phone')) {
          throw new AppError('VALIDATION_FAILED', `No phone column found among: ${sheet.headers.join(', ')}.`, {
            hint: 'Name the column "phone" or "телефон", or map it: --map "Your Column=phone".',
          });
        }
        const bar = flags.json ? undefined : progressBar('importing');
        const report = await importContacts(
          sheet.rows,
          mapping,
          {
            defaultCountry: flags.defaultCountry ?? app.config.DEFAULT_COUNTRY,
            sourceName: `import ${path.basename(file)}`,
            dryRun: flags.dryRun,
            ...(flags.consent && flags.consentSource ? { consent: { status: flags.consent, source: flags.consentSource } } : {}),
          },
          {
            store: app.store,
            clock: app.clock,
            newId: app.newId,
            onProgress: (rows) => {
              const { done, total } = sheet.progress();
              bar?.update(done, total, `${rows} rows`);
            },
          },
        );
        bar?.end();
        app.logger.info({ file: path.basename(file), rows: report.rows, created: report.created, invalid: report.invalid.length }, 'import finished');
        if (flags.json) printJson(report);
        else printLines(formatReport(report));
      });
    });
}

const SHOWN_PROBLEMS = 20;

export function formatReport(report: ImportReport): string[] {
  const lines = [
    `${report.dryRun ? 'Dry run (nothing saved): ' : ''}${report.rows} rows: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.duplicates} duplicates in the file, ${report.invalid.length} invalid.`,
    `Consent: ${report.consent.optedIn} opted in, ${report.consent.optedOut} opted out${report.consent.keptOptedOut ? `, ${report.consent.keptOptedOut} kept opted out (an import never lifts an opt-out: only the recipient's START or an opt-in with --evidence does)` : ''}.`,
  ];
  if (report.invalid.length > 0) {
    lines.push('Invalid rows (skipped):');
    for (const problem of report.invalid.slice(0, SHOWN_PROBLEMS)) {
      lines.push(`  row ${problem.row}: ${problem.reason}${problem.value ? ` (${problem.value})` : ''}`);
    }
    if (report.invalid.length > SHOWN_PROBLEMS) lines.push(`  ... and ${report.invalid.length - SHOWN_PROBLEMS} more (use --json for all)`);
  }
  if (report.warnings.length > 0) {
    lines.push('Cells not used as written (the rest of each row was imported):');
    for (const problem of report.warnings.slice(0, SHOWN_PROBLEMS)) {
      lines.push(`  row ${problem.row}, column "${problem.column ?? ''}": ${problem.reason} (${problem.value})`);
    }
    if (report.warnings.length > SHOWN_PROBLEMS) lines.push(`  ... and ${report.warnings.length - SHOWN_PROBLEMS} more (use --json for all)`);
  }
  return lines;
}
