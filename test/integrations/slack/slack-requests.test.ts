import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSlackSignature, signSlackRequest } from '../../../integrations/slack/signature.js';
import { seededRandom } from '../../../src/common/random.js';
import type { SlackServer } from '../../helpers/slack.js';
import { startSlackServer, webApi } from '../../helpers/slack.js';

// docs.slack.dev/authentication/verifying-requests-from-slack (CONTRACTS.md Part A §9).
const VECTOR = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

describe('Slack v0 signature', () => {
  it('passes the published test vector, with the clock pinned to its timestamp', () => {
    const now = new Date(Number(VECTOR.timestamp) * 1000);
    expect(signSlackRequest(VECTOR.secret, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(checkSlackSignature({ signingSecret: VECTOR.secret, rawBody: VECTOR.body, timestamp: VECTOR.timestamp, signature: VECTOR.signature, now })).toBe('ok');
    expect(checkSlackSignature({ signingSecret: VECTOR.secret, rawBody: `${VECTOR.body} `, timestamp: VECTOR.timestamp, signature: VECTOR.signature, now })).toBe('mismatch');
    expect(checkSlackSignature({ signingSecret: VECTOR.secret, rawBody: VECTOR.body, timestamp: VECTOR.timestamp, signature: VECTOR.signature, now: new Date(now.getTime() + 301_000) })).toBe('stale');
    expect(checkSlackSignature({ signingSecret: VECTOR.secret, rawBody: VECTOR.body, timestamp: undefined, signature: VECTOR.signature, now })).toBe('missing');
  });
});

describe('POST /slack/events on the running service', () => {
  let s: SlackServer;
  beforeAll(async () => {
    s = await startSlackServer();
  });
  afterAll(async () => {
    await s.close();
    nock.enableNetConnect();
  });
  const help = new URLSearchParams({ command: '/sms', text: 'help', user_id: 'UALLOWED1', channel_id: 'C1', response_url: 'https://hooks.slack.com/commands/T1/1/x' }).toString();

  it('answers a signed command', async () => {
    expect((await s.post(help)).status).toBe(200);
  });

  it('refuses a bad signature and a stale timestamp with 401', async () => {
    expect((await s.post(help, { signature: signSlackRequest('another-secret-0123456789', String(Math.floor(Date.now() / 1000)), help) })).status).toBe(401);
    expect((await s.post(help, { sign: false })).status).toBe(401);
    const stale = Math.floor(s.clock.now().getTime() / 1000) - 301;
    expect((await s.post(help, { timestamp: stale })).status).toBe(401);
    const reply = await s.post(help, { timestamp: stale });
    expect(reply.body.error).toContain('five-minute window');
  });

  it('accepts a charset parameter on the content type (bolt alone would answer 400)', async () => {
    expect((await s.post(help, { contentType: 'application/x-www-form-urlencoded; charset=utf-8' })).status).toBe(200);
  });

  it('answers the Events API URL check', async () => {
    const reply = await s.post(JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'x' }), { contentType: 'application/json' });
    expect(reply).toMatchObject({ status: 200, body: { challenge: 'abc123' } });
  });

  it('answers another command name and an unknown button at once', async () => {
    const other = new URLSearchParams({ command: '/other', text: '', user_id: 'U1', channel_id: 'C1', response_url: 'https://hooks.slack.com/commands/T1/1/x' }).toString();
    expect((await s.post(other)).body.text).toContain('only knows /sms');
    expect((await s.click('something_else', 'x')).status).toBe(200);
  });

  it('garbage bodies get 4xx, never 5xx, signed or not', async () => {
    const random = seededRandom(7);
    const bodies = [
      '', 'not a form', 'payload=', 'payload=%7Bnot-json', 'payload=%7B%7D', 'payload=%5B%5D', 'payload=%7B%22type%22%3A%22block_actions%22%7D',
      'payload=%7B%22type%22%3A%22view_submission%22%7D', 'command=sms', 'command=%2Fsms&user_id=U1', '{"type":"event_callback"}', '{}', 'null', '[1,2]',
      Buffer.from(Array.from({ length: 200 }, () => Math.floor(random() * 256))).toString('latin1'),
      ...Array.from({ length: 25 }, () => Array.from({ length: Math.floor(random() * 300) }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join('')),
    ];
    const statuses = new Set<number>();
    for (const body of bodies) {
      for (const contentType of ['application/x-www-form-urlencoded', 'application/json', 'text/plain']) {
        const signed = await s.post(body, { contentType });
        const unsigned = await s.post(body, { contentType, sign: false });
        expect(signed.status, `${contentType} ${JSON.stringify(body.slice(0, 40))}`).toBeGreaterThanOrEqual(400);
        expect(signed.status).toBeLessThan(500);
        expect(unsigned.status).toBe(401);
        statuses.add(signed.status);
      }
    }
    expect([...statuses].sort()).toEqual([400]);
    const huge = 'a'.repeat(300 * 1024);
    expect((await s.post(huge)).status).toBe(413);
    // Still serving.
    expect((await s.post(help)).status).toBe(200);
  });
});

describe('Socket Mode', () => {
  it('mounts nothing on the HTTP app: Slack is reached over the socket instead', async () => {
    const s = await startSlackServer({ env: { SLACK_SOCKET_MODE: 'true', SLACK_APP_TOKEN: 'xapp-1-test' } });
    try {
      expect((await s.post('command=%2Fsms&user_id=U1&channel_id=C1')).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});

describe('SLACK_API_URL', () => {
  it('sends Web API calls to the configured base URL (a proxy or a local stand-in)', async () => {
    const s = await startSlackServer({ env: { SLACK_API_URL: 'http://slack-stand-in.test/api/' } });
    try {
      const posted = webApi('chat.postMessage', { channel: 'CNOTIFY01', ts: '1.1' }, 'http://slack-stand-in.test');
      await s.slack.notify({ type: 'circuit_open', gateway: 'twilio', failover: 'smsru', until: '2026-12-03T12:00:00.000Z' });
      expect((await s.slack.outbox.drain()).posted).toBe(1);
      expect(posted.calls).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
});
