import type { Logger as BoltLogger, RespondFn } from '@slack/bolt';
import { App, ExpressReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../../src/common/logger.js';
import type { ActionAnswer, Blasts } from './blasts.js';
import { errorText } from './blasts.js';
import type { SlackMessage } from './blocks.js';
import { ACTIONS, plain } from './blocks.js';
import { parseSmsCommand, USAGE } from './command-text.js';
import type { SlackSettings } from './config.js';
import type { ManageDeps } from './manage.js';
import { manageCampaigns } from './manage.js';
import { maySend, refusal } from './access.js';
import type { MessageEvent, ThreadReplyDeps } from './thread-replies.js';
import { handleThreadReply } from './thread-replies.js';

/** The one slash command and the Events API events the app listens to (the manifest must match). */
export const SLASH_COMMAND = '/sms';
export const BOT_EVENTS = ['message.channels', 'message.groups'] as const;

export interface SlackAppDeps {
  settings: SlackSettings;
  logger: Logger;
  blasts: Blasts;
  manage: ManageDeps;
  threads: ThreadReplyDeps;
  /** Web API client options: bolt's retries by default; tests shorten them. */
  retryConfig?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
  fetch?: typeof fetch;
}

/** bolt's logger interface over the service's JSON logger (bolt's own lines carry no phone numbers). */
function boltLogger(logger: Logger): BoltLogger {
  const line = (msg: unknown[]): string => msg.map(String).join(' ');
  let level = LogLevel.INFO;
  return {
    debug: (...msg) => logger.debug({ component: 'slack' }, line(msg)),
    info: (...msg) => logger.info({ component: 'slack' }, line(msg)),
    warn: (...msg) => logger.warn({ component: 'slack' }, line(msg)),
    error: (...msg) => logger.error({ component: 'slack' }, line(msg)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** POSTs to a response_url kept from an earlier click (the requester's preview, after an approval). */
export async function postToResponseUrl(url: string, message: SlackMessage & { replace_original?: boolean }, fetchFn: typeof fetch = fetch): Promise<void> {
  const res = await fetchFn(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
  if (!res.ok) throw new Error(`response_url answered ${res.status}`);
}

async function answer(respond: RespondFn, result: ActionAnswer): Promise<void> {
  if (result.replace) await respond({ replace_original: true, ...result.replace });
  if (result.ephemeral) await respond({ response_type: 'ephemeral', replace_original: false, ...result.ephemeral });
}

/**
 * The bolt app: `/sms`, its buttons, and thread replies. HTTP mode uses an ExpressReceiver whose router
 * the service mounts at POST /slack/events; Socket Mode connects out with the app-level token.
 */
export function createSlackApp(deps: SlackAppDeps): { app: App; receiver: ExpressReceiver | SocketModeReceiver } {
  const { settings, logger, blasts } = deps;
  const log = boltLogger(logger);
  const receiver = settings.mode.type === 'http'
    ? new ExpressReceiver({ signingSecret: settings.mode.signingSecret, endpoints: '/slack/events', logger: log })
    : new SocketModeReceiver({ appToken: settings.mode.appToken, logger: log });
  const app = new App({
    // Nothing is called until init() (the service starting): then, unless SLACK_BOT_ID and
    // SLACK_BOT_USER_ID are set, bolt asks auth.test once who the bot is. A CLI command calls nothing.
    token: settings.botToken, receiver, logger: log, deferInitialization: true, tokenVerificationEnabled: !(settings.botId && settings.botUserId),
    ...(settings.botId ? { botId: settings.botId } : {}),
    ...(settings.botUserId ? { botUserId: settings.botUserId } : {}),
    clientOptions: { ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}), ...(deps.retryConfig ? { retryConfig: deps.retryConfig } : {}) },
  });

  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    const parsed = parseSmsCommand(command.text ?? '');
    const who = { user: command.user_id, userName: command.user_name, channel: command.channel_id, responseUrl: command.response_url };
    if (parsed.type === 'help') return ack({ response_type: 'ephemeral', text: USAGE });
    if (parsed.type === 'invalid') return ack({ response_type: 'ephemeral', text: `${parsed.problem}\n\n${USAGE}` });
    if (parsed.type !== 'send') return ack({ response_type: 'ephemeral', ...(await manageCampaigns(parsed, who, deps.manage)) });
    if (!maySend(settings, who.user, who.channel)) return ack({ response_type: 'ephemeral', text: refusal(settings) });
    // Acknowledge at once (Slack waits 3 s); the preview follows through response_url.
    await ack({ response_type: 'ephemeral', text: 'Working out who this reaches and what it costs…' });
    try {
      const begun = await blasts.begin(parsed, who);
      await respond({ response_type: 'ephemeral', ...('message' in begun ? begun.message : await blasts.preview(begun.pending)) });
    } catch (error) {
      logger.error({ error }, 'Slack /sms send failed');
      await respond({ response_type: 'ephemeral', ...plain(errorText(error)) }).catch(() => undefined);
    }
  });

  const onButton = (actionId: string, run: (value: string, body: { user: string; channel: string; responseUrl: string }) => Promise<ActionAnswer>): void => {
    app.action(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      try {
        const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
        const b = body as { user: { id: string }; channel?: { id: string }; response_url?: string };
        await answer(respond, await run(value, { user: b.user.id, channel: b.channel?.id ?? '', responseUrl: b.response_url ?? '' }));
      } catch (error) {
        logger.error({ error, actionId }, 'Slack button failed');
        await respond({ response_type: 'ephemeral', replace_original: false, ...plain(errorText(error)) }).catch(() => undefined);
      }
    });
  };
  onButton(ACTIONS.confirm, (id, b) => blasts.confirm(id, b.user, b.channel, b.responseUrl));
  onButton(ACTIONS.test, (id, b) => blasts.testToMe(id, b.user));
  onButton(ACTIONS.cancel, (id, b) => blasts.cancel(id, b.user));
  onButton(ACTIONS.refresh, (id) => blasts.refresh(id));
  for (const decision of ['approve', 'reject'] as const) {
    onButton(ACTIONS[decision], async (id, b) => {
      const result = await blasts.decide(id, b.user, decision);
      if (result.requester) {
        await postToResponseUrl(result.requester.responseUrl, { replace_original: true, ...result.requester.message }, deps.fetch).catch((error: unknown) => {
          logger.warn({ error }, 'could not update the requester\'s preview (its response_url may have expired)');
        });
      }
      return result;
    });
  }

  // Anything else gets an answer at once instead of bolt's 404 after three seconds.
  app.command(/^(?!\/sms$)/, async ({ ack }) => ack({ response_type: 'ephemeral', text: `This app only knows ${SLASH_COMMAND}.\n\n${USAGE}` }));
  const known = Object.values(ACTIONS).join('|');
  app.action({ action_id: new RegExp(`^(?!(${known})$)`) }, async ({ ack }) => ack());

  app.event('message', async ({ event }) => {
    try {
      await handleThreadReply(event as MessageEvent, deps.threads);
    } catch (error) {
      logger.error({ error }, 'Slack thread reply failed');
    }
  });
  app.error(async (error) => {
    logger.error({ error }, 'Slack app error');
  });
  return { app, receiver };
}
