import type { Command } from 'commander';
import { z } from 'zod';
import { openApp } from '../../app.js';
import { loadConfig } from '../../config.js';
import { runDemo, makeDemoDir } from '../../demo/run-demo.js';
import { parseFlags } from '../flags.js';
import { printJson, printLines } from '../output.js';
import { formatSummary } from './campaign.js';
import { formatReport } from './import.js';

const demoFlags = z.object({
  rows: z.coerce.number().int().min(10, '--rows must be at least 10').max(200_000, '--rows is at most 200000').default(2000),
  json: z.boolean().default(false),
});

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the whole flow on generated sample data in a scratch directory (needs no accounts).')
    .option('--rows <n>', 'how many sample customers', '2000')
    .option('--json', 'print JSON')
    .action(async (rawFlags: unknown) => {
      const flags = parseFlags(demoFlags, rawFlags);
      const workDir = makeDemoDir();
      const config = loadConfig({
        SMS_PRICES: '{"default":{"RU":3.5,"KZ":4,"default":6}}',
        ...process.env,
        DATA_DIR: workDir,
        DATABASE_URL: '',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      });
      const app = await openApp(config);
      try {
        const result = await runDemo(app, { rows: flags.rows, workDir });
        const total = await app.store.contacts.count();
        const consent = await app.store.consent.summary();
        if (flags.json) {
          printJson({ ...result, contacts: total, consent });
          return;
        }
        const run = `DATA_DIR=${workDir} npm run -s smsbridge --`;
        printLines([
          `sms-bridge demo — data in ${workDir}`,
          '',
          `1. Imported ${result.file} (Windows-1251, ";"-separated, Russian headers):`,
          ...formatReport(result.firstImport).slice(0, 12).map((line) => `   ${line}`),
          '',
          `2. ${result.optedOutByReply} recipients replied "СТОП": recorded as opt-outs from the recipient.`,
          '',
          '3. Imported the same file again (it says everyone consented):',
          ...formatReport(result.secondImport).slice(0, 2).map((line) => `   ${line}`),
          '',
          `Contacts: ${total}. Consent: ${consent.optedIn} opted in, ${consent.optedOutMarketing} opted out of marketing, ${consent.optedOutAll} opted out of everything.`,
          '',
          `4. Saved segment "${result.segment.name}" and template "${result.template.name}"; an A/B marketing campaign planned for now (${result.at}):`,
          ...formatSummary(result.preview, `segment "${result.segment.name}"`, 'marketing')
            .flatMap((line) => line.split('\n'))
            .map((line) => (line ? `   ${line}` : '')),
          '',
          'Try it on the demo data:',
          `   ${run} segment preview "${result.segment.name}"`,
          `   ${run} campaign preview --segment "${result.segment.name}" --template ${result.template.name} --var promo=SPRING20 --sender SHOP --json`,
          `   ${run} contacts list --limit 5`,
        ]);
      } finally {
        await app.close();
      }
    });
}
