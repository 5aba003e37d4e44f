import type { CampaignService } from '../../src/campaigns/campaign-service.js';
import type { Clock } from '../../src/common/clock.js';
import { isAppError } from '../../src/common/errors.js';
import type { Logger } from '../../src/common/logger.js';
import { maskPhone } from '../../src/common/mask.js';
import type { FilterNode } from '../../src/segments/filter.js';
import { approvalProblem, maySend, refusal } from './access.js';
import type { SlackMessage } from './blocks.js';
import { approvalRequestMessage, escapeMrkdwn, money, mrkdwn, plain, previewMessage, statusMessage } from './blocks.js';
import type { SendTarget, SmsCommand } from './command-text.js';
import type { SlackSettings } from './config.js';
import type { SlackApi } from './slack-api.js';
import type { PendingBlast, SlackState } from './state.js';

export interface BlastDeps {
  settings: SlackSettings;
  campaigns: CampaignService;
  state: SlackState;
  clock: Clock;
  newId(): string;
  logger: Logger;
  api: SlackApi;
  /** The sender id and gateway new campaigns use (SMS_SENDER, SMS_GATEWAY), checked; throws with what to set. */
  route(): { sender: string; gateway: string };
  /** A saved segment, or `list:<id>` when HubSpot is configured; throws NOT_FOUND with the known names. */
  resolveSegment(reference: string): Promise<{ name: string; filter: FilterNode }>;
  hubspotConfigured: boolean;
}

/** What an action answers: a message replacing the one clicked, and/or an ephemeral note to the clicker. */
export interface ActionAnswer {
  replace?: SlackMessage;
  ephemeral?: SlackMessage;
}

export interface Requester {
  user: string;
  userName: string;
  channel: string;
  responseUrl: string;
}

const describeTarget = (target: SendTarget): string =>
  target.type === 'segment' ? `segment "${target.name}"` : target.type === 'list' ? `HubSpot list ${target.listId}` : `${target.phones.length} number${target.phones.length === 1 ? '' : 's'}`;

export function errorText(error: unknown): string {
  if (isAppError(error)) return `${error.message}${error.hint ? ` ${error.hint}` : ''}`;
  return 'Something went wrong on our side; nothing was sent. The service log has the details.';
}

/**
 * `/sms send` from preview to start: a draft campaign per request (so the preview, the test send and
 * the start are the campaign service's own), and a durable pending record that buttons refer to.
 */
export class Blasts {
  constructor(private readonly deps: BlastDeps) {}

  /** The quick part, before the ack: permission, target, a draft campaign. */
  async begin(command: Extract<SmsCommand, { type: 'send' }>, who: Requester): Promise<{ pending: PendingBlast } | { message: SlackMessage }> {
    const { settings, campaigns, state } = this.deps;
    if (!maySend(settings, who.user, who.channel)) return { message: plain(refusal(settings)) };
    try {
      const audience = await this.audienceOf(command.target);
      if ('problem' in audience) return { message: plain(audience.problem) };
      const route = this.deps.route();
      const campaign = await campaigns.create({
        name: `Slack ${describeTarget(command.target)} by ${who.userName}`.slice(0, 100), kind: command.kind, audience: audience.audience,
        variants: [{ name: 'A', text: command.text, weight: 1 }], campaignVariables: {}, sender: route.sender, gateway: route.gateway, schedule: { type: 'now' },
      });
      const pending: PendingBlast = {
        id: this.deps.newId().replace(/-/g, '').slice(0, 12), campaignId: campaign.id, requester: who.user, channel: who.channel, responseUrl: who.responseUrl,
        target: describeTarget(command.target), kind: command.kind, recipients: 0, needsApproval: false, status: 'previewing', createdAt: this.deps.clock.now().toISOString(),
      };
      await state.savePending(pending);
      return { pending };
    } catch (error) {
      return { message: plain(errorText(error)) };
    }
  }

  private async audienceOf(target: SendTarget): Promise<{ audience: { segment: string; filter: FilterNode } | { phones: string[] } } | { problem: string }> {
    if (target.type === 'phones') return { audience: { phones: target.phones } };
    if (target.type === 'list' && !this.deps.hubspotConfigured) {
      return { problem: '`list:` targets are HubSpot lists, and HubSpot is not configured on this service. Use a saved segment name or numbers, or ask an administrator to connect HubSpot.' };
    }
    const segment = await this.deps.resolveSegment(target.type === 'list' ? `list:${target.listId}` : target.name);
    return { audience: { segment: segment.name, filter: segment.filter } };
  }

