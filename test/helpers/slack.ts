import fs from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import type { AppContext } from '../../src/app.js';
import { openApp } from '../../src/app.js';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import type { DeliveryEngine } from '../../src/engine.js';
import { createHttpApp } from '../../src/http/app.js';
import type { SlackIntegration } from '../../integrations/slack/index.js';
import { signSlackRequest } from '../../integrations/slack/signature.js';

export const SIGNING_SECRET = 'slack-signing-secret-0123456789';
export const NOTIFY = 'CNOTIFY01';
export const REPLIES = 'CREPLIES1';

export interface SlackReply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- Slack answers, checked field by field
  text: string;
}

export interface SlackServer {
  app: AppContext;
  slack: SlackIntegration;
  engine: DeliveryEngine;
  clock: ReturnType<typeof fixedClock>;
  base: string;
  dataDir: string;
  /** POSTs a raw body to /slack/events, signed unless told otherwise. */
  post(body: string, options?: { contentType?: string; timestamp?: number; signature?: string; sign?: boolean }): Promise<SlackReply>;
  command(text: string, options?: { user?: string; channel?: string; responseUrl?: string }): Promise<SlackReply>;
  click(actionId: string, value: string, options?: { user?: string; channel?: string; responseUrl?: string }): Promise<SlackReply>;
  event(event: Record<string, unknown>, eventId?: string): Promise<SlackReply>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** Collects what the app POSTs to a response_url (hooks.slack.com), in order. */
export function responseUrl(pathname: string): { url: string; next(): Promise<any> } { // eslint-disable-line @typescript-eslint/no-explicit-any -- Slack message JSON
  const waiting: Array<(body: unknown) => void> = [];
  const got: unknown[] = [];
  nock('https://hooks.slack.com').persist().post(pathname).reply(200, (_uri, body) => {
    const resolve = waiting.shift();
    if (resolve) resolve(body);
    else got.push(body);
    return 'ok';
  });
  return {
    url: `https://hooks.slack.com${pathname}`,
    next: () => (got.length > 0 ? Promise.resolve(got.shift()) : new Promise((resolve) => waiting.push(resolve))),
  };
}

/** Captures Web API calls to one method; answers ok with the given fields. */
export function webApi(method: string, answer: Record<string, unknown> = {}, host = 'https://slack.com'): { calls: Array<Record<string, any>> } { // eslint-disable-line @typescript-eslint/no-explicit-any -- form fields
  const calls: Array<Record<string, unknown>> = [];
  nock(host).persist().post(`/api/${method}`).reply(200, (_uri, body) => {
    const fields = typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : (body as Record<string, unknown>);
    calls.push(fields);
    return { ok: true, ...answer };
  });
  return { calls };
}

let counter = 0;

/** The real service's HTTP app, with Slack on, over a scratch data dir; Slack's cloud is nock. */
export async function startSlackServer(options: { env?: Record<string, string>; dataDir?: string; clock?: ReturnType<typeof fixedClock> } = {}): Promise<SlackServer> {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-slack-'));
  // Near the wall clock: bolt's receiver checks the signature timestamp against it too.
  const clock = options.clock ?? fixedClock(new Date());
  const app = await openApp(loadConfig({
    // The clock stands still, and sends are paced evenly on it: a fast simulator lets a round send them all.
    // Message ids are random, so the simulator's 1% refusals would land on a random test: it accepts all.
    DATA_DIR: dataDir, LOG_LEVEL: 'silent', API_KEY: 'test-key-0123456789', SMS_SENDER: 'SHOP', QUIET_HOURS: '00:00-00:00', SIMULATOR_SEED: 'slack', SIMULATOR_MPS: '100000', SIMULATOR_ACCEPT_RATE: '1',
    SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_ID: 'B0BOT', SLACK_BOT_USER_ID: 'U0BOT',
    SLACK_ALLOWED_USERS: 'UALLOWED1,UALLOWED2', SLACK_APPROVERS: 'UALLOWED2,UAPPROVER', SLACK_NOTIFY_CHANNEL: NOTIFY, SLACK_REPLIES_CHANNEL: REPLIES,
    SLACK_USER_PHONES: 'UALLOWED1=+79160000001', ...options.env,
  }), { logger: silentLogger, clock, slack: { retryConfig: { retries: 0 } } });
  const slack = app.slack as SlackIntegration;
  await slack.init();
  const engine = await app.engine();
  const server: Server = createHttpApp({ app, engine }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post: SlackServer['post'] = async (body, o = {}) => {
    const timestamp = String(o.timestamp ?? Math.floor(clock.now().getTime() / 1000));
    const headers: Record<string, string> = { 'content-type': o.contentType ?? 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp };
    if (o.sign !== false) headers['x-slack-signature'] = o.signature ?? signSlackRequest(SIGNING_SECRET, timestamp, body);
    const res = await fetch(`${base}/slack/events`, { method: 'POST', headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  };
  const stop = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.close();
  };
  return {
    app, slack, engine, clock, base, dataDir, post, stop,
    close: async () => {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      nock.cleanAll();
    },
    command: (text, o = {}) => {
      counter += 1;
      const form = new URLSearchParams({
        token: 'x', team_id: 'T1', team_domain: 'acme', channel_id: o.channel ?? 'CWORK0001', channel_name: 'marketing', user_id: o.user ?? 'UALLOWED1', user_name: 'ann',
        command: '/sms', text, api_app_id: 'A1', response_url: o.responseUrl ?? `https://hooks.slack.com/commands/T1/${counter}/x`, trigger_id: `${counter}.1.abc`,
      });
      return post(form.toString());
    },
    click: (actionId, value, o = {}) => {
      counter += 1;
      const payload = {
        type: 'block_actions', user: { id: o.user ?? 'UALLOWED1', username: 'ann', team_id: 'T1' }, api_app_id: 'A1', token: 'x',
        container: { type: 'message', message_ts: '1.1', channel_id: o.channel ?? 'CWORK0001', is_ephemeral: true }, trigger_id: `${counter}.2.abc`,
        team: { id: 'T1', domain: 'acme' }, channel: { id: o.channel ?? 'CWORK0001', name: 'marketing' },
        response_url: o.responseUrl ?? `https://hooks.slack.com/actions/T1/${counter}/x`,
        actions: [{ type: 'button', block_id: 'b1', action_id: actionId, value, text: { type: 'plain_text', text: 'x' }, action_ts: '1.3' }],
      };
      return post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    },
    event: (event, eventId) => {
      counter += 1;
      return post(JSON.stringify({ token: 'x', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: eventId ?? `Ev${counter}`, event_time: 1, event }), { contentType: 'application/json' });
    },
  };
}
