import { formatCampaignReport } from '../campaigns/report-format.js';
import type { HubSpotDemoResult } from './run-hubspot-demo.js';

/** The HubSpot demo, told step by step. */
export function formatHubSpotDemo(result: HubSpotDemoResult, workDir: string): string[] {
  const created = result.properties.filter((p) => p.outcome === 'created').map((p) => p.name);
  const byContact = new Map<string, number>();
  for (const entry of result.communications) byContact.set(entry.contactId, (byContact.get(entry.contactId) ?? 0) + 1);
  const shown = result.communications.slice(0, 4).concat(result.communications.filter((c) => c.contactId === result.optOut.contactId || c.body.includes('order #1042')).slice(0, 3));
  const unique = [...new Map(shown.map((c) => [c.id, c])).values()];
  return [
    `sms-bridge demo with HubSpot — a local HubSpot stand-in at ${result.hubspotUrl}, data in ${workDir}`,
    '',
    `1. smsbridge hubspot setup: ${created.length ? `created ${created.join(', ')}` : 'the contact properties were already there'}.`,
    `2. smsbridge hubspot sync --full: ${result.sync.fetched} contacts fetched, ${result.sync.created} created; consent from sms_consent: ${result.sync.consentChanges.optedIn} opted in, ${result.sync.consentChanges.optedOut} opted out.`,
    `3. A marketing SMS to the synced contacts (consent applied), through the simulator:`,
    ...formatCampaignReport(result.report).flatMap((line) => line.split('\n')).map((line) => (line ? `   ${line}` : '')),
    '',
    `4. Written back to HubSpot: ${result.communications.length} SMS communications on ${byContact.size} contact timelines (status kept current as receipts came in), for example:`,
    ...unique.map((c) => `   contact ${c.contactId}, ${c.timestamp}: ${c.body.replace(/\n/g, ' | ')}`),
    `   Contact ${result.optOut.contactId} replied STOP: sms_consent is now ${result.optOut.consent ?? '(not set)'} in HubSpot.`,
    '',
    `5. A workflow's "Send SMS" action with "Wait for delivery": answered ${result.action.answer.hs_execution_state}, then the callback was completed with ${result.action.completion ? `${result.action.completion.hs_execution_state} (status ${result.action.completion.status})` : 'nothing yet (no final receipt within 10 s)'}.`,
    '',
    `HubSpot requests made: ${result.requests}. Set HUBSPOT_ACCESS_TOKEN (and HUBSPOT_CLIENT_SECRET for the action) to do the same with your portal; README.md, section "HubSpot", says how.`,
  ];
}