  /** The slow part, after the ack: the campaign service's own preview of the draft. */
  async preview(pending: PendingBlast): Promise<SlackMessage> {
    try {
      const summary = await this.deps.campaigns.preview(pending.campaignId);
      const needsApproval = summary.toSend > this.deps.settings.maxAudience;
      await this.deps.state.savePending({ ...pending, recipients: summary.toSend, needsApproval, status: 'ready' });
      return previewMessage({ pendingId: pending.id, target: pending.target, kind: pending.kind, summary, needsApproval, maxAudience: this.deps.settings.maxAudience });
    } catch (error) {
      this.deps.logger.warn({ error, campaignId: pending.campaignId }, 'Slack preview failed');
      return plain(errorText(error));
    }
  }

  /** Loads a pending blast for a button the requester clicked; an answer when it cannot go on. */
  private async own(id: string, user: string, allowed: ReadonlyArray<PendingBlast['status']>): Promise<PendingBlast | ActionAnswer> {
    const pending = await this.deps.state.pending(id);
    if (!pending) return { ephemeral: plain('This preview is no longer known. Run /sms send again.') };
    if (pending.requester !== user) return { ephemeral: plain('Only the person who asked for this preview can use its buttons.') };
    if (!allowed.includes(pending.status)) return { ephemeral: plain(`This blast is already ${pending.status.replace('_', ' ')}.`) };
    return pending;
  }

  async confirm(id: string, user: string, channel: string, responseUrl: string): Promise<ActionAnswer> {
    const pending = await this.own(id, user, ['ready']);
    if (!('id' in pending)) return pending;
    if (!maySend(this.deps.settings, user, pending.channel) && !maySend(this.deps.settings, user, channel)) return { ephemeral: plain(refusal(this.deps.settings)) };
    if (pending.needsApproval) return this.requestApproval({ ...pending, responseUrl });
    return this.start(pending, { ...pending, responseUrl });
  }

  private async start(pending: PendingBlast, next: PendingBlast, approver?: string): Promise<ActionAnswer> {
    try {
      await this.deps.state.saveStartedBy(pending.campaignId, { user: pending.requester, responseUrl: next.responseUrl, at: this.deps.clock.now().toISOString() });
      await this.deps.campaigns.start(pending.campaignId);
    } catch (error) {
      const campaign = await this.deps.campaigns.get(pending.campaignId).catch(() => undefined);
      const hint = campaign && !campaign.testSentAt && isAppError(error) && error.code === 'CONFLICT' ? ' Click *Test to me* first, check the message on your phone, then confirm again.' : '';
      return { ephemeral: mrkdwn(`Not started: ${escapeMrkdwn(isAppError(error) ? error.message : errorText(error))}${hint}`) };
    }
    await this.deps.state.savePending({ ...next, status: 'started', ...(approver && next.approval ? { approval: { ...next.approval, decidedBy: approver } } : {}) });
    const report = await this.deps.campaigns.report(pending.campaignId);
    return { replace: statusMessage(report, { refreshId: pending.id }) };
  }

  private async requestApproval(pending: PendingBlast): Promise<ActionAnswer> {
    const { settings, campaigns, clock, api } = this.deps;
    if (settings.approvers.length === 0) {
      return { ephemeral: plain(`This blast reaches ${pending.recipients} recipients, more than ${settings.maxAudience}, and needs an approver, but SLACK_APPROVERS is empty. Ask an administrator to set it.`) };
    }
    const summary = await campaigns.preview(pending.campaignId);
    // The text as typed, not a rendering with one customer's data, goes to the channel.
    const typed = (await campaigns.get(pending.campaignId)).variants[0]?.text ?? '';
    const expiresAt = new Date(clock.now().getTime() + settings.approvalTtlMs).toISOString();
    const channel = settings.notifyChannel ?? pending.channel;
    const posted = await api.postMessage({
      channel,
      ...approvalRequestMessage({ pendingId: pending.id, requester: pending.requester, target: pending.target, recipients: summary.toSend, cost: money(summary.cost, summary.currency), sample: typed, expiresAt }),
    });
    await this.deps.state.savePending({ ...pending, recipients: summary.toSend, status: 'awaiting_approval', approval: { channel: posted.channel, ts: posted.ts, expiresAt } });
    return { replace: mrkdwn(`Approval requested in <#${posted.channel}> from ${settings.approvers.map((a) => `<@${a}>`).join(', ')} for ${summary.toSend} recipients; it expires at ${expiresAt}. Use *Test to me* from a new preview if you have not tested yet.`) };
  }

