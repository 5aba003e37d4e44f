import type { Command } from 'commander';
import { withApp } from '../context.js';
import { printJson, printLines } from '../output.js';

/** `smsbridge hubspot install-action`: joins the `hubspot` command group (created here if it is not there yet). */
export function registerHubSpotActionCommands(program: Command): void {
  const hubspot = program.commands.find((command) => command.name() === 'hubspot') ?? program.command('hubspot').description('HubSpot integration.');
  hubspot
    .command('install-action')
    .description('Install (or update) the "Send SMS" workflow action in your HubSpot app, pointing at this service (needs HUBSPOT_DEVELOPER_API_KEY, HUBSPOT_APP_ID and PUBLIC_URL or --url).')
    .option('--url <actionUrl>', 'the https:// URL HubSpot is to call (default: PUBLIC_URL/hubspot/workflow-actions/send-sms)')
    .option('--json', 'print JSON')
    .action(async (flags: { url?: string; json?: boolean }) => {
      await withApp({ readOnly: true }, async (app) => {
        const result = await app.hubspotActions.install(flags.url);
        if (flags.json) {
          printJson(result);
          return;
        }
        printLines([
          `${result.outcome === 'created' ? 'Created' : 'Updated'} the "Send SMS" workflow action (definition ${result.definitionId}) in HubSpot app ${result.appId}.`,
          `HubSpot will call ${result.actionUrl}; requests are verified with HUBSPOT_CLIENT_SECRET, so set it on the service that answers there.`,
          'In HubSpot: Automation > Workflows > a contact-based workflow > + > "Send SMS" (under the app\'s name).',
        ]);
      });
    });
}
