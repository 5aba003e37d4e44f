import type { Command } from 'commander';
import type { AppContext } from '../../app.js';
import type { ResendUnknownPlan } from '../../delivery/resend-unknown.js';
import { applyResendUnknown, planResendUnknown } from '../../delivery/resend-unknown.js';
import { withApp } from '../context.js';
import { printJson, printLines } from '../output.js';

const reconcileDeps = (app: AppContext) => ({ store: app.store, gateway: app.gateway, clock: app.clock, logger: app.logger });

function describePlan(plan: ResendUnknownPlan): string[] {
  const resend = plan.notReceived + plan.atRisk;
  const lines = [
    `Campaign ${plan.campaignId}: ${plan.unknown} message(s) with an unknown outcome (the process stopped, or the gateway did not answer, while they were being sent).`,
  ];
  if (plan.unknown === 0) return [...lines, 'Nothing to resend.'];
  lines.push(
    `  ${plan.confirmedSent} the gateway confirms it received: marked submitted, never sent again.`,
    `  ${plan.notReceived} the gateway confirms it never received: safe to send again.`,
    `  ${plan.atRisk} nobody can tell about: sending them again may give those ${plan.atRisk} recipient(s) a duplicate SMS.`,
    ...Object.entries(plan.reasons).map(([reason, n]) => `    ${n}: ${reason}`),
  );
  return lines.concat(resend > 0 ? [`Resending sends ${resend} message(s) again${plan.atRisk > 0 ? `, ${plan.atRisk} of them at the risk of a duplicate` : ''}.`] : []);
}

/** `campaign resend-unknown <id>`: shows what the gateways know about unknown messages; with --yes, acts on it. */
export function registerCampaignResendCommand(campaign: Command): void {
  campaign
    .command('resend-unknown')
    .description('Ask the gateway about messages whose outcome is unknown and, with --yes, mark the received ones submitted and send the others again.')
    .argument('<id>')
    .option('--yes', 'act on it: mark confirmed ones submitted and send the rest again (those nobody can tell about may reach their recipient twice)')
    .option('--timeout <seconds>', 'with --yes: how long to keep sending', '600')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { yes?: boolean; timeout: string; json?: boolean }) => {
      await withApp(flags.yes ? {} : { readOnly: true }, async (app) => {
        await app.campaigns.get(id);
        const { plan, verdicts } = await planResendUnknown(reconcileDeps(app), id);
        if (!flags.yes || plan.unknown === 0) {
          if (flags.json) printJson({ ...plan, applied: false });
          else printLines([...describePlan(plan), ...(plan.unknown > 0 ? [`Nothing was changed. To go ahead: smsbridge campaign resend-unknown ${id} --yes`] : [])]);
          return;
        }
        const applied = await applyResendUnknown(reconcileDeps(app), id, verdicts);
        if (applied.requeued > 0) await (await app.engine()).runCampaign(id, { receipts: false, timeoutMs: Number(flags.timeout) * 1000 });
        const counts = await app.store.outbox.countByStatus(id);
        if (flags.json) printJson({ ...plan, applied: true, ...applied, messages: counts });
        else printLines([...describePlan(plan), `Marked ${applied.submitted} submitted and queued ${applied.requeued} again.`, `messages: ${Object.entries(counts).map(([s, n]) => `${s} ${n}`).join(', ')}`]);
      });
    });
}