  async testToMe(id: string, user: string): Promise<ActionAnswer> {
    const pending = await this.own(id, user, ['ready', 'awaiting_approval']);
    if (!('id' in pending)) return pending;
    let phone = this.deps.settings.userPhones[user];
    if (!phone) {
      try {
        phone = await this.deps.api.userPhone(user);
      } catch (error) {
        this.deps.logger.warn({ error }, 'could not read a Slack profile');
      }
    }
    if (!phone) return { ephemeral: plain('Your Slack profile has no phone number. Add one to your profile, or ask an administrator to map you in SLACK_USER_PHONES.') };
    try {
      const [result] = await this.deps.campaigns.testSend(pending.campaignId, [phone]);
      if (!result?.ok) return { ephemeral: plain(`The test message to ${maskPhone(phone)} failed: ${result?.detail ?? 'no result'}.`) };
      return { ephemeral: plain(`Test message sent to ${maskPhone(phone)}. Check it on your phone, then Confirm.`) };
    } catch (error) {
      return { ephemeral: plain(errorText(error)) };
    }
  }

  async cancel(id: string, user: string): Promise<ActionAnswer> {
    const pending = await this.own(id, user, ['previewing', 'ready', 'awaiting_approval']);
    if (!('id' in pending)) return pending;
    await this.deps.campaigns.cancel(pending.campaignId).catch(() => undefined);
    await this.deps.state.savePending({ ...pending, status: 'canceled' });
    return { replace: plain('Canceled: nothing was sent.') };
  }

  /** An approver's decision on a posted request; the requester's preview follows it. */
  async decide(id: string, approver: string, decision: 'approve' | 'reject'): Promise<ActionAnswer & { requester?: { responseUrl: string; message: SlackMessage } }> {
    const pending = await this.deps.state.pending(id);
    if (!pending) return { ephemeral: plain('This request is no longer known.') };
    if (!pending.approval) return { ephemeral: plain('This blast has no approval request.') };
    if (pending.status !== 'awaiting_approval') return { ephemeral: plain(`This request is already ${pending.status.replace('_', ' ')}.`) };
    const problem = approvalProblem(this.deps.settings, approver, pending.requester);
    if (problem) return { ephemeral: plain(problem) };
    if (this.deps.clock.now().toISOString() > pending.approval.expiresAt) {
      await this.deps.campaigns.cancel(pending.campaignId).catch(() => undefined);
      await this.deps.state.savePending({ ...pending, status: 'expired' });
      return { replace: plain(`This request expired at ${pending.approval.expiresAt}; nothing was sent. The requester can run /sms send again.`) };
    }
    if (decision === 'reject') {
      await this.deps.campaigns.cancel(pending.campaignId).catch(() => undefined);
      await this.deps.state.savePending({ ...pending, status: 'rejected', approval: { ...pending.approval, decidedBy: approver } });
      const text = `Rejected by <@${approver}>: the blast to ${pending.target} was not sent.`;
      return { replace: mrkdwn(text), requester: { responseUrl: pending.responseUrl, message: mrkdwn(text) } };
    }
    const started = await this.start(pending, pending, approver);
    if (!started.replace) return started;
    return {
      replace: mrkdwn(`Approved by <@${approver}>: campaign ${pending.campaignId} to ${pending.recipients} recipients (${escapeMrkdwn(pending.target)}) started for <@${pending.requester}>.`),
      requester: { responseUrl: pending.responseUrl, message: started.replace },
    };
  }

  /** The Refresh button under a started blast's status. */
  async refresh(id: string): Promise<ActionAnswer> {
    const pending = await this.deps.state.pending(id);
    if (!pending) return { ephemeral: plain('This blast is no longer known.') };
    return { replace: statusMessage(await this.deps.campaigns.report(pending.campaignId), { refreshId: id }) };
  }
}
