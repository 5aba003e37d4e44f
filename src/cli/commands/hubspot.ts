import type { Command } from 'commander';
import type { AppContext } from '../../app.js';
import type { SyncSummary } from '../../crm/sync-contacts.js';
import { syncContacts } from '../../crm/sync-contacts.js';
import { withApp } from '../context.js';
import { printJson, printLines, progressBar } from '../output.js';

/** One contact sync with the configured mapping; the CLI and the scheduled job share it. */
export async function runHubSpotSync(app: AppContext, options: { full?: boolean; onProgress?: (done: number, total: number | undefined) => void } = {}): Promise<SyncSummary> {
  const hubspot = app.hubspot();
  return syncContacts(
    { map: hubspot.settings.properties, defaultCountry: app.config.DEFAULT_COUNTRY, ...(options.full ? { full: true } : {}) },
    { crm: hubspot.crm, store: app.store, clock: app.clock, newId: app.newId, ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
  );
}

export function formatSyncSummary(summary: SyncSummary): string[] {
  const reasons = Object.entries(summary.skipped.reasons).map(([reason, count]) => `${count} ${reason}`).join(', ');
  const { optedIn, optedOut, keptOptedOut } = summary.consentChanges;
  return [
    `${summary.mode === 'full' ? 'Full' : 'Incremental'} sync${summary.resumed ? ' (resumed where the last run stopped)' : ''}: ${summary.fetched} contacts fetched in ${summary.seconds} s: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.skipped.total} skipped${reasons ? ` (${reasons})` : ''}.`,
    `Consent: ${optedIn} opted in, ${optedOut} opted out${keptOptedOut ? `, ${keptOptedOut} kept opted out (HubSpot said opted_in; a sync never lifts an opt-out)` : ''}.`,
    `Merged in HubSpot: ${summary.merged} relinked to the surviving record. Deleted in HubSpot: ${summary.archived} marked (consent kept).`,
    `HubSpot requests: ${summary.requests}, rate-limited (429): ${summary.rateLimited}. Next incremental sync from ${summary.watermark ?? 'the start'}.`,
  ];
}

export function registerHubSpotCommands(program: Command): void {
  const hubspot = program.command('hubspot').description('HubSpot: contact properties, contact and consent sync.');

  hubspot
    .command('setup')
    .description('Create the contact properties sms-bridge needs (sms_consent, sms_consent_updated_at, sms_last_status) where missing.')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      await withApp({ readOnly: true }, async (app) => {
        const results = await app.hubspot().crm.ensureContactProperties();
        if (flags.json) printJson({ properties: results });
        else printLines(results.map((r) => `${r.outcome === 'created' ? 'created       ' : 'already there '} ${r.name}`));
      });
    });

  hubspot
    .command('sync')
    .description('Bring HubSpot contacts and their SMS consent in: what changed since the last sync, or everything with --full. Resumes an interrupted run.')
    .option('--full', 'page every contact instead of asking what changed')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: { full?: boolean; json?: boolean }) => {
      await withApp({}, async (app) => {
        // Only a terminal gets a bar (and the one search that counts the contacts for it).
        const bar = flags.json || !process.stderr.isTTY ? undefined : progressBar('syncing');
        const summary = await runHubSpotSync(app, {
          ...(flags.full ? { full: true } : {}),
          ...(bar ? { onProgress: (done: number, total: number | undefined) => bar.update(done, total ?? done, `${done} contacts`) } : {}),
        });
        bar?.end();
        app.logger.info({ fetched: summary.fetched, created: summary.created, requests: summary.requests, rateLimited: summary.rateLimited }, 'hubspot sync finished');
        if (flags.json) printJson(summary);
        else printLines(formatSyncSummary(summary));
      });
    });
}
