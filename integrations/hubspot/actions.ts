import type { Router } from 'express';
import type { CampaignService } from '../../src/campaigns/campaign-service.js';
import { sendSingleOnce } from '../../src/campaigns/send-single.js';
import type { Clock } from '../../src/common/clock.js';
import { AppError } from '../../src/common/errors.js';
import type { Timers } from '../../src/delivery/timers.js';
import type { Logger } from '../../src/common/logger.js';
import type { EventSink } from '../../src/delivery/sinks.js';
import { KeyedMutex } from '../../src/http/api/idempotency.js';
import type { Store } from '../../src/store/port.js';
import { ACTION_TEMPLATE_PROPERTIES } from './action-fields.js';
import { createCallbackSink } from './callback-sink.js';
import type { HubSpotClient } from './client.js';
import { createHubSpotClient } from './client.js';
import type { CommunicationIndex } from './communication-index.js';
import { openCommunicationIndex } from './communication-index.js';
import type { InstallResult } from './install-action.js';
import { actionUrlFor, installSendSmsAction, readActionManifest } from './install-action.js';
import { withBackoff } from './sink-backoff.js';
import { createTimelineSink } from './timeline-sink.js';
import { workflowRoutes } from './workflow-routes.js';
import { createHubSpotWrites } from './writes.js';

export interface ActionRoutesSettings {
  clientSecret: string | undefined;
  webhookSecret: string | undefined;
  publicUrl: string | undefined;
  defaultCountry: string;
  defaultSender: string | undefined;
  /** HUBSPOT_ACCESS_TOKEN is set, so callbacks can be completed (else "Wait for delivery" is ignored). */
  canComplete: boolean;
}

/** The workflow action endpoints, sending through the REST API's single-message path. */
export function hubspotActionRoutes(settings: ActionRoutesSettings, deps: { store: Store; campaigns: CampaignService; clock: Clock; logger: Logger }): Router {
  const keys = new KeyedMutex();
  return workflowRoutes({
    ...settings, store: deps.store, clock: deps.clock, logger: deps.logger.child({ module: 'hubspot-actions' }), templateProperties: ACTION_TEMPLATE_PROPERTIES,
    sendOnce: (key, fingerprint, message) => keys.run(key, () => sendSingleOnce(deps, key, fingerprint, message)),
  });
}

export interface WriteBack {
  /** The timeline and workflow-callback sinks, each to be given its own durable inbox. */
  sinks: EventSink[];
  close(): Promise<void>;
}

/** The HubSpot event sinks, on the shared client (its one request budget), with a durable communication index. */
export async function openHubSpotWriteBack(options: {
  dataDir: string; client: HubSpotClient; store: Store; clock: Clock; logger: Logger; consentProperty: string; index?: CommunicationIndex;
}): Promise<WriteBack> {
  const index = options.index ?? (await openCommunicationIndex(options.dataDir));
  const logger = options.logger.child({ module: 'hubspot-write-back' });
  const writes = createHubSpotWrites(options.client, (item) => logger.warn({ ...item }, 'HubSpot refused a write; it is skipped'));
  const common = { store: options.store, writes, clock: options.clock, logger };
  return {
    sinks: [
      withBackoff(createTimelineSink({ ...common, index, consentProperty: options.consentProperty }), options.clock),
      withBackoff(createCallbackSink(common), options.clock),
    ],
    close: () => index.close(),
  };
}

export interface InstallerSettings {
  developerApiKey: string | undefined;
  appId: string | undefined;
  apiBase: string;
  requestsPer10s: number;
  publicUrl: string | undefined;
}

/** `smsbridge hubspot install-action`: the developer-key client is built only when asked for. */
export function actionInstaller(settings: InstallerSettings, deps: { clock: Clock; timers: Timers }): (urlOverride?: string) => Promise<InstallResult> {
  return async (urlOverride) => {
    if (!settings.developerApiKey || !settings.appId) {
      throw new AppError('CONFIG_INVALID', `${!settings.developerApiKey ? 'HUBSPOT_DEVELOPER_API_KEY' : 'HUBSPOT_APP_ID'} is not set.`, {
        hint: 'In your HubSpot developer account: Apps > create (or open) the app; its id is HUBSPOT_APP_ID. "Get HubSpot API key" gives HUBSPOT_DEVELOPER_API_KEY.',
      });
    }
    const actionUrl = actionUrlFor(settings.publicUrl, urlOverride);
    const developer = createHubSpotClient({ developerApiKey: settings.developerApiKey, apiBase: settings.apiBase, requestsPer10s: settings.requestsPer10s }, deps);
    try {
      return await installSendSmsAction(developer, { appId: settings.appId, actionUrl, manifest: readActionManifest() });
    } catch (error) {
      const status = (error as { code?: unknown }).code;
      if (status === 401 || status === 403) throw new AppError('CONFIG_INVALID', `HubSpot refused the developer API key (${status}).`, { hint: 'Check HUBSPOT_DEVELOPER_API_KEY: it is the developer account\'s key (Apps > Get HubSpot API key), not the private app token.', cause: error });
      if (status === 404) throw new AppError('CONFIG_INVALID', `HubSpot knows no app ${settings.appId} for this developer key (404).`, { hint: 'Check HUBSPOT_APP_ID: the numeric id on the app\'s page in the developer account.', cause: error });
      if (status === 400) throw new AppError('VALIDATION_FAILED', `HubSpot refused the action definition: ${String((error as { body?: { message?: string } }).body?.message ?? 'bad request')}.`, { cause: error });
      throw error;
    }
  };
}
