import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTwilioRequest } from '../../integrations/gateways/twilio/index.js';
import { signParams } from '../../integrations/gateways/vonage/signature.js';
import type { AppContext } from '../../src/app.js';
import { openApp } from '../../src/app.js';
import { jsonNestingExceeds } from '../../src/common/json-depth.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import { createHttpApp } from '../../src/http/app.js';

const PUBLIC_URL = 'https://sms.example.com';
const TOKEN = 'twilio-test-auth-token';
const VONAGE_SECRET = 'vonage-signature-secret-0123';
let app: AppContext;
let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-nesting-'));
  app = await openApp(
    loadConfig({
      DATA_DIR: dir, LOG_LEVEL: 'silent', API_KEY: 'test-key-0123456789', PUBLIC_URL,
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: '+15005550006',
      VONAGE_API_KEY: 'key', VONAGE_API_SECRET: 'secret', VONAGE_SIGNATURE_SECRET: VONAGE_SECRET,
    }),
    { logger: silentLogger },
  );
  const engine = await app.engine();
  server = createHttpApp({ app, engine }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// About 60 KB of nesting, under the 64 KB body limit, so the body is read and must be refused on its shape.
const DEEP = 29_990;
const deepJson = (): string => `{"MessageSid":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`;
const deepForm = (): string => `MessageSid=SM1&MessageStatus=delivered&a${'[b]'.repeat(DEEP / 1.5)}=1`;

async function post(pathAndQuery: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(`${base}${pathAndQuery}`, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

/** A Twilio JSON webhook: the URL carries bodySHA256 and is signed alone (CONTRACTS Part B §1.7). */
function twilioJson(body: string): [string, Record<string, string>] {
  const pathAndQuery = `/webhooks/twilio/status?bodySHA256=${createHash('sha256').update(body, 'utf8').digest('hex')}`;
  return [pathAndQuery, { 'content-type': 'application/json', 'x-twilio-signature': signTwilioRequest(TOKEN, `${PUBLIC_URL}${pathAndQuery}`) }];
}

describe('deeply nested webhook bodies over a real socket: 4xx, never 500', () => {
  it('a signed JSON body nested 60 KB deep answers 400', async () => {
    const body = deepJson();
    expect(body.length).toBeGreaterThan(59_000);
    const [pathAndQuery, headers] = twilioJson(body);
    const answer = await post(pathAndQuery, body, headers);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('nests deeper than');
  });

  it('an unsigned one is refused by its signature (401) before it is parsed', async () => {
    const answer = await post('/webhooks/twilio/status', deepJson(), { 'content-type': 'application/json', 'x-twilio-signature': 'bogus' });
    expect(answer.status).toBe(401);
  });

  it('a signed form body with qs-style a[b][b]... nesting 60 KB deep answers 400', async () => {
    const body = deepForm();
    const params = Object.fromEntries(new URLSearchParams(body));
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(TOKEN, `${PUBLIC_URL}/webhooks/twilio/inbound`, params) };
    const answer = await post('/webhooks/twilio/inbound', body, headers);
    expect(answer.status).toBe(400);
  });

  it('deeply nested arrays in a signed Vonage JSON webhook are refused, not parsed into a crash', async () => {
    const flat = { messageId: 'v-1', msisdn: '447700900001', to: 'SHOP', status: 'delivered', timestamp: String(Math.floor(Date.now() / 1000)) };
    const sig = signParams(flat, VONAGE_SECRET, 'sha256');
    const body = JSON.stringify({ ...flat, sig }).replace('"delivered"', `${'['.repeat(DEEP)}"delivered"${']'.repeat(DEEP)}`);
    const answer = await post('/webhooks/vonage/status', body, { 'content-type': 'application/json' });
    expect([400, 401]).toContain(answer.status);
  });

  it('keeps serving: a good webhook right after is accepted', async () => {
    const params = { MessageSid: 'SMnest1', MessageStatus: 'delivered', To: '+15005550001', From: '+15005550006' };
    const answer = await post('/webhooks/twilio/status?mid=m-nest', new URLSearchParams(params).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(TOKEN, `${PUBLIC_URL}/webhooks/twilio/status?mid=m-nest`, params),
    });
    expect(answer.status).toBe(204);
  });
});

describe('jsonNestingExceeds', () => {
  it('counts arrays and objects, ignores brackets inside strings and escapes', () => {
    expect(jsonNestingExceeds('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(jsonNestingExceeds('{"a":[1,{"b":[]}]}', 4)).toBe(false);
    expect(jsonNestingExceeds('{"a":"[[[[[\\"[[["}', 1)).toBe(false);
    expect(jsonNestingExceeds(`${'['.repeat(100_000)}`, 16)).toBe(true);
  });
});

describe('deeply nested REST API bodies', () => {
  it('a campaign whose filter nests 40 KB deep answers 400, not 500', async () => {
    const deep = `{"and":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const response = await fetch(`${base}/api/v1/campaigns`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key-0123456789', 'content-type': 'application/json' },
      body: `{"name":"x","kind":"transactional","audience":{"filter":${deep}},"text":"hi"}`,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('nests deeper than');
  });
});
