import type { Clock } from '../../src/common/clock.js';
import { AppError } from '../../src/common/errors.js';
import type { CrmPort } from '../../src/crm/port.js';
import type { Timers } from '../../src/delivery/timers.js';
import type { HubSpotClient } from './client.js';
import { createHubSpotClient } from './client.js';
import type { HubSpotSettings } from './config.js';
import { createHubSpotCrm } from './hubspot-crm.js';

export { hubspotConfigSchema, hubspotConfigShape, hubspotSettings } from './config.js';
export type { HubSpotSettings } from './config.js';
export type { HubSpotClient } from './client.js';
export { REQUIRED_SCOPES } from './hubspot-crm.js';

/** One HubSpot account: the client (and its request budget) every HubSpot feature shares, and the CRM port. */
export interface HubSpotConnection {
  settings: HubSpotSettings;
  client: HubSpotClient;
  crm: CrmPort;
}

export function connectHubSpot(settings: HubSpotSettings, deps: { clock: Clock; timers: Timers }): HubSpotConnection {
  if (!settings.accessToken) {
    throw new AppError('CONFIG_INVALID', 'HUBSPOT_ACCESS_TOKEN is not set.', {
      hint: 'Create a private app in HubSpot (Settings > Integrations > Private apps), give it the scopes listed in README.md, and put its token in HUBSPOT_ACCESS_TOKEN.',
    });
  }
  const client = createHubSpotClient({ accessToken: settings.accessToken, apiBase: settings.apiBase, requestsPer10s: settings.requestsPer10s }, deps);
  return { settings, client, crm: createHubSpotCrm(client, { accessToken: settings.accessToken }) };
}
