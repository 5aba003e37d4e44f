import type { Command } from 'commander';
import { Option } from 'commander';
import { z } from 'zod';
import type { AppContext } from '../../app.js';
import { AppError } from '../../common/errors.js';
import type { Audience, PlanRequest } from '../../campaigns/plan.js';
import type { PlanSummary } from '../../campaigns/plan-summary.js';
import { previewCampaign } from '../../campaigns/preview.js';
import { formatPreviewNotes } from '../../campaigns/preview-notes.js';
import type { Variant } from '../../campaigns/variants.js';
import { parseVariantOption } from '../../campaigns/variants.js';
import { checkHoldoutPercent } from '../../campaigns/holdout.js';
import { chooseSender, senderNotesAlongRoutes } from '../../delivery/choose-sender.js';
import type { SenderChoice } from '../../delivery/choose-sender.js';
import type { SmsGateway } from '../../delivery/gateway.js';
import { describeFilter } from '../../segments/index.js';
import { withApp } from '../context.js';
import { listIdOf } from '../../crm/list-segment.js';
import { collect, parseFlags } from '../flags.js';
import { printJson, printLines, table } from '../output.js';
import { loadSegment, readFilterOption } from './segment.js';
import { registerCampaignResendCommand } from './campaign-resend.js';
import { registerCampaignRunCommands } from './campaign-run.js';
import { registerCampaignResultCommands } from './campaign-results.js';
import { loadTemplate } from './template.js';

const planFlags = z.object({
  segment: z.string().optional(),
  filter: z.string().optional(),
  to: z.string().optional(),
  template: z.string().optional(),
  text: z.string().optional(),
  variant: z.array(z.string()).default([]),
  var: z.array(z.string()).default([]),
  kind: z.enum(['marketing', 'transactional']).default('marketing'),
  sender: z.string().optional(),
  at: z.iso.datetime({ offset: true, message: '--at must be an ISO date-time such as 2026-12-01T10:00:00+03:00' }).optional(),
  gateway: z.string().default('default'),
  campaignId: z.string().default('preview'),
  json: z.boolean().default(false),
  trackLinks: z.boolean().default(true),
  holdout: z.coerce.number('--holdout must be a percentage, such as 5').optional(),
});
type PlanFlags = z.infer<typeof planFlags>;

/** The flags every planning command shares (preview now; create and send with the sending engine). */
export function addPlanOptions(command: Command): Command {
  return command
    .option('--segment <name>', 'a saved segment as the audience')
    .option('--filter <json|@file>', 'a filter as the audience, without saving it')
    .option('--to <numbers>', 'explicit numbers as the audience, comma-separated')
    .option('--template <name>', 'a saved template as the text')
    .option('--text <text>', 'the message text (mustache)')
    .option('--variant <NAME=text>', 'an A/B variant, NAME=text or NAME:WEIGHT=text (repeatable)', collect, [])
    .option('--var <name=value>', 'a campaign variable for the template (repeatable)', collect, [])
    .addOption(new Option('--kind <kind>', 'marketing needs opt-in and gets the ad label; transactional (order notices) does not').choices(['marketing', 'transactional']).default('marketing'))
    .option('--sender <id>', 'sender id (default: SMS_SENDER, else the gateway\'s own: TWILIO_FROM, VONAGE_FROM, SMSRU_FROM, SMPP_SOURCE_ADDR)')
    .option('--at <iso>', 'start time (default: now)')
    .option('--gateway <name>', 'gateway whose prices apply', 'default')
    .option('--campaign-id <id>', 'seeds the A/B split (the same id splits the same way)', 'preview')
    .option('--no-track-links', 'send links as written, not as tracked short links')
    .option('--holdout <percent>', 'keep this share of the eligible audience unsent, to measure lift (e.g. 5)')
    .option('--json', 'print JSON');
}

