import type { PlanSummary } from '../../src/campaigns/plan-summary.js';
import type { CampaignReport } from '../../src/campaigns/report.js';
import { maskPhone } from '../../src/common/mask.js';
import { analyzeText, gsmSafeText } from '../../src/messages/encoding.js';

/** Block Kit objects as plain data (https://docs.slack.dev/reference/block-kit/blocks). */
export type Block = Record<string, unknown>;
export interface SlackMessage {
  text: string;
  blocks?: Block[];
}

/** Every button the app puts in a message; the manifest test and the listeners use this list. */
export const ACTIONS = {
  confirm: 'sms_confirm',
  test: 'sms_test',
  cancel: 'sms_cancel',
  approve: 'sms_approve',
  reject: 'sms_reject',
  refresh: 'sms_refresh',
} as const;

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Block => ({
  type: 'button', text: { type: 'plain_text', text }, action_id: actionId, value, ...(style ? { style } : {}),
});

export const money = (amount: number, currency: string): string => `${amount.toFixed(2)} ${currency}`;
const byCount = (counts: Record<string, number>): string =>
  Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason.replace(/_/g, ' ')} ${n}`).join(', ');
/** Slack mrkdwn needs &, < and > escaped in text we did not write. */
export const escapeMrkdwn = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** When UCS-2 makes a message cost more, the GSM-7 version that would not (or undefined). */
export function gsmAlternative(text: string): { text: string; segments: number; ucs2Segments: number } | undefined {
  const info = analyzeText(text);
  if (info.encoding !== 'UCS-2') return undefined;
  for (const transliterate of [false, true]) {
    const safe = gsmSafeText(text, { transliterate });
    const safeInfo = analyzeText(safe.text);
    if (safeInfo.encoding === 'GSM-7' && safeInfo.segments < info.segments) return { text: safe.text, segments: safeInfo.segments, ucs2Segments: info.segments };
  }
  return undefined;
}

export interface PreviewView {
  pendingId: string;
  target: string;
  kind: 'marketing' | 'transactional';
  summary: PlanSummary;
  needsApproval: boolean;
  maxAudience: number;
}

/** The ephemeral preview of `/sms send`: who, when, how much, what it reads like, and the buttons. */
export function previewMessage(view: PreviewView): SlackMessage {
  const s = view.summary;
  const lines = [
    `*Audience:* ${s.audience} matched · *${s.toSend} will get it* (${s.sendNow} now${s.deferred.count > 0 ? `, ${s.deferred.count} deferred by quiet hours until ${s.deferred.latest ?? ''}` : ''})`,
    `*Excluded:* ${s.excludedTotal}${s.excludedTotal > 0 ? ` (${byCount(s.excluded)})` : ''}`,
    `*Segments:* ${s.segments} · *cost:* ${money(s.cost, s.currency)} · *encoding:* ${s.encodings['GSM-7']} GSM-7, ${s.encodings['UCS-2']} UCS-2`,
  ];
  if (s.uncertainTimezone > 0) lines.push(`${s.uncertainTimezone} contacts have no certain time zone: quiet hours are kept in every zone they may be in.`);
  const blocks: Block[] = [section(`*Preview of /sms send to ${escapeMrkdwn(view.target)}* (${view.kind})`), section(lines.join('\n'))];
  const sample = s.samples[0];
  if (sample) {
    blocks.push(section(`*Sample* (${maskPhone(sample.phone)}, ${sample.encoding}, ${sample.segments} segment${sample.segments === 1 ? '' : 's'}):\n>${escapeMrkdwn(sample.text).replace(/\n/g, '\n>')}`));
    const alternative = gsmAlternative(sample.text);
    if (alternative) {
      blocks.push(context(`UCS-2 costs ${alternative.ucs2Segments} segments per message here; this GSM-safe version costs ${alternative.segments}: \`${escapeMrkdwn(alternative.text)}\``));
    }
  }
  if (s.toSend === 0) {
    blocks.push(section('Nobody in this audience can receive the message.'), { type: 'actions', elements: [button('Cancel', ACTIONS.cancel, view.pendingId)] });
    return { text: `Preview: nobody in ${view.target} can receive the message.`, blocks };
  }
  if (view.needsApproval) blocks.push(context(`More than ${view.maxAudience} recipients: a second person from the approvers must approve.`));
  blocks.push({
    type: 'actions',
    elements: [
      button(view.needsApproval ? 'Request approval' : 'Confirm', ACTIONS.confirm, view.pendingId, 'primary'),
      button('Test to me', ACTIONS.test, view.pendingId),
      button('Cancel', ACTIONS.cancel, view.pendingId, 'danger'),
    ],
  });
  return { text: `Preview: ${s.toSend} recipients, ${money(s.cost, s.currency)}.`, blocks };
}

/** One campaign's progress, for the replaced preview and `/sms status <id>`. */
export function statusMessage(report: CampaignReport, options: { refreshId?: string } = {}): SlackMessage {
  const text = `Campaign ${report.id} "${report.name}": ${report.status}. ${report.submitted} submitted, ${report.delivered} delivered, ${report.failed} failed, ${report.pending} pending, ${report.replies} replies, ${report.optOuts} opt-outs; cost ${money(report.cost, report.currency ?? '')}.`;
  const blocks: Block[] = [section(escapeMrkdwn(text))];
  if (options.refreshId && (report.status === 'sending' || report.status === 'paused')) blocks.push({ type: 'actions', elements: [button('Refresh', ACTIONS.refresh, options.refreshId)] });
  return { text, blocks };
}

export function approvalRequestMessage(input: { pendingId: string; requester: string; target: string; recipients: number; cost: string; sample: string; expiresAt: string }): SlackMessage {
  const text = `<@${input.requester}> asks to send to ${input.recipients} recipients (${escapeMrkdwn(input.target)}), cost ${input.cost}.`;
  return {
    text,
    blocks: [
      section(`${text}\n>${escapeMrkdwn(input.sample).replace(/\n/g, '\n>')}`),
      context(`The request expires at ${input.expiresAt}. The requester cannot approve it.`),
      { type: 'actions', elements: [button('Approve', ACTIONS.approve, input.pendingId, 'primary'), button('Reject', ACTIONS.reject, input.pendingId, 'danger')] },
    ],
  };
}

export const plain = (text: string): SlackMessage => ({ text, blocks: [section(escapeMrkdwn(text))] });
export const mrkdwn = (text: string): SlackMessage => ({ text, blocks: [section(text)] });
