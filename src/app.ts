import { randomUUID } from 'node:crypto';
import { timeOrderedId } from './common/ids.js';
import path from 'node:path';
import type { Clock } from './common/clock.js';
import { systemClock } from './common/clock.js';
import { AppError } from './common/errors.js';
import type { Logger } from './common/logger.js';
import type { Config } from './config.js';
import type { CompliancePolicy } from './messages/compliance/index.js';
import { compliancePolicySchema } from './messages/compliance/index.js';
import { GATEWAYS } from '../integrations/gateways/registry.js';
import type { GatewaySettings } from '../integrations/gateways/registry.js';
import { connectHubSpot, hubspotSettings } from '../integrations/hubspot/index.js';
import type { HubSpotConnection } from '../integrations/hubspot/index.js';
import { actionInstaller, hubspotActionRoutes, openHubSpotWriteBack } from '../integrations/hubspot/actions.js';
import type { WriteBack } from '../integrations/hubspot/actions.js';
import type { InstallResult } from '../integrations/hubspot/install-action.js';
import type { RequestHandler } from 'express';
import type { EventSink } from './delivery/sinks.js';
import { describeListAudience, listIdOf, resolveCrmList } from './crm/list-segment.js';
import { syncedProperties } from './crm/map-contact.js';
import { CampaignService } from './campaigns/campaign-service.js';
import type { GatewayEvent, SmsGateway } from './delivery/gateway.js';
import type { Timers } from './delivery/timers.js';
import { realTimers } from './delivery/timers.js';
import { DeliveryEngine } from './engine.js';
import { openCluster } from './cluster/index.js';
import type { Cluster } from './cluster/index.js';
import { gatedGateway } from './cluster/gated-gateway.js';
import type { RateGate, RateGateStats } from './cluster/rate-gate.js';
import { createLogger } from './log.js';
import { EventInbox, inboxPath } from './store/lowdb/event-inbox.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/port.js';
import type { NoticeListener } from './campaigns/notices.js';
import { checkRoute } from './http/api/campaigns.js';
import { fingerprint } from './http/api/idempotency.js';
import { sendOnce } from './http/api/messages.js';
import { loadSegment } from './http/api/segments.js';
import { slackSettings } from '../integrations/slack/config.js';
import type { SlackIntegration, SlackIntegrationDeps } from '../integrations/slack/index.js';
import { createCodeGenerator, shortLinkPrefix } from './clicks/short-links.js';

/** Everything a command or the service needs, wired once. */
export interface AppContext {
  config: Config;
  policy: CompliancePolicy;
  campaigns: CampaignService;
  gateway(name: string): SmsGateway;
  /** The gateway for a recipient's country: the requested one, else SMS_ROUTES, else SMS_GATEWAY. */
  routeGateway(country: string | undefined, requested: string | undefined): string;
  /** The sending engine (dispatcher, durable inbox, receipts); opened on first use. */
  engine(): Promise<DeliveryEngine>;
  /** The HubSpot account (client, request budget, CRM port), built on first use; throws when HUBSPOT_ACCESS_TOKEN is unset. */
  hubspot(): HubSpotConnection;
  /** The HubSpot "Send SMS" workflow action: its endpoints (when HUBSPOT_CLIENT_SECRET or HUBSPOT_WEBHOOK_SECRET is set) and its installer. */
  hubspotActions: { routes?: RequestHandler; install(actionUrl?: string): Promise<InstallResult> };
  store: Store;
  logger: Logger;
  clock: Clock;
  newId: () => string;
  /** The Slack integration, when SLACK_BOT_TOKEN is set (and the store is writable). */
  slack?: SlackIntegration;
  /** Tracked links: the short link prefix (SHORT_LINK_BASE, else PUBLIC_URL) and the code generator; absent with neither set. */
  shortLinks?: { prefix: string; newCode(): string };
  /**
   * With the PostgreSQL store (and a writable one): this process as one of several instances on the
   * database (heartbeat, rate share and cap, leader); joined on first use, by the first send at the latest.
   */
  cluster?: () => Promise<Cluster>;
  /** Once this process has joined the cluster: what became of the send slots it took (for /metrics); never joins. */
  clusterSlots?: () => RateGateStats | undefined;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Open the store without its lock, refusing changes: for commands that only read. */
  readOnly?: boolean;
  logger?: Logger;
  clock?: Clock;
  timers?: Timers;
  /** Overrides for gateway settings (the demo shortens the simulator's receipt delays). */
  gatewaySettings?: Partial<GatewaySettings>;
  /** Tuning of the Slack integration (tests shorten the Web API client's retries and the loops). */
  slack?: Pick<SlackIntegrationDeps, 'retryConfig' | 'watchEveryMs' | 'outboxPollMs'>;
  /** The long-running service (serve, run): with LOG_FORMAT=auto it logs JSON lines, a command plain sentences. */
  service?: boolean;
}

