import { z } from 'zod';
import { AppError } from '../../src/common/errors.js';

const idList = z
  .string()
  .regex(/^\s*[A-Z0-9]+\s*(,\s*[A-Z0-9]+\s*)*$/, 'must be Slack ids separated by commas, such as U012ABCDEF,U034GHIJKL')
  .transform((text) => text.split(',').map((id) => id.trim()));

const userPhones = z
  .string()
  .regex(/^\s*[A-Z0-9]+\s*=\s*\+?[\d\s()-]{6,20}\s*(,\s*[A-Z0-9]+\s*=\s*\+?[\d\s()-]{6,20}\s*)*$/, 'must be USERID=phone pairs, such as U012ABCDEF=+79123456789')
  .transform((text) => Object.fromEntries(text.split(',').map((pair) => pair.split('=').map((part) => part.trim()) as [string, string])));

const booleanFlag = z.enum(['true', 'false'], 'must be true or false').default('false').transform((v) => v === 'true');

/**
 * The Slack variables, composed into the service's config (src/config.ts). All optional: without
 * SLACK_BOT_TOKEN the integration is off. Which of them a mode needs is checked by `slackSettings`.
 */
export const slackConfigSchema = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must be a bot token starting with xoxb- (OAuth & Permissions in your Slack app)').optional(),
  SLACK_SIGNING_SECRET: z.string().min(16, 'must be the Signing Secret from Basic Information in your Slack app').optional(),
  SLACK_SOCKET_MODE: booleanFlag,
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token starting with xapp- (Basic Information, App-Level Tokens, scope connections:write)').optional(),
  SLACK_API_URL: z.url('must be the Web API base URL, such as https://slack.com/api/').optional(),
  SLACK_BOT_ID: z.string().regex(/^B[A-Z0-9]+$/, 'must be the bot id (B...) that auth.test returns').optional(),
  SLACK_BOT_USER_ID: z.string().regex(/^[UW][A-Z0-9]+$/, 'must be the bot user id (U...) that auth.test returns').optional(),
  SLACK_ALLOWED_USERS: idList.optional(),
  SLACK_ALLOWED_CHANNELS: idList.optional(),
  SLACK_APPROVERS: idList.optional(),
  SLACK_MAX_AUDIENCE: z.coerce.number().int().min(1, 'must be at least 1').default(1000),
  SLACK_APPROVAL_TTL_MINUTES: z.coerce.number().int().min(1, 'must be at least 1 minute').max(7 * 24 * 60).default(60),
  SLACK_NOTIFY_CHANNEL: z.string().regex(/^[CGD][A-Z0-9]+$/, 'must be a channel id (C...), from the channel details in Slack').optional(),
  SLACK_REPLIES_CHANNEL: z.string().regex(/^[CGD][A-Z0-9]+$/, 'must be a channel id (C...), from the channel details in Slack').optional(),
  SLACK_USER_PHONES: userPhones.optional(),
});

export type SlackConfig = z.output<typeof slackConfigSchema>;

/** What the integration runs with once the mode's requirements are met. */
export interface SlackSettings {
  botToken: string;
  mode: { type: 'http'; signingSecret: string } | { type: 'socket'; appToken: string; signingSecret?: string };
  apiUrl?: string;
  botId?: string;
  botUserId?: string;
  allowedUsers: readonly string[];
  allowedChannels: readonly string[];
  approvers: readonly string[];
  maxAudience: number;
  approvalTtlMs: number;
  notifyChannel?: string;
  repliesChannel?: string;
  userPhones: Readonly<Record<string, string>>;
}

/** The settings, or undefined when Slack is off; a mode missing its secret stops start-up, naming it. */
export function slackSettings(config: SlackConfig): SlackSettings | undefined {
  if (!config.SLACK_BOT_TOKEN) return undefined;
  const missing = (name: string, where: string): never => {
    throw new AppError('CONFIG_INVALID', `${name} is not set, and the Slack integration needs it.`, { hint: `${where} Or unset SLACK_BOT_TOKEN to turn Slack off.` });
  };
  const mode: SlackSettings['mode'] = config.SLACK_SOCKET_MODE
    ? { type: 'socket', appToken: config.SLACK_APP_TOKEN ?? missing('SLACK_APP_TOKEN', 'Socket Mode needs an app-level token (xapp-...) with connections:write.'), ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}) }
    : { type: 'http', signingSecret: config.SLACK_SIGNING_SECRET ?? missing('SLACK_SIGNING_SECRET', 'Copy the Signing Secret from Basic Information in your Slack app.') };
  return {
    botToken: config.SLACK_BOT_TOKEN,
    mode,
    ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
    ...(config.SLACK_BOT_ID ? { botId: config.SLACK_BOT_ID } : {}),
    ...(config.SLACK_BOT_USER_ID ? { botUserId: config.SLACK_BOT_USER_ID } : {}),
    allowedUsers: config.SLACK_ALLOWED_USERS ?? [],
    allowedChannels: config.SLACK_ALLOWED_CHANNELS ?? [],
    approvers: config.SLACK_APPROVERS ?? [],
    maxAudience: config.SLACK_MAX_AUDIENCE,
    approvalTtlMs: config.SLACK_APPROVAL_TTL_MINUTES * 60_000,
    ...(config.SLACK_NOTIFY_CHANNEL ? { notifyChannel: config.SLACK_NOTIFY_CHANNEL } : {}),
    ...(config.SLACK_REPLIES_CHANNEL ?? config.SLACK_NOTIFY_CHANNEL ? { repliesChannel: config.SLACK_REPLIES_CHANNEL ?? config.SLACK_NOTIFY_CHANNEL } : {}),
    userPhones: config.SLACK_USER_PHONES ?? {},
  };
}
