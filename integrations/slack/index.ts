import path from 'node:path';
import type { Express } from 'express';
import { ExpressReceiver } from '@slack/bolt';
import type { CampaignService } from '../../src/campaigns/campaign-service.js';
import type { NoticeListener } from '../../src/campaigns/notices.js';
import type { Clock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import type { GatewayEvent } from '../../src/delivery/gateway.js';
import type { EventSink } from '../../src/delivery/sinks.js';
import { EventInbox } from '../../src/store/lowdb/event-inbox.js';
import type { Store } from '../../src/store/port.js';
import type { FilterNode } from '../../src/segments/filter.js';
import { Blasts } from './blasts.js';
import type { SlackSettings } from './config.js';
import type { SlackJob } from './deliver-job.js';
import { deliverJob } from './deliver-job.js';
import { FailureWatch } from './failure-spike.js';
import { slackRequestGuard } from './request-guard.js';
import type { SlackApi } from './slack-api.js';
import { boltSlackApi } from './slack-api.js';
import type { SlackAppDeps } from './slack-app.js';
import { createSlackApp, postToResponseUrl } from './slack-app.js';
import { SlackOutbox } from './slack-outbox.js';
import { SlackState } from './state.js';

export { slackConfigSchema, slackSettings } from './config.js';
export type { SlackSettings } from './config.js';

export interface SlackIntegrationDeps {
  settings: SlackSettings;
  store: Store;
  campaigns: CampaignService;
  clock: Clock;
  logger: Logger;
  newId(): string;
  /** Where the integration keeps its durable queues (DATA_DIR/slack). */
  dir: string;
  route(): { sender: string; gateway: string };
  resolveSegment(reference: string): Promise<{ name: string; filter: FilterNode }>;
  hubspotConfigured: boolean;
  sendMessage(input: { to: string; text: string; key: string }): Promise<{ status: number; body: unknown }>;
  retryConfig?: SlackAppDeps['retryConfig'];
  /** How often sending campaigns are checked for failure spikes. */
  watchEveryMs?: number;
  outboxPollMs?: number;
}

export interface SlackIntegration {
  /** HTTP mode: mounts POST /slack/events (signature guard, then bolt's receiver) on the service's app. */
  mount(server: Express): void;
  /** Fed receipts and replies by the engine (its own durable inbox): replies become thread posts. */
  sink: EventSink;
  /** The engine's sink inbox for `sink`. */
  sinkInbox: EventInbox<GatewayEvent>;
  /** Campaign and gateway notices, queued durably for the notify channel. */
  notify: NoticeListener;
  outbox: SlackOutbox;
  state: SlackState;
  api: SlackApi;
  /** Readies bolt (auth.test once unless the bot ids are configured); requests need it. */
  init(): Promise<void>;
  /** init(), then starts posting, watching for failure spikes, and (Socket Mode) connects. */
  start(): Promise<void>;
  /** Looks at sending campaigns once for failure spikes (the started integration does it on a timer). */
  watchFailures(): Promise<void>;
  stop(): Promise<void>;
}

/** The Slack integration, wired from the service's parts. */
export async function createSlackIntegration(deps: SlackIntegrationDeps): Promise<SlackIntegration> {
  const { settings, store, campaigns, clock, logger } = deps;
  const state = new SlackState(store, clock);
  const outboxInbox = await EventInbox.open<SlackJob>(path.join(deps.dir, 'outbox.jsonl'));
  const sinkInbox = await EventInbox.open<GatewayEvent>(path.join(deps.dir, 'events.jsonl'));
  // The Web API port needs bolt's client, which exists once the app (and its listeners) are built.
  const late: { client?: SlackApi } = {};
  const viaClient = (): SlackApi => late.client as SlackApi;
  const api: SlackApi = {
    postMessage: (input) => viaClient().postMessage(input),
    update: (input) => viaClient().update(input),
    userPhone: (user) => viaClient().userPhone(user),
  };
  const outbox = new SlackOutbox({
    inbox: outboxInbox, logger, ...(deps.outboxPollMs ? { pollMs: deps.outboxPollMs } : {}),
    deliver: (job) => deliverJob(job, {
      api, state, store, campaigns, settings, logger, clock,
      replaceResponse: (url, message) => postToResponseUrl(url, { replace_original: true, ...message }),
    }),
  });
  const blasts = new Blasts({ settings, campaigns, state, clock, newId: deps.newId, logger, api, route: deps.route, resolveSegment: deps.resolveSegment, hubspotConfigured: deps.hubspotConfigured });
  const { app, receiver } = createSlackApp({
    settings, logger, blasts, manage: { settings, campaigns, store },
    threads: { settings, state, sendMessage: deps.sendMessage, enqueue: (jobs) => outbox.enqueue(jobs), logger },
    ...(deps.retryConfig ? { retryConfig: deps.retryConfig } : {}),
  });
  late.client = boltSlackApi(app.client);

  const watch = new FailureWatch();
  const watchFailures = async (): Promise<void> => {
    for (const id of await campaigns.activeIds()) {
      const spike = watch.observe(id, await store.outbox.countByStatus(id), clock.now().getTime());
      if (spike) {
        const campaign = await store.campaigns.get(id);
        await outbox.enqueue([{ type: 'warning', text: `:warning: Failures are spiking in campaign \`${id}\` ${campaign?.name ?? ''}: ${spike.failed} of the last ${spike.of} messages failed. Check \`/sms report ${id}\`, or \`/sms pause ${id}\`.` }]);
      }
    }
  };
  let watchTimer: NodeJS.Timeout | undefined;
  let ready: Promise<void> | undefined;
  let initialized = false;
  const init = (): Promise<void> => (ready ??= app.init().then(() => {
    initialized = true;
  }));
  return {
    mount: (server) => {
      if (!(receiver instanceof ExpressReceiver) || settings.mode.type !== 'http') return;
      server.post('/slack/events', slackRequestGuard({ signingSecret: settings.mode.signingSecret, clock, logger, isReady: () => initialized }));
      server.use(receiver.router);
    },
    sink: {
      name: 'slack',
      wants: (event) => event.type === 'inbound',
      handle: async (events) => {
        const replies = events.filter((e) => e.type === 'inbound');
        await outbox.enqueue(replies.map((event) => ({ type: 'inbound', event })));
      },
    },
    sinkInbox,
    notify: async (notice) => {
      // One transactional SMS (the REST API's /messages, a thread reply) is not worth announcing.
      if (notice.type === 'campaign_started' && notice.kind === 'transactional' && notice.recipients <= 1) return;
      if (notice.type === 'campaign_finished') {
        const campaign = await store.campaigns.get(notice.campaignId);
        if (campaign && campaign.kind === 'transactional' && (campaign.planned?.recipients ?? 0) <= 1) return;
      }
      try {
        await outbox.enqueue([{ type: 'notice', notice }]);
      } catch (error) {
        logger.error({ error, notice: notice.type }, 'could not queue a Slack notification');
      }
    },
    outbox, state, api, init,
    start: async () => {
      await init();
      outbox.start();
      watchTimer = setInterval(() => {
        watchFailures().then(() => sinkInbox.compact()).catch((error: unknown) => logger.warn({ error }, 'Slack failure watch failed'));
      }, deps.watchEveryMs ?? 60_000);
      watchTimer.unref();
      if (settings.mode.type === 'socket') await app.start();
    },
    watchFailures,
    stop: async () => {
      clearInterval(watchTimer);
      if (settings.mode.type === 'socket') await app.stop().catch(() => undefined);
      await outbox.stop();
      await outboxInbox.close();
      await sinkInbox.close();
    },
  };
}