/**
 * The composition root: reads the validated config and picks the adapters. The only module that
 * knows which store (and, later, which gateways and CRM) is in use.
 */
export async function openApp(config: Config, options: OpenOptions = {}): Promise<AppContext> {
  const logFormat = config.LOG_FORMAT === 'auto' ? (options.service ? 'json' : 'text') : config.LOG_FORMAT;
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, format: logFormat });
  const store = await openStore(config, Boolean(options.readOnly));
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? realTimers;
  const policy = policyFromConfig(config);
  let engine: DeliveryEngine | undefined;
  let inbox: EventInbox<GatewayEvent> | undefined;
  const gateways = new Map<string, SmsGateway>();
  // Several instances on one database: joined when this process first sends (or starts the worker).
  let cluster: Promise<Cluster> | undefined;
  const getCluster = config.DATABASE_URL && !options.readOnly
    ? (): Promise<Cluster> => (cluster ??= openCluster({ connectionString: config.DATABASE_URL as string, schema: config.DATABASE_SCHEMA, logger, rateWindowMs: config.CLUSTER_RATE_WINDOW_MS }).catch((error: unknown) => {
      cluster = undefined; // the next send or start tries again
      throw error;
    }))
    : undefined;
  // The cluster's membership as the dispatcher reads it: synchronous, so the last view once joined.
  let joined: Cluster | undefined;
  const gate: RateGate = {
    take: async (name, limit, segments, takeOptions) => (joined ??= await (getCluster as () => Promise<Cluster>)()).gate.take(name, limit, segments, takeOptions),
    close: () => undefined,
  };
  const gateway = (name: string): SmsGateway => {
    const id = name === 'default' ? config.SMS_GATEWAY : name;
    let found = gateways.get(id);
    if (!found) {
      const factory = GATEWAYS[id];
      if (!factory) {
        throw new AppError('CONFIG_INVALID', `Unknown gateway "${id}".`, { hint: `Known gateways: ${Object.keys(GATEWAYS).join(', ')}. Set SMS_GATEWAY or --gateway.` });
      }
      found = factory(gatewaySettings(config, options), { clock, timers, onEvents: async (events) => (await getEngine()).accept(events) });
      // Every send takes its slots from the rate cap the instances share.
      if (getCluster) found = gatedGateway(found, gate);
      gateways.set(id, found);
    }
    return found;
  };
  const routeGateway = (country: string | undefined, requested: string | undefined): string =>
    requested && requested !== 'default' ? requested : (country && config.SMS_ROUTES[country]) || config.SMS_GATEWAY;
  let hubspot: HubSpotConnection | undefined;
  const getHubSpot = (): HubSpotConnection => (hubspot ??= connectHubSpot(hubspotSettings(config), { clock, timers }));
  const listDeps = () => ({ crm: getHubSpot().crm, store, clock, syncedProperties: syncedProperties(getHubSpot().settings.properties) });
  const noticeListeners: NoticeListener[] = [];
  const notify: NoticeListener = async (notice) => {
    for (const listener of noticeListeners) await listener(notice);
  };
  const linkBase = config.SHORT_LINK_BASE ?? config.PUBLIC_URL;
  const shortLinks = linkBase ? { prefix: shortLinkPrefix(linkBase), newCode: createCodeGenerator() } : undefined;
  const campaigns = new CampaignService({
    routeGateway, notify, ...(shortLinks ? { shortLinks } : {}),
    store, clock, newId: randomUUID, policy, defaultZone: config.DEFAULT_TIMEZONE, defaultCountry: config.DEFAULT_COUNTRY,
    prices: config.SMS_PRICES, currency: config.SMS_CURRENCY, gateway, testSendRequiredAbove: config.TEST_SEND_REQUIRED_ABOVE,
    crmList: async (listId) => {
      const audience = await resolveCrmList(listId, listDeps());
      return { filter: audience.filter, note: describeListAudience(audience) };
    },
  });
  // HubSpot write-back (timeline, consent, workflow callbacks): event sinks, each with its own durable
  // inbox, only when HubSpot is configured.
  let writeBack: WriteBack | undefined;
  const sinkInboxes: Array<EventInbox<GatewayEvent>> = [];
  const openSinks = async (): Promise<Array<{ sink: EventSink; inbox: EventInbox<GatewayEvent> }>> => {
    if (!config.HUBSPOT_ACCESS_TOKEN || options.readOnly) return [];
    const dataDir = path.resolve(config.DATA_DIR);
    writeBack = await openHubSpotWriteBack({ dataDir, client: getHubSpot().client, store, clock, logger, consentProperty: config.HUBSPOT_CONSENT_PROPERTY });
    const sinks = [];
    for (const sink of writeBack.sinks) {
      const sinkInbox = await EventInbox.open<GatewayEvent>(path.join(path.dirname(inboxPath(dataDir)), `${sink.name}.jsonl`));
      sinkInboxes.push(sinkInbox);
      sinks.push({ sink, inbox: sinkInbox });
    }
    return sinks;
  };
  const getEngine = async (): Promise<DeliveryEngine> => {
    inbox ??= await EventInbox.open<GatewayEvent>(inboxPath(path.resolve(config.DATA_DIR)));
    if (!engine) {
      if (getCluster) joined ??= await getCluster();
      const sinks = [...(await openSinks()), ...(context.slack ? [{ sink: context.slack.sink, inbox: context.slack.sinkInbox }] : [])];
      engine ??= new DeliveryEngine({
        store, clock, timers, logger, newId: randomUUID, random: Math.random, gateway, campaigns, inbox,
        ...(sinks.length > 0 ? { sinks } : {}),
        ...(config.SMS_FAILOVER_GATEWAY ? { failoverGateway: config.SMS_FAILOVER_GATEWAY } : {}),
        consentRequests: { yesKeywords: config.CONSENT_YES_KEYWORDS, windowHours: config.CONSENT_REQUEST_WINDOW_HOURS },
        onCircuitOpen: (name, failover, until) => void notify({ type: 'circuit_open', gateway: name, failover, until: until.toISOString() }),
        leaseMs: config.DELIVERY_LEASE_SECONDS * 1000,
        ...(getCluster ? { rateShare: (name: string, configured: number) => joined?.rateShare(name, configured) ?? configured, mayReconcile: () => joined?.leader.isLeader() ?? false } : {}),
      });
    }
    return engine;
  };
  const actionRoutes = config.HUBSPOT_CLIENT_SECRET || config.HUBSPOT_WEBHOOK_SECRET
    ? hubspotActionRoutes({
      clientSecret: config.HUBSPOT_CLIENT_SECRET, webhookSecret: config.HUBSPOT_WEBHOOK_SECRET, publicUrl: config.PUBLIC_URL,
      defaultCountry: config.DEFAULT_COUNTRY, defaultSender: config.SMS_SENDER, canComplete: Boolean(config.HUBSPOT_ACCESS_TOKEN),
    }, { store, campaigns, clock, logger })
    : undefined;
  const hubspotActions = {
    ...(actionRoutes ? { routes: actionRoutes } : {}),
    install: actionInstaller({
      developerApiKey: config.HUBSPOT_DEVELOPER_API_KEY, appId: config.HUBSPOT_APP_ID, apiBase: config.HUBSPOT_API_BASE, requestsPer10s: config.HUBSPOT_REQUESTS_PER_10S, publicUrl: config.PUBLIC_URL,
    }, { clock, timers }),
  };
  const context: AppContext = {
    config,
    policy,
    campaigns,
    hubspot: getHubSpot,
    hubspotActions,
    gateway,
    routeGateway,
    engine: getEngine,
    store,
    logger,
    clock,
    newId: () => timeOrderedId(clock.now().getTime()),
    ...(shortLinks ? { shortLinks } : {}),
    ...(getCluster ? { cluster: getCluster, clusterSlots: () => joined?.gate.stats?.() } : {}),
    close: async () => {
      await engine?.stop();
      await context.slack?.stop();
      for (const opened of gateways.values()) await opened.close?.();
      await inbox?.close();
      for (const sinkInbox of sinkInboxes) await sinkInbox.close();
      await writeBack?.close();
      if (cluster) await (await cluster.catch(() => undefined))?.close();
      await store.close();
    },
  };
  const slack = options.readOnly ? undefined : slackSettings(config);
  if (slack) {
    // Loaded only when configured: commands without Slack do not pay for bolt.
    const { createSlackIntegration } = await import('../integrations/slack/index.js');
    context.slack = await createSlackIntegration({
      settings: slack, store, campaigns, clock, logger, newId: randomUUID, dir: path.join(path.resolve(config.DATA_DIR), 'slack'), ...options.slack,
      route: () => checkRoute(context, undefined, 'default'),
      // `list:<id>` is a HubSpot list, resolved where every other entry point resolves it.
      resolveSegment: async (reference) => {
        if (listIdOf(reference) === undefined) return loadSegment(context, reference);
        const list = await campaigns.resolveSegment(reference);
        return { name: list.segment, filter: list.filter };
      },
      // HubSpot is connected when its access token is set (the developer API key alone is not a connection).
      hubspotConfigured: Boolean(config.HUBSPOT_ACCESS_TOKEN),
      // An answer goes from the sender the contact last heard from, so it lands in the same conversation.
      sendMessage: async ({ to, text, key }) => {
        const route = checkRoute(context, (await store.outbox.lastToPhone(to))?.sender, 'default');
        return sendOnce(context, key, fingerprint({ to, text }), { to, text, variables: {}, ...route });
      },
    });
    noticeListeners.push(context.slack.notify);
  }
  return context;
}

