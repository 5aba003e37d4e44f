import type { Router } from 'express';
import type { CampaignService } from '../../src/campaigns/campaign-service.js';
import { sendSingleOnce } from '../../src/campaigns/send-single.js';
import type { Clock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import type { EventSink } from '../../src/delivery/sinks.js';
import { KeyedMutex } from '../../src/http/api/idempotency.js';
import type { Store } from '../../src/store/port.js';
import { ACTION_TEMPLATE_PROPERTIES } from './action-fields.js';
import { createCallbackSink } from './callback-sink.js';
import type { HubSpotClient } from './client.js';
import type { CommunicationIndex } from './communication-index.js';
import { openCommunicationIndex } from './communication-index.js';
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
  const writes = createHubSpotWrites(options.client);
  const logger = options.logger.child({ module: 'hubspot-write-back' });
  const common = { store: options.store, writes, clock: options.clock, logger };
  return {
    sinks: [
      withBackoff(createTimelineSink({ ...common, index, consentProperty: options.consentProperty }), options.clock),
      withBackoff(createCallbackSink(common), options.clock),
    ],
    close: () => index.close(),
  };
}
