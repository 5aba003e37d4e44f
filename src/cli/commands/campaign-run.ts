import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import type { Campaign, CampaignSchedule } from '../../campaigns/campaign.js';
import { formatCampaignReport } from '../../campaigns/report-format.js';
import { formatOutcomes } from '../../outcomes/format-outcomes.js';
import { reportWithOutcomes } from '../../reports/outcome-service.js';
import { reportLink } from '../../reports/report-link.js';
import { validateCron } from '../../schedule/scheduler.js';
import { withCampaignProgress } from '../campaign-progress.js';
import { withApp } from '../context.js';
import { cliInvocation, collect, parseFlags, wholeNumber } from '../flags.js';
import { Option } from 'commander';
import type { CampaignSource } from '../../campaigns/campaign.js';
import { CAMPAIGN_SOURCES } from '../../campaigns/campaign.js';
import { listCampaigns } from '../../campaigns/campaign-list.js';
import { printJson, printLines, table } from '../output.js';
import { addPlanOptions, buildPlanRequest, formatSenderNotes } from './campaign.js';
import { parseSurveyOption } from '../../campaigns/survey.js';

const reportFlags = z.object({
  json: z.boolean().default(false),
  link: z.boolean().default(false),
  ttlHours: z.coerce.number('--ttl-hours must be a number').positive('--ttl-hours must be more than 0').max(24 * 90, '--ttl-hours must be at most 2160 (90 days)').default(72),
});

const sendFlags = z.object({ wait: z.boolean().default(false), now: z.boolean().default(false), timeout: wholeNumber('--timeout', { min: 1 }).default(600), json: z.boolean().default(false) });

const scheduleFlags = z.object({
  name: z.string().trim().min(1, '--name is required').max(100),
  gateway: z.string().default('default'),
  cron: z.string().optional(),
  timezone: z.string().optional(),
  start: z.iso.datetime({ offset: true, message: '--start must be an ISO date-time such as 2026-12-01T10:00:00+03:00' }).optional(),
  maxCost: z.coerce.number('--max-cost must be a number').positive('--max-cost must be more than 0').optional(),
});

/** What to do after create: a draft is tested then sent; a scheduled one starts itself. */
function nextSteps(c: Campaign): string {
  const test = `${cliInvocation()} campaign test ${c.id} --to <your number>`;
  if (c.schedule.type === 'now') return `Next: ${test}, then campaign send ${c.id}.`;
  const when = c.schedule.type === 'at' ? `at ${c.schedule.at}` : `on its schedule (cron "${c.schedule.cron}", ${c.schedule.timezone})`;
  return `Next: ${test}. It starts by itself ${when} while \`smsbridge run\` or \`serve\` is running; do not run campaign send (it would refuse; --now sends at once).`;
}

function scheduleOf(flags: z.infer<typeof scheduleFlags>, defaultZone: string): CampaignSchedule {
  if (flags.cron && flags.start) throw new AppError('VALIDATION_FAILED', 'Use --cron (recurring) or --start (once at a time), not both.');
  if (flags.cron) {
    const valid = validateCron(flags.cron);
    if (!valid.ok) throw new AppError('VALIDATION_FAILED', valid.reason);
    return { type: 'cron', cron: flags.cron, timezone: flags.timezone ?? defaultZone };
  }
  return flags.start ? { type: 'at', at: new Date(flags.start).toISOString() } : { type: 'now' };
}

function line(c: Campaign): string[] {
  return [c.id, c.name, c.status, c.kind, c.schedule.type === 'cron' ? `cron ${c.schedule.cron}` : c.schedule.type === 'at' ? `at ${c.schedule.at}` : 'now', c.updatedAt];
}

