import type { SlackSettings } from './config.js';

/**
 * Who may send and control campaigns from Slack: a listed user, or anyone in a listed channel. With
 * neither list set, nobody may (the safe default for a tool that spends money and reaches customers).
 */
export function maySend(settings: Pick<SlackSettings, 'allowedUsers' | 'allowedChannels'>, user: string, channel: string): boolean {
  return settings.allowedUsers.includes(user) || settings.allowedChannels.includes(channel);
}

export function refusal(settings: Pick<SlackSettings, 'allowedUsers' | 'allowedChannels'>): string {
  return settings.allowedUsers.length + settings.allowedChannels.length === 0
    ? 'Sorry, sending from Slack is not enabled yet: an administrator needs to set SLACK_ALLOWED_USERS or SLACK_ALLOWED_CHANNELS. Nothing was sent.'
    : 'Sorry, you are not on the list of people who may send SMS from Slack (or this channel is not). Ask an administrator to add you. Nothing was sent.';
}

/** An approver is listed in SLACK_APPROVERS and is not the person asking. */
export function approvalProblem(settings: Pick<SlackSettings, 'approvers'>, approver: string, requester: string): string | undefined {
  if (approver === requester) return 'You cannot approve your own blast: a second person from the approvers has to.';
  if (!settings.approvers.includes(approver)) return 'Only the people in SLACK_APPROVERS can approve or reject a blast.';
  return undefined;
}
