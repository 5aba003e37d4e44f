import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../app.js';
import type { CampaignReport } from '../campaigns/report.js';
import type { PropertySetupResult } from '../crm/port.js';
import type { SyncSummary } from '../crm/sync-contacts.js';
import { syncContacts } from '../crm/sync-contacts.js';
import { createHttpApp } from '../http/app.js';
import type { HubSpotStandIn, StandInContact } from './hubspot-stand-in.js';
import type { DemoCommunication, DemoWrites } from './hubspot-write-routes.js';

/** The stand-in the demo runs against, and what it was sent. */
export interface DemoHubSpot {
  standIn: HubSpotStandIn;
  writes: DemoWrites;
}

/** What the HubSpot demo needs in the environment: the stand-in's address, a token and a client secret. */
export function hubspotDemoEnv(hubspot: DemoHubSpot): Record<string, string> {
  return { HUBSPOT_ACCESS_TOKEN: 'demo-private-app-token', HUBSPOT_CLIENT_SECRET: DEMO_CLIENT_SECRET, HUBSPOT_API_BASE: hubspot.standIn.url, SMS_SENDER: 'SHOP' };
}

const DEMO_CLIENT_SECRET = 'demo-client-secret-0000';
const FIRST = ['Anna', 'Boris', 'Clara', 'Denis', 'Elena', 'Fedor', 'Galina', 'Igor', 'Kira', 'Lev', 'Maria', 'Nikita'];

/** Twelve HubSpot contacts with Moscow mobile numbers; the last two never gave SMS consent, one opted out. */
export function demoHubSpotContacts(): StandInContact[] {
  return FIRST.map((name, i) => ({
    id: String(101 + i), updatedAt: '2026-01-01T00:00:00.000Z',
    properties: {
      firstname: name, lastname: 'Demo', mobilephone: `+7916555${String(1000 + i).slice(-4)}`, city: 'Moscow', hs_timezone: 'europe_slash_moscow',
      sms_consent: i === 10 ? 'opted_out' : i === 11 ? 'unknown' : 'opted_in',
    },
  }));
}

export interface HubSpotDemoResult {
  hubspotUrl: string;
  properties: PropertySetupResult[];
  sync: SyncSummary;
  campaignId: string;
  report: CampaignReport;
  optOut: { contactId: string; consent: string | undefined };
  action: { answer: Record<string, string>; completion: Record<string, string> | undefined };
  communications: DemoCommunication[];
  requests: number;
}

/**
 * The loop a HubSpot user sees, against the local stand-in: properties set up, contacts and consent
 * synced, a marketing SMS to the synced contacts (consent applied), receipts and a STOP reply written
 * back to the contacts' timelines and properties, and a workflow's "Send SMS" action that waits for
 * delivery and is completed by its receipt.
 */
export async function runHubSpotDemo(app: AppContext, demo: DemoHubSpot): Promise<HubSpotDemoResult> {
  const { standIn, writes } = demo;
  const hubspot = app.hubspot();
  const properties = await hubspot.crm.ensureContactProperties();
  const sync = await syncContacts({ full: true, map: hubspot.settings.properties, defaultCountry: app.config.DEFAULT_COUNTRY }, { crm: hubspot.crm, store: app.store, clock: app.clock, newId: app.newId });
  const engine = await app.engine();

  const phones = standIn.contacts.map((c) => c.properties.mobilephone as string);
  const campaign = await app.campaigns.create({
    name: 'HubSpot spring sale', kind: 'marketing', sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' }, audience: { phones },
    campaignVariables: { promo: 'SPRING20' }, variants: [{ name: 'A', text: 'Hi {{firstName}}! Spring sale: 20% off with code {{promo}}.', weight: 1 }],
  });
  await app.campaigns.start(campaign.id, { skipTestSendCheck: true });
  await engine.runCampaign(campaign.id, { receipts: true, timeoutMs: 20_000, pollMs: 50 });

  // Anna answers STOP: the reply arrives as a gateway's inbound webhook would hand it over.
  const anna = standIn.contacts[0] as StandInContact;
  await engine.accept([{ type: 'inbound', gateway: 'simulator', providerMessageId: 'demo-stop', from: anna.properties.mobilephone as string, to: 'SHOP', text: 'STOP', at: app.clock.now().toISOString(), key: 'demo-stop' }]);
  await engine.step();

  const action = await workflowAction(app, demo);
  return {
    hubspotUrl: standIn.url, properties, sync, campaignId: campaign.id, report: await app.campaigns.report(campaign.id),
    optOut: { contactId: anna.id, consent: anna.properties.sms_consent ?? undefined }, action, communications: [...writes.communications.values()], requests: standIn.stats.requests,
  };
}

/** A workflow enrolls Boris in "Send SMS" with Wait for delivery on: HubSpot's request, signed as HubSpot signs it (v2). */
async function workflowAction(app: AppContext, { standIn, writes }: DemoHubSpot): Promise<HubSpotDemoResult['action']> {
  const engine = await app.engine();
  const server = createHttpApp({ app, engine }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hubspot/workflow-actions/send-sms`;
    const boris = standIn.contacts[1] as StandInContact;
    const body = JSON.stringify({
      callbackId: 'ap-demo-1', origin: { portalId: 1, actionDefinitionId: 1, actionDefinitionVersion: 1 }, context: { source: 'WORKFLOWS', workflowId: 1 },
      object: { objectId: Number(boris.id), objectType: 'CONTACT', properties: boris.properties },
      inputFields: { message: 'Hi {{firstname}}, your order #1042 is ready for pickup.', kind: 'transactional', waitForDelivery: 'true' },
    });
    const signature = createHash('sha256').update(`${DEMO_CLIENT_SECRET}POST${url}${body}`).digest('hex');
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-signature': signature, 'x-hubspot-signature-version': 'v2' }, body });
    const answer = ((await res.json()) as { outputFields: Record<string, string> }).outputFields;
    const deadline = Date.now() + 10_000;
    while (!writes.callbacks.some((c) => c.callbackId === 'ap-demo-1') && Date.now() < deadline) {
      if ((await engine.step()) === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { answer, completion: writes.callbacks.find((c) => c.callbackId === 'ap-demo-1')?.outputFields };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