function parseVars(options: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const option of options) {
    const at = option.indexOf('=');
    if (at < 1) throw new AppError('VALIDATION_FAILED', `Cannot read --var "${option}".`, { hint: 'Write it as name=value, e.g. --var promo=SPRING20.' });
    vars[option.slice(0, at).trim()] = option.slice(at + 1);
  }
  return vars;
}

async function resolveAudience(app: AppContext, flags: PlanFlags): Promise<{ audience: Audience; label: string }> {
  const given = [flags.segment, flags.filter, flags.to].filter((value) => value !== undefined).length;
  if (given !== 1) {
    throw new AppError('VALIDATION_FAILED', 'Name exactly one audience: --segment <name>, --filter <json> or --to <numbers>.');
  }
  if (flags.segment !== undefined && listIdOf(flags.segment) !== undefined) {
    const list = await app.campaigns.resolveSegment(flags.segment);
    return { audience: { filter: list.filter }, label: `${list.note ?? flags.segment}` };
  }
  if (flags.segment !== undefined) {
    const segment = await loadSegment(app, flags.segment);
    return { audience: { filter: segment.filter }, label: `segment "${segment.name}": ${describeFilter(segment.filter)}` };
  }
  if (flags.filter !== undefined) {
    const filter = readFilterOption(flags.filter);
    return { audience: { filter }, label: describeFilter(filter) };
  }
  const phones = (flags.to ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  return { audience: { phones }, label: `${phones.length} numbers` };
}

async function resolveVariants(app: AppContext, flags: PlanFlags): Promise<{ variants: Variant[]; variables: string[] }> {
  const given = [flags.template, flags.text].filter((value) => value !== undefined).length + (flags.variant.length > 0 ? 1 : 0);
  if (given !== 1) throw new AppError('VALIDATION_FAILED', 'Give the text exactly one way: --template <name>, --text <text> or --variant NAME=text (repeatable).');
  if (flags.template !== undefined) {
    const template = await loadTemplate(app, flags.template);
    return { variants: [{ name: 'A', text: template.text, weight: 1 }], variables: template.variables };
  }
  if (flags.text !== undefined) return { variants: [{ name: 'A', text: flags.text, weight: 1 }], variables: [] };
  return { variants: flags.variant.map(parseVariantOption), variables: [] };
}

/**
 * The sender asked for, else SMS_SENDER, else the gateway's own, and where phones will show something
 * else. A gateway that cannot be built yet (credentials unset) still lets a preview run on an explicit sender.
 */
export function senderFor(app: AppContext, requested: string | undefined, gatewayName: string): SenderChoice {
  let gateway: SmsGateway;
  try {
    gateway = app.gateway(gatewayName);
  } catch (error) {
    const sender = requested ?? app.config.SMS_SENDER;
    if (sender) return { sender, notes: [] };
    throw error;
  }
  const { sender } = chooseSender(requested, app.config.SMS_SENDER, gateway);
  return { sender, notes: senderNotesAlongRoutes(sender, gatewayName, { gateway: app.gateway, routes: app.config.SMS_ROUTES }) };
}

export async function buildPlanRequest(app: AppContext, rawFlags: unknown): Promise<{ request: PlanRequest; label: string; json: boolean; senderNotes: string[] }> {
  const flags = parseFlags(planFlags, rawFlags);
  const { audience, label } = await resolveAudience(app, flags);
  const { variants, variables } = await resolveVariants(app, flags);
  const campaignVariables = parseVars(flags.var);
  const missing = variables.filter((name) => campaignVariables[name] === undefined);
  if (missing.length > 0) throw new AppError('VALIDATION_FAILED', `The template needs values for: ${missing.join(', ')}.`, { hint: `Add --var ${missing[0]}=<value>.` });
  const { sender, notes } = senderFor(app, flags.sender, flags.gateway);
  return {
    request: {
      campaignId: flags.campaignId, audience, variants, kind: flags.kind, sender, gateway: flags.gateway, campaignVariables,
      at: flags.at ? new Date(flags.at) : app.clock.now(),
      ...(flags.trackLinks ? {} : { trackLinks: false }),
      ...(flags.holdout !== undefined ? { holdout: { seed: flags.campaignId, percent: checkHoldoutPercent(flags.holdout) } } : {}),
    },
    label,
    json: flags.json,
    senderNotes: notes,
  };
}

/** The sender line of a preview or create: what phones show, and where they show something else. */
export function formatSenderNotes(sender: string, notes: readonly string[]): string[] {
  return [`Sender: ${sender}${notes.length ? '' : ' (shown as is)'}.`, ...notes.map((note) => `  Note: ${note}.`)];
}

export function formatSummary(summary: PlanSummary, label: string, kind: string): string[] {
  const money = (n: number): string => `${n.toFixed(2)} ${summary.currency}`;
  const lines = [
    `Audience: ${summary.audience} (${label}), ${kind}.`,
    `To send: ${summary.toSend} — ${summary.sendNow} at the start, ${summary.deferred.count} deferred by quiet hours${summary.deferred.count ? ` (${summary.deferred.earliest} … ${summary.deferred.latest})` : ''}.`,
    `Segments: ${summary.segments}, cost ${money(summary.cost)}. Encoding: ${summary.encodings['GSM-7']} GSM-7, ${summary.encodings['UCS-2']} UCS-2.`,
  ];
  if (summary.uncertainTimezone > 0) {
    lines.push(`Time zone uncertain for ${summary.uncertainTimezone} (a country with several zones and no city): their send time holds in every candidate zone. Add a city or timezone to send them at the usual time.`);
  }
  if (summary.heldOut !== undefined) lines.push(`Held out: ${summary.heldOut} eligible recipients kept unsent, to measure lift (not an exclusion).`);
  lines.push(`Excluded: ${summary.excludedTotal}${summary.excludedTotal ? ` — ${Object.entries(summary.excluded).sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason} ${n}`).join(', ')}` : ''}.`);
  if (Object.keys(summary.variants).length > 1) {
    lines.push(...table(['variant', 'recipients', 'segments', 'cost'], Object.entries(summary.variants).map(([name, v]) => [name, String(v.recipients), String(v.segments), money(v.cost)])));
  }
  for (const sample of summary.samples) {
    lines.push('', `[${sample.variant}] ${sample.phone} · ${sample.encoding}, ${sample.segments} segment(s)${sample.sendAfter ? ` · after ${sample.sendAfter}` : ''}`);
    lines.push(...sample.text.split('\n').map((line) => `  ${line}`));
  }
  return lines;
}

export function registerCampaignCommands(program: Command): void {
  const campaign = program.command('campaign').description('Campaigns: preview, create, test, send, pause, resume, cancel, report.');
  addPlanOptions(campaign.command('preview').description('Show exactly what a campaign would send, without sending.')).action(async (rawFlags: unknown) => {
    // A HubSpot list that falls back to its members stamps them on the contacts: that needs the store writable.
    const listReference = typeof (rawFlags as { segment?: unknown }).segment === 'string' && listIdOf((rawFlags as { segment: string }).segment) !== undefined;
    await withApp({ readOnly: !listReference }, async (app) => {
      const { request, label, json, senderNotes } = await buildPlanRequest(app, rawFlags);
      const summary = await previewCampaign(request, {
        store: app.store, policy: app.policy, defaultZone: app.config.DEFAULT_TIMEZONE, defaultCountry: app.config.DEFAULT_COUNTRY,
        prices: app.config.SMS_PRICES, currency: app.config.SMS_CURRENCY, routeGateway: app.routeGateway, ...(app.shortLinks ? { shortLinks: app.shortLinks } : {}),
      });
      if (json) printJson({ ...summary, sender: { id: request.sender, notes: senderNotes } });
      else printLines([...formatSummary(summary, label, request.kind), ...formatPreviewNotes(summary), ...formatSenderNotes(request.sender, senderNotes)]);
    });
  });
  registerCampaignRunCommands(campaign);
  registerCampaignResultCommands(campaign);
  registerCampaignResendCommand(campaign);
}
