import type { AppContext } from './app.js';
import type { Campaign } from './campaigns/campaign.js';
import { runBirthdayAutomations } from './campaigns/birthday-run.js';
import { birthdayRunDeps } from './cli/commands/automation.js';
import { runHubSpotSync } from './cli/commands/hubspot.js';
import { missedOneOffs } from './schedule/catch-up.js';
import type { ScheduledJob, Scheduler } from './schedule/scheduler.js';
import { createNodeCronScheduler } from './schedule/scheduler.js';
import { leaderOnly } from './cluster/leader-only.js';

export interface Worker {
  stop(): Promise<void>;
}

/** A one-off missed while the service was down still fires at start within this grace. */
const GRACE_MS = 60 * 60_000;
const RESYNC_MS = 30_000;

/**
 * The background worker of `smsbridge run` (and, later, `serve`): the delivery engine, scheduled and
 * recurring campaigns (node-cron, no overlapping runs), a catch-up for one-offs missed while down, and
 * the hourly birthday greetings.
 */
export async function startWorker(app: AppContext, localScheduler: Scheduler = createNodeCronScheduler({ clock: app.clock, logger: app.logger })): Promise<Worker> {
  // Several instances on one database: each keeps the jobs, only the leader runs them on a tick.
  const cluster = app.cluster ? await app.cluster() : undefined;
  await cluster?.leader.start();
  const scheduler = cluster ? leaderOnly(localScheduler, () => cluster.leader.isLeader(), app.logger) : localScheduler;
  const engine = await app.engine();
  engine.start();
  for (const name of [app.config.SMS_GATEWAY, ...(app.config.SMS_FAILOVER_GATEWAY ? [app.config.SMS_FAILOVER_GATEWAY] : [])]) {
    try {
      await app.gateway(name).start?.();
    } catch (error) {
      app.logger.error({ gateway: name, error }, 'could not open the gateway link; sends will retry it');
    }
  }
  try {
    await app.slack?.start();
  } catch (error) {
    app.logger.error({ error }, 'could not start the Slack integration (check SLACK_BOT_TOKEN and the app-level token); Slack stays off');
  }
  const jobs = new Map<string, ScheduledJob>();

  const fire = (campaign: Campaign) => async (): Promise<void> => {
    try {
      const run = await app.campaigns.runScheduled(campaign.id);
      app.logger.info({ campaignId: campaign.id, runId: run.id }, 'scheduled campaign started');
    } catch (error) {
      app.logger.error({ campaignId: campaign.id, error }, 'scheduled campaign could not start');
    }
  };

  const sync = async (): Promise<void> => {
    const campaigns = await app.store.campaigns.list();
    const scheduled = campaigns.filter((c) => c.status === 'scheduled');
    for (const [id, job] of jobs) {
      if (!scheduled.some((c) => c.id === id)) {
        job.stop();
        jobs.delete(id);
      }
    }
    for (const campaign of scheduled) {
      if (jobs.has(campaign.id)) continue;
      if (campaign.schedule.type === 'cron') jobs.set(campaign.id, scheduler.cron(campaign.schedule.cron, campaign.schedule.timezone, campaign.id, fire(campaign)));
      else if (campaign.schedule.type === 'at') jobs.set(campaign.id, scheduler.at(new Date(campaign.schedule.at), campaign.id, fire(campaign)));
    }
  };

  const { expired } = missedOneOffs(await app.store.campaigns.list(), app.clock.now(), GRACE_MS);
  for (const campaign of expired) {
    app.logger.warn({ campaignId: campaign.id }, 'a one-off campaign was due while the service was down, past the grace period: not sent; reschedule it or send it by hand');
    await app.store.campaigns.put({ ...campaign, status: 'draft', updatedAt: app.clock.now().toISOString() });
  }
  await sync();
  // Birthday greetings: every hour on the hour; each automation picks the contacts whose local hour it is.
  const birthdays = scheduler.cron('0 * * * *', 'UTC', 'birthday-greetings', async () => {
    const outcomes = await runBirthdayAutomations(birthdayRunDeps(app));
    for (const outcome of outcomes) if (outcome.error) app.logger.error({ automationId: outcome.automationId, error: outcome.error }, 'birthday automation failed');
  });
  // HubSpot contacts and consent on HUBSPOT_SYNC_CRON (UTC), when a token is set; runs never overlap.
  const hubspotSync = app.config.HUBSPOT_ACCESS_TOKEN
    ? scheduler.cron(app.config.HUBSPOT_SYNC_CRON, 'UTC', 'hubspot-sync', async () => {
      try {
        const summary = await runHubSpotSync(app);
        app.logger.info({ fetched: summary.fetched, created: summary.created, updated: summary.updated, requests: summary.requests, rateLimited: summary.rateLimited }, 'hubspot sync finished');
      } catch (error) {
        app.logger.error({ error }, 'hubspot sync failed; the next run resumes where it stopped');
      }
    })
    : undefined;
  const resync = setInterval(() => void sync().catch((error: unknown) => app.logger.error({ error }, 'schedule sync failed')), RESYNC_MS);
  return {
    stop: async () => {
      clearInterval(resync);
      birthdays.stop();
      hubspotSync?.stop();
      scheduler.stopAll();
      await engine.stop();
    },
  };
}
