import type { CampaignService } from '../../src/campaigns/campaign-service.js';
import type { ServiceNotice } from '../../src/campaigns/notices.js';
import type { Clock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import { maskPhone } from '../../src/common/mask.js';
import type { InboundEvent } from '../../src/delivery/gateway.js';
import { classifyInbound } from '../../src/delivery/keywords.js';
import type { Store } from '../../src/store/port.js';
import type { SlackMessage } from './blocks.js';
import { escapeMrkdwn, money, mrkdwn, statusMessage } from './blocks.js';
import type { SlackSettings } from './config.js';
import type { SlackApi } from './slack-api.js';
import type { SlackState } from './state.js';

/** What the Slack outbox keeps until Slack has it. */
export type SlackJob =
  | { type: 'inbound'; event: InboundEvent }
  | { type: 'notice'; notice: ServiceNotice }
  | { type: 'thread_note'; channel: string; threadTs: string; text: string }
  | { type: 'warning'; text: string };

export interface DeliverDeps {
  api: SlackApi;
  state: SlackState;
  store: Store;
  campaigns: CampaignService;
  settings: SlackSettings;
  logger: Logger;
  clock: Clock;
  /** Replaces the message a response_url belongs to (the requester's status, once the campaign is done). */
  replaceResponse(url: string, message: SlackMessage): Promise<void>;
}

/** Slack accepts a response_url for 30 minutes. */
const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;

/** Posts one job to Slack; throws what the Web API threw (the outbox decides whether to retry). */
export async function deliverJob(job: SlackJob, deps: DeliverDeps): Promise<void> {
  switch (job.type) {
    case 'inbound':
      return postInbound(job.event, deps);
    case 'notice':
      return postNotice(job.notice, deps);
    case 'thread_note':
      await deps.api.postMessage({ channel: job.channel, threadTs: job.threadTs, ...mrkdwn(job.text) });
      return;
    case 'warning':
      if (deps.settings.notifyChannel) await deps.api.postMessage({ channel: deps.settings.notifyChannel, ...mrkdwn(job.text) });
  }
}

/** Each contact's messages go into one thread: the first opens it, with who it is and what they answer. */
async function postInbound(event: InboundEvent, deps: DeliverDeps): Promise<void> {
  const channel = deps.settings.repliesChannel;
  if (!channel) return;
  const contact = (await deps.store.contacts.getByPhones([event.from])).get(event.from);
  const key = contact?.id ?? `phone:${event.from}`;
  let thread = await deps.state.threadOf(key);
  if (!thread) {
    const last = await deps.store.outbox.lastToPhone(event.from);
    const campaign = last ? await deps.store.campaigns.get(last.campaignId) : undefined;
    const name = [contact?.firstName, contact?.lastName].filter(Boolean).join(' ') || 'Unknown contact';
    const about = campaign ? ` · campaign \`${campaign.id}\` ${escapeMrkdwn(campaign.name)}` : '';
    const posted = await deps.api.postMessage({ channel, ...mrkdwn(`:speech_balloon: *${escapeMrkdwn(name)}* (${maskPhone(event.from)})${about}\nReply in this thread to answer by SMS.`) });
    thread = { channel: posted.channel, ts: posted.ts, phone: event.from, ...(contact ? { contactId: contact.id } : {}) };
    await deps.state.saveThread(key, thread);
  }
  const intent = classifyInbound(event.text);
  const quoted = `>${escapeMrkdwn(event.text).replace(/\n/g, '\n>')}`;
  const text =
    intent === 'stop' ? `${quoted}\n:no_entry: *Opted out* (${escapeMrkdwn(event.text.trim())}): no more SMS will be sent to this contact, replies from this thread included.`
      : intent === 'start' ? `${quoted}\n:white_check_mark: *Opted back in*.`
        : intent === 'help' ? `${quoted}\n:information_source: Asked for help; the help text was sent.`
          : quoted;
  await deps.api.postMessage({ channel: thread.channel, threadTs: thread.ts, ...mrkdwn(text) });
}

async function postNotice(notice: ServiceNotice, deps: DeliverDeps): Promise<void> {
  const channel = deps.settings.notifyChannel;
  if (!channel) return;
  switch (notice.type) {
    case 'campaign_started': {
      const by = await deps.state.startedBy(notice.campaignId);
      const text = `:rocket: Campaign \`${notice.campaignId}\` ${escapeMrkdwn(notice.name)} started${by ? ` by <@${by.user}>` : ''}: ${notice.recipients} recipients (${notice.excluded} excluded), ${notice.kind}, cost ${money(notice.cost, notice.currency)}.`;
      const posted = await deps.api.postMessage({ channel, ...mrkdwn(text) });
      await deps.state.saveStartedMessage(notice.campaignId, posted);
      return;
    }
    case 'campaign_finished': {
      const report = await deps.campaigns.report(notice.campaignId);
      const summary = `${report.delivered} delivered of ${report.submitted} submitted, ${report.failed} failed, ${report.unknown} unknown, ${report.replies} replies, ${report.optOuts} opt-outs; cost ${money(report.cost, report.currency ?? '')}`;
      const text = `${notice.status === 'completed' ? ':white_check_mark:' : ':octagonal_sign:'} Campaign \`${notice.campaignId}\` ${escapeMrkdwn(notice.name)} ${notice.status === 'completed' ? 'finished' : 'was canceled'}: ${summary}.`;
      const started = await deps.state.startedMessage(notice.campaignId);
      if (started) await deps.api.update({ channel: started.channel, ts: started.ts, ...mrkdwn(`${text}\n(See /sms report ${notice.campaignId} for the whole report.)`) });
      await deps.api.postMessage({ channel, ...(started ? { threadTs: started.ts } : {}), ...mrkdwn(text) });
      // The requester's status message, while Slack still takes its response_url; a miss is not worth a retry.
      const by = await deps.state.startedBy(notice.campaignId);
      if (by && deps.clock.now().getTime() - Date.parse(by.at) < RESPONSE_URL_LIFETIME_MS) {
        await deps.replaceResponse(by.responseUrl, statusMessage(report)).catch((error: unknown) => deps.logger.debug({ error }, 'could not update the requester\'s status message'));
      }
      return;
    }
    case 'circuit_open':
      await deps.api.postMessage({ channel, ...mrkdwn(`:warning: Gateway *${notice.gateway}* keeps failing: messages go through *${notice.failover}* until ${notice.until}.`) });
  }
}
