import type { webApi } from '@slack/bolt';
import type { Block } from './blocks.js';

type WebClient = webApi.WebClient;

/** The Web API calls the integration makes, behind a port so handlers can be tested without bolt. */
export interface SlackApi {
  postMessage(input: { channel: string; text: string; blocks?: Block[]; threadTs?: string }): Promise<{ channel: string; ts: string }>;
  update(input: { channel: string; ts: string; text: string; blocks?: Block[] }): Promise<void>;
  /** The phone number on a member's Slack profile, if they wrote one. */
  userPhone(user: string): Promise<string | undefined>;
}

/**
 * Every Web API method called, with the bot scope it needs: manifests/slack/manifest.yml must grant
 * each one (a test checks it).
 */
export const WEB_API_SCOPES: Readonly<Record<string, string>> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'users.info': 'users:read',
};

/** The port over bolt's WebClient, which brings Slack's retries and rate-limit handling. */
export function boltSlackApi(client: WebClient): SlackApi {
  return {
    // https://docs.slack.dev/reference/methods/chat.postMessage
    postMessage: async ({ channel, text, blocks, threadTs }) => {
      const result = await client.chat.postMessage({ channel, text, ...(blocks ? { blocks } : {}), ...(threadTs ? { thread_ts: threadTs } : {}) } as Parameters<WebClient['chat']['postMessage']>[0]);
      return { channel: result.channel ?? channel, ts: result.ts ?? '' };
    },
    // https://docs.slack.dev/reference/methods/chat.update
    update: async ({ channel, ts, text, blocks }) => {
      await client.chat.update({ channel, ts, text, ...(blocks ? { blocks } : {}) } as Parameters<WebClient['chat']['update']>[0]);
    },
    // https://docs.slack.dev/reference/methods/users.info (profile.phone, as the member wrote it)
    userPhone: async (user) => {
      const result = await client.users.info({ user });
      const phone = result.user?.profile?.phone?.trim();
      return phone ? phone : undefined;
    },
  };
}
