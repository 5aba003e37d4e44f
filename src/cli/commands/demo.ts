import type { Command } from 'commander';
import { z } from 'zod';
import { openApp } from '../../app.js';
import { loadConfig } from '../../config.js';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { runDemo, makeDemoDir } from '../../demo/run-demo.js';
import { demoApiKey } from '../../demo/demo-outcomes.js';
import { formatOutcomes } from '../../outcomes/format-outcomes.js';
import { startHubSpotStandIn } from '../../demo/hubspot-stand-in.js';
import { demoWriteRoutes } from '../../demo/hubspot-write-routes.js';
import { demoHubSpotContacts, hubspotDemoEnv, runHubSpotDemo } from '../../demo/run-hubspot-demo.js';
import { formatHubSpotDemo } from '../../demo/format-hubspot-demo.js';
import { cliInvocation, parseFlags, wholeNumber } from '../flags.js';
import { printJson, printLines } from '../output.js';
import type { Clock } from '../../common/clock.js';
import { formatCampaignReport } from '../../campaigns/report-format.js';
import { formatSummary } from './campaign.js';
import { formatReport } from './import.js';

const demoFlags = z.object({
  rows: wholeNumber('--rows', { min: 10, max: 200_000 }).default(2000),
  json: z.boolean().default(false),
  hubspot: z.boolean().default(false),
});

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the whole flow on generated sample data in a scratch directory (needs no accounts).')
    .option('--rows <n>', 'how many sample customers', '2000')
    .option('--json', 'print JSON')
    .option('--hubspot', 'run the HubSpot loop instead, against a local HubSpot stand-in: sync contacts, send, see the timeline entries written back')
    .action(async (rawFlags: unknown) => {
      const flags = parseFlags(demoFlags, rawFlags);
      if (flags.hubspot) {
        await runHubSpotDemoCommand(flags.json);
        return;
      }
      const workDir = makeDemoDir();
      const config = loadConfig({
        SMS_PRICES: '{"default":{"RU":3.5,"KZ":4,"default":6}}',
        SHORT_LINK_BASE: 'https://s.shop.example',
        ...process.env,
        // The report page's link is signed with this key's secret: `serve` over the demo's data dir opens it.
        API_KEY: process.env.API_KEY || demoApiKey(workDir, () => randomBytes(24).toString('hex')),
        DATA_DIR: workDir,
        DATABASE_URL: '',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      });
      // The demo's day starts at 12:00 Moscow time, whatever the hour here, so quiet hours do not hold
      // its marketing back; time then runs at its normal pace (the rate limiter and receipts need that).
      const clock = daytimeClock();
      const app = await openApp(config, { clock, gatewaySettings: { maxSegmentsPerSecond: 1000, receiptDelayMs: [50, 600], replyDelayMs: [100, 1200], replyRate: 0.06, seed: 'demo' } });
      try {
        const result = await runDemo(app, { rows: flags.rows, workDir, replyWaitMs: 1300 });
        const total = await app.store.contacts.count();
        const consent = await app.store.consent.summary();
        if (flags.json) {
          printJson({ ...result, contacts: total, consent });
          return;
        }
        const run = `DATA_DIR=${workDir} ${cliInvocation()}`;
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
          `4. Saved segment "${result.segment.name}" and template "${result.template.name}"; A/B marketing campaign ${result.campaignId}, previewed at ${result.at}:`,
          ...indent(formatSummary(result.preview, `segment "${result.segment.name}"`, 'marketing')),
          '',
          `5. Test send: ${result.testSend.map((t) => `${t.phone} ${t.ok ? 'sent' : `failed (${t.detail})`}`).join(', ')}.`,
          '',
          '6. Sent through the simulator (1,000 segments/s), with receipts and replies:',
          ...indent(formatCampaignReport(result.report)),
          '',
          `7. ${result.outcomes.clicks} recipients opened the short link through GET /s/<code> (${result.outcomes.previewFetches} chat link previews were fetched too, not counted as people);`,
          `   a shop sent ${result.outcomes.orders + result.outcomes.heldOutOrders} orders to POST /api/v1/conversions (${result.outcomes.heldOutOrders} by held-out contacts):`,
          ...indent(formatOutcomes(result.outcomes.report).filter((line) => line !== '')),
          '',
          `8. The report page, with charts (valid until ${result.outcomes.link.expiresAt}):`,
          `   DATA_DIR=${workDir} API_KEY=$(cat ${path.join(workDir, 'api-key')}) ${cliInvocation()} serve`,
          `   then open ${result.outcomes.link.url}`,
          '',
          'Try it on the demo data:',
          `   ${run} segment preview "${result.segment.name}"`,
          `   ${run} campaign preview --segment "${result.segment.name}" --template ${result.template.name} --var promo=SPRING20 --sender SHOP --json`,
          `   ${run} campaign report ${result.campaignId} --link`,
          `   ${run} contacts list --limit 5`,
        ]);
      } finally {
        await app.close();
      }
    });
}

/** `demo --hubspot`: the HubSpot loop on a scratch data dir and a local HubSpot stand-in (no account needed). */
async function runHubSpotDemoCommand(json: boolean): Promise<void> {
  const workDir = makeDemoDir();
  const contacts = demoHubSpotContacts();
  const writes = demoWriteRoutes(contacts);
  const standIn = await startHubSpotStandIn({ contacts, routes: [writes.route] });
  const demo = { standIn, writes };
  try {
    const config = loadConfig({ ...process.env, ...hubspotDemoEnv(demo), DATA_DIR: workDir, DATABASE_URL: '', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
    const app = await openApp(config, { clock: daytimeClock(), gatewaySettings: { maxSegmentsPerSecond: 1000, receiptDelayMs: [50, 400], replyRate: 0, acceptRate: 1, seed: 'demo' } });
    try {
      const result = await runHubSpotDemo(app, demo);
      if (json) printJson(result);
      else printLines(formatHubSpotDemo(result, workDir));
    } finally {
      await app.close();
    }
  } finally {
    await standIn.close();
  }
}

function indent(lines: string[]): string[] {
  return lines.flatMap((line) => line.split('\n')).map((line) => (line ? `   ${line}` : ''));
}

/**
 * Today 12:00 in Moscow (09:00 UTC), then running at the normal pace: a demo (or a test built on it)
 * run in the evening is never held back by the recipients' quiet hours.
 */
export function daytimeClock(): Clock {
  const real = Date.now();
  const noon = new Date(real);
  noon.setUTCHours(9, 0, 0, 0);
  return { now: () => new Date(noon.getTime() + (Date.now() - real)) };
}