function gatewaySettings(config: Config, options: OpenOptions): GatewaySettings {
  return {
    env: config.gatewayEnv,
    maxSegmentsPerSecond: config.SIMULATOR_MPS,
    maxRetryAfterMs: config.SIMULATOR_MAX_RETRY_AFTER_S * 1000,
    ...(config.SIMULATOR_SEED ? { seed: config.SIMULATOR_SEED } : {}),
    ...(config.SIMULATOR_ACCEPT_RATE !== undefined ? { acceptRate: config.SIMULATOR_ACCEPT_RATE } : {}),
    ...options.gatewaySettings,
  };
}

/** The compliance policy from the environment; every rule has a variable, none is silently off. */
export function policyFromConfig(config: Config): CompliancePolicy {
  const [start, end] = config.QUIET_HOURS.split('-') as [string, string];
  return compliancePolicySchema.parse({
    quietHours: { start, end },
    quietHoursApplyTo: config.QUIET_HOURS_APPLY_TO === 'all' ? ['marketing', 'transactional'] : ['marketing'],
    frequencyCap: { max: config.FREQUENCY_CAP_MAX, days: config.FREQUENCY_CAP_DAYS },
    minorsAge: config.MINORS_AGE,
    blockUnknownAge: config.BLOCK_UNKNOWN_AGE,
    adLabel: { ru: config.AD_LABEL_RU, en: config.AD_LABEL_EN },
    optOutText: { ru: config.OPT_OUT_TEXT_RU, en: config.OPT_OUT_TEXT_EN },
  });
}
