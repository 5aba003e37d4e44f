import type { Command } from 'commander';
import { z } from 'zod';
import type { AppContext } from '../../app.js';
import { AppError } from '../../common/errors.js';
import type { BirthdayAutomation } from '../../campaigns/birthday.js';
import type { BirthdayRunDeps } from '../../campaigns/birthday-run.js';
import { runBirthdayAutomations } from '../../campaigns/birthday-run.js';
import { checkSenderId } from '../../messages/compliance/index.js';
import { withApp } from '../context.js';
import { parseFlags } from '../flags.js';
import { printJson, printLines, table } from '../output.js';
import { senderFor } from './campaign.js';
import { loadTemplate } from './template.js';

const birthdayFlags = z.object({
  template: z.string().trim().min(1, '--template is required'),
  hour: z
    .string()
    .trim()
    .regex(/^\d{1,2}$/, '--hour must be a whole number from 0 to 23 (each contact\'s local time)')
    .transform(Number)
    .refine((hour) => hour <= 23, '--hour must be a whole number from 0 to 23 (each contact\'s local time)'),
  sender: z.string().optional(),
  name: z.string().trim().min(1, '--name must not be empty').max(100).default('Birthday greetings'),
  json: z.boolean().default(false),
});

/** What the runner needs from the app; the service's scheduler builds the same. */
export function birthdayRunDeps(app: AppContext): BirthdayRunDeps {
  return {
    store: app.store, campaigns: app.campaigns, clock: app.clock, defaultZone: app.config.DEFAULT_TIMEZONE,
    loadTemplateText: async (name) => loadTemplate(app, name),
  };
}

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** A note when the greeting hour starts inside quiet hours: the greetings would wait until they end. */
function quietHoursNote(app: AppContext, hour: number): string | undefined {
  if (!app.policy.quietHoursApplyTo.includes('marketing')) return undefined;
  const { start, end } = app.policy.quietHours;
  const at = hour * 60;
  const [s, e] = [minutesOf(start), minutesOf(end)];
  const quiet = s <= e ? at >= s && at < e : at >= s || at < e;
  return quiet ? `Note: ${hour}:00 is within quiet hours (${start}–${end}); greetings will wait until ${end}.` : undefined;
}

async function findAutomation(app: AppContext, id: string): Promise<BirthdayAutomation> {
  const found = await app.store.automations.get(id);
  if (!found) throw new AppError('NOT_FOUND', `No automation with id ${id}.`, { hint: 'List them with: smsbridge automation list.' });
  return found;
}

function line(a: BirthdayAutomation): string[] {
  return [a.id, a.name, 'birthday', a.template, `${String(a.hour).padStart(2, '0')}:00`, a.sender, a.enabled ? 'yes' : 'no', a.createdAt];
}

export function registerAutomationCommands(program: Command): void {
  const automation = program.command('automation').description('Standing rules that send by themselves, such as birthday greetings.');

  automation
    .command('birthday')
    .description('Greet every contact on its birthday at a local hour, at most once a year (marketing: consent and quiet hours apply).')
    .requiredOption('--template <name>', 'a saved template as the text')
    .requiredOption('--hour <0-23>', 'the hour, in each contact\'s local time')
    .option('--sender <id>', 'sender id (default: SMS_SENDER, else the gateway\'s own)')
    .option('--name <name>', 'a name people recognise', 'Birthday greetings')
    .option('--json', 'print JSON')
    .action(async (rawFlags: Record<string, unknown>) => {
      const flags = parseFlags(birthdayFlags, rawFlags);
      await withApp({}, async (app) => {
        const template = await loadTemplate(app, flags.template);
        if (template.variables.length > 0) {
          throw new AppError('VALIDATION_FAILED', `Template "${template.name}" needs campaign variables (${template.variables.join(', ')}), which an automation cannot supply.`, {
            hint: 'Use a template that only uses contact fields such as {{firstName}}.',
          });
        }
        const { sender, notes } = senderFor(app, flags.sender, 'default');
        const senderCheck = checkSenderId(sender, app.policy.senderRules.allowedKinds);
        if (!senderCheck.ok) throw new AppError('VALIDATION_FAILED', `Sender "${sender}": ${senderCheck.reason}`);
        const created: BirthdayAutomation = {
          id: app.newId().replace(/-/g, '').slice(-8), name: flags.name, template: template.name, hour: flags.hour, sender, enabled: true,
          createdAt: app.clock.now().toISOString(),
        };
        await app.store.automations.put(created);
        const note = quietHoursNote(app, flags.hour);
        if (note) process.stderr.write(`${note}\n`);
        for (const senderNote of notes) process.stderr.write(`Note: ${senderNote}.\n`);
        if (flags.json) printJson({ id: created.id });
        else printLines([`Created birthday automation ${created.id}: template "${created.template}" at ${flags.hour}:00 local time. The service runs it every hour; run it now with: smsbridge automation run.`]);
      });
    });

  automation.command('list').description('List automations.').option('--json', 'print JSON').action(async (flags: { json?: boolean }) => {
    await withApp({ readOnly: true }, async (app) => {
      const all = await app.store.automations.list();
      if (flags.json) printJson(all);
      else printLines(all.length ? table(['id', 'name', 'type', 'template', 'hour', 'sender', 'enabled', 'created'], all.map(line)) : ['No automations yet.']);
    });
  });

  automation.command('disable').description('Stop an automation (greetings already queued still go).').argument('<id>').option('--json', 'print JSON').action(async (id: string, flags: { json?: boolean }) => {
    await withApp({}, async (app) => {
      const found = await findAutomation(app, id);
      await app.store.automations.put({ ...found, enabled: false });
      if (flags.json) printJson({ id, enabled: false });
      else printLines([`Automation ${id} is disabled.`]);
    });
  });

  automation
    .command('run')
    .description('Run every enabled automation once now and send what is due (for cron, or to try one out).')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      await withApp({}, async (app) => {
        const outcomes = await runBirthdayAutomations(birthdayRunDeps(app));
        const started = outcomes.filter((o) => o.campaignId !== null && o.recipients > 0);
        if (started.length > 0) {
          const engine = await app.engine();
          for (const outcome of started) await engine.runCampaign(outcome.campaignId as string, { receipts: false, timeoutMs: 60_000 });
        }
        if (flags.json) printJson(outcomes);
        else {
          printLines(outcomes.length ? outcomes.map((o) =>
            o.error !== undefined ? `${o.automationId}: failed: ${o.error}` : o.campaignId === null ? `${o.automationId}: nobody due` : `${o.automationId}: ${o.recipients} greeted (campaign ${o.campaignId})`) : ['No enabled automations.']);
        }
        if (outcomes.some((o) => o.error !== undefined)) process.exitCode = 1;
      });
    });
}
