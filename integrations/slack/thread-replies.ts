import type { Logger } from '../../src/common/logger.js';
import { maskPhone } from '../../src/common/mask.js';
import { errorText } from './blasts.js';
import { unescapeSlackText } from './command-text.js';
import type { SlackSettings } from './config.js';
import type { SlackJob } from './deliver-job.js';
import type { SlackState } from './state.js';

/** A `message` event as the Events API delivers it (only the fields used). */
export interface MessageEvent {
  channel?: string;
  ts?: string;
  thread_ts?: string;
  user?: string;
  text?: string;
  bot_id?: string;
  subtype?: string;
}

export interface ThreadReplyDeps {
  settings: SlackSettings;
  state: SlackState;
  /**
   * One transactional SMS through the same path as POST /api/v1/messages (consent checked, recorded,
   * on the CRM timeline when one is connected); `key` makes Slack's retries of one event send once.
   */
  sendMessage(input: { to: string; text: string; key: string }): Promise<{ status: number; body: unknown }>;
  enqueue(jobs: SlackJob[]): Promise<void>;
  logger: Logger;
}

/** A team member's answer in a contact's thread goes to the contact as an SMS; anything else is ignored. */
export async function handleThreadReply(event: MessageEvent, deps: ThreadReplyDeps): Promise<'sent' | 'refused' | 'ignored'> {
  const { channel, ts, thread_ts: threadTs, user } = event;
  if (event.subtype || event.bot_id || !channel || !ts || !threadTs || !user || threadTs === ts) return 'ignored';
  if (channel !== deps.settings.repliesChannel || user === deps.settings.botUserId) return 'ignored';
  const thread = await deps.state.threadAt(channel, threadTs);
  if (!thread) return 'ignored';
  const text = unescapeSlackText(event.text ?? '').trim();
  if (!text) return 'ignored';
  let note: string;
  let outcome: 'sent' | 'refused';
  try {
    const answer = await deps.sendMessage({ to: thread.phone, text, key: `slack:${channel}:${ts}` });
    outcome = answer.status === 202 ? 'sent' : 'refused';
    note = answer.status === 202
      ? `:outbox_tray: Sent by SMS to ${maskPhone(thread.phone)} (from <@${user}>).`
      : answer.status === 409
        ? `:no_entry: Not sent: ${maskPhone(thread.phone)} has opted out of all messages.`
        : `:warning: Not sent: ${String((answer.body as { error?: unknown } | undefined)?.error ?? `status ${answer.status}`)}`;
  } catch (error) {
    outcome = 'refused';
    note = `:warning: Not sent: ${errorText(error)}`;
  }
  await deps.enqueue([{ type: 'thread_note', channel, threadTs, text: note }]);
  deps.logger.info({ outcome, phone: maskPhone(thread.phone) }, 'Slack thread reply');
  return outcome;
}
