import type { Command } from 'commander';
import { requestConsent } from '../../campaigns/consent-request.js';
import { AppError } from '../../common/errors.js';
import { withApp } from '../context.js';
import { printJson, printLines } from '../output.js';
import { loadSegment } from './segment.js';

export function registerConsentCommands(program: Command): void {
  const consent = program.command('consent').description('Collect consent: double opt-in requests.');
  consent
    .command('request')
    .description('Send a consent request (CONSENT_REQUEST_TEXT, "Reply ДА to receive offers") to the segment\'s contacts without consent; a yes within CONSENT_REQUEST_WINDOW_HOURS records their opt-in.')
    .requiredOption('--segment <name>', 'a saved segment')
    .option('--text <text>', 'the request text (default: CONSENT_REQUEST_TEXT)')
    .option('--sender <id>', 'sender id (default: SMS_SENDER)')
    .option('--gateway <name>', 'gateway', 'default')
    .option('--json', 'print JSON')
    .action(async (flags: { segment: string; text?: string; sender?: string; gateway: string; json?: boolean }) => {
      await withApp({}, async (app) => {
        const sender = flags.sender ?? app.config.SMS_SENDER;
        if (!sender) throw new AppError('VALIDATION_FAILED', 'No sender id: pass --sender <id> or set SMS_SENDER.');
        const result = await requestConsent(
          { segment: await loadSegment(app, flags.segment), text: flags.text ?? app.config.CONSENT_REQUEST_TEXT, sender, gateway: flags.gateway },
          { store: app.store, campaigns: app.campaigns, now: app.clock.now(), defaultZone: app.config.DEFAULT_TIMEZONE },
        );
        const engine = await app.engine();
        await engine.runCampaign(result.campaign.id, { receipts: false, timeoutMs: 600_000 });
        const counts = await app.store.outbox.countByStatus(result.campaign.id);
        if (flags.json) {
          printJson({ id: result.campaign.id, asked: result.asked, skipped: result.skipped, planned: result.campaign.planned, messages: counts });
          return;
        }
        printLines([
          `Consent request ${result.campaign.id}: ${result.asked} asked (${result.skipped.alreadyOptedIn} already opted in, ${result.skipped.optedOut} opted out: not asked).`,
          `messages: ${Object.entries(counts).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}${counts.queued ? ' (queued ones wait for quiet hours to end: keep smsbridge run or serve running)' : ''}.`,
          `Yes replies within ${app.config.CONSENT_REQUEST_WINDOW_HOURS} h (${app.config.CONSENT_YES_KEYWORDS.join(', ')}) record an opt-in; see them with smsbridge replies list --campaign ${result.campaign.id}.`,
        ]);
      });
    });
}