export function registerCampaignRunCommands(campaign: Command): void {
  addPlanOptions(campaign.command('create').description('Create a campaign (a draft to send, or scheduled with --start or --cron).'))
    .requiredOption('--name <name>', 'a name people recognise')
    .option('--start <iso>', 'send once at this time')
    .option('--cron <expression>', 'recurring, e.g. "0 10 * * 1" = Mondays at 10:00')
    .option('--timezone <zone>', 'time zone of --cron (default: DEFAULT_TIMEZONE)')
    .option('--max-cost <amount>', 'budget in SMS_CURRENCY: refused if the preview costs more; sending stops once the actual cost reaches it')
    .option('--survey <options>', 'a survey: replies are tallied into these options, e.g. "1=Отлично,2=Нормально,3=Плохо"')
    .action(async (rawFlags: Record<string, unknown>) => {
      await withApp({}, async (app) => {
        const { request, senderNotes } = await buildPlanRequest(app, rawFlags);
        const flags = parseFlags(scheduleFlags, { name: rawFlags.name, gateway: rawFlags.gateway, cron: rawFlags.cron, timezone: rawFlags.timezone, start: rawFlags.start, maxCost: rawFlags.maxCost });
        const created = await app.campaigns.create({
          name: flags.name, kind: request.kind, variants: [...request.variants], campaignVariables: request.campaignVariables ?? {}, sender: request.sender,
          gateway: flags.gateway, schedule: scheduleOf(flags, app.config.DEFAULT_TIMEZONE), source: 'operator', ...(flags.maxCost !== undefined ? { maxCost: flags.maxCost } : {}),
          ...(request.trackLinks === false ? { trackLinks: false } : {}), ...(request.holdout ? { holdoutPercent: request.holdout.percent } : {}),
          ...(typeof rawFlags.survey === 'string' ? { survey: parseSurveyOption(rawFlags.survey) } : {}),
          audience: 'phones' in request.audience ? { phones: [...request.audience.phones] } : { filter: request.audience.filter, ...(typeof rawFlags.segment === 'string' ? { segment: rawFlags.segment } : {}) },
        });
        if (rawFlags.json) printJson({ id: created.id, sender: created.sender, senderNotes });
        else printLines([`Created campaign ${created.id} (${created.status}). ${nextSteps(created)}`, ...formatSenderNotes(created.sender, senderNotes)]);
      });
    });

  campaign
    .command('list')
    .description('List your campaigns (not archived). Transactional API messages, consent requests and automations: --source or --all.')
    .addOption(new Option('--source <source>', 'campaigns from this source').choices([...CAMPAIGN_SOURCES]))
    .option('--archived', 'include archived campaigns')
    .option('--all', 'every campaign, any source, archived included')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean; source?: CampaignSource; archived?: boolean; all?: boolean }) => {
    await withApp({ readOnly: true }, async (app) => {
      const all = await listCampaigns(app.store, { ...(flags.source ? { source: flags.source } : {}), archived: Boolean(flags.archived), all: Boolean(flags.all) });
      if (flags.json) printJson(all);
      else printLines(all.length ? table(['id', 'name', 'status', 'kind', 'schedule', 'updated'], all.map(line)) : ['No campaigns yet.']);
    });
  });

  campaign.command('show').description('Show a campaign and its message counts.').argument('<id>').option('--json', 'print JSON').action(async (id: string, flags: { json?: boolean }) => {
    await withApp({ readOnly: true }, async (app) => {
      const found = await app.campaigns.get(id);
      const counts = await app.store.outbox.countByStatus(id);
      if (flags.json) printJson({ ...found, messages: counts });
      else printLines([...table(['id', 'name', 'status', 'kind', 'schedule', 'updated'], [line(found)]), `messages: ${Object.entries(counts).map(([s, n]) => `${s} ${n}`).join(', ') || 'none yet'}`]);
    });
  });

  campaign
    .command('test')
    .description('Send the campaign\'s message, rendered for one contact, to your own numbers; large sends need this first.')
    .argument('<id>')
    .requiredOption('--to <numbers>', 'comma-separated numbers to send the test to', (v: string, prev: string[]) => collect(v, prev), [])
    .option('--contact <phone>', 'render with this contact\'s data (default: the first recipient)')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { to: string[]; contact?: string; json?: boolean }) => {
      await withApp({}, async (app) => {
        const numbers = flags.to.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
        const results = await app.campaigns.testSend(id, numbers, flags.contact);
        const engine = await app.engine();
        await engine.processInbox();
        if (flags.json) printJson(results);
        else printLines(results.map((r) => `${r.phone}: ${r.ok ? `sent (${r.detail})` : `not sent: ${r.detail}`}`));
        if (!results.some((r) => r.ok)) process.exitCode = 1;
      });
    });

  campaign
    .command('send')
    .description('Start a campaign: plan it into the outbox and send what is due now.')
    .argument('<id>')
    .option('--wait', 'return when every message is final or unknown (receipts included)')
    .option('--now', 'send a scheduled campaign now instead of at its time (a recurring one: one run now)')
    .option('--timeout <seconds>', 'give up waiting after this long', '600')
    .option('--json', 'print JSON')
    .action(async (id: string, rawFlags: unknown) => {
      const flags = parseFlags(sendFlags, rawFlags);
      await withApp({}, async (app) => {
        const started = await app.campaigns.start(id, { now: Boolean(flags.now) });
        id = started.id;
        const engine = await app.engine();
        const run = () => engine.runCampaign(id, { receipts: Boolean(flags.wait), timeoutMs: flags.timeout * 1000 });
        await (flags.json ? run() : withCampaignProgress(app, id, started.planned?.recipients ?? 0, run));
        const counts = await app.store.outbox.countByStatus(id);
        if (flags.json) printJson({ id, status: (await app.campaigns.get(id)).status, planned: started.planned, messages: counts });
        else printLines([`Campaign ${id}: ${started.planned?.recipients ?? 0} messages planned.`, `messages: ${Object.entries(counts).map(([s, n]) => `${s} ${n}`).join(', ')}`]);
      });
    });

  for (const [action, verb] of [['pause', 'Pause'], ['resume', 'Resume'], ['cancel', 'Cancel']] as const) {
    const command = campaign.command(action).description(`${verb} a campaign (takes effect within about a second).`).argument('<id>').option('--json', 'print JSON');
    if (action === 'resume') command.option('--max-cost <amount>', 'a new budget, for a campaign paused because it reached its own');
    command.action(async (id: string, flags: { json?: boolean; maxCost?: string }) => {
      await withApp({}, async (app) => {
        const maxCost = flags.maxCost === undefined ? undefined : parseFlags(z.coerce.number('--max-cost must be a number').positive('--max-cost must be more than 0'), flags.maxCost);
        const updated = action === 'resume' ? await app.campaigns.resume(id, maxCost === undefined ? {} : { maxCost }) : await app.campaigns[action](id);
        if (flags.json) printJson({ id, status: updated.status });
        else printLines([`Campaign ${id} is ${updated.status}.`]);
      });
    });
  }

  campaign.command('report').description('Delivered, failed, replies, opt-outs, cost, A/B variants; clicks, conversions, revenue, ROI, lift against the holdout.').argument('<id>')
    .option('--json', 'print JSON')
    .option('--link', 'print a signed link to the report page (works without the API key until it expires)')
    .option('--ttl-hours <hours>', 'how long the --link works', '72')
    .action(async (id: string, rawFlags: unknown) => {
      const flags = parseFlags(reportFlags, rawFlags);
      await withApp({ readOnly: true }, async (app) => {
        const { report } = await reportWithOutcomes(app, id);
        const link = flags.link ? reportLink(app.config, id, { now: app.clock.now(), ttlHours: flags.ttlHours }) : undefined;
        if (flags.json) printJson(link ? { ...report, link } : report);
        else printLines([...formatCampaignReport(report), ...formatOutcomes(report), ...(link ? ['', `Report page (until ${link.expiresAt}): ${link.url}`] : [])]);
      });
    });
}
