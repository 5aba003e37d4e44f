import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTwilioRequest } from '../../integrations/gateways/twilio/index.js';
import type { AppContext } from '../../src/app.js';
import { openApp } from '../../src/app.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import { createHttpApp } from '../../src/http/app.js';
import { makeOutboxRow } from '../helpers/factories.js';

const PUBLIC_URL = 'https://sms.example.com';
const TOKEN = 'twilio-test-auth-token';
let app: AppContext;
let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-webhooks-'));
  app = await openApp(
    loadConfig({
      DATA_DIR: dir, LOG_LEVEL: 'silent', API_KEY: 'test-key-0123456789', PUBLIC_URL,
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: '+15005550006',
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
  await new Promise((resolve) => server.close(resolve));
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

async function postTwilio(pathAndQuery: string, params: Record<string, string>, tamper?: (body: string) => string) {
  const signature = signTwilioRequest(TOKEN, `${PUBLIC_URL}${pathAndQuery}`, params);
  const body = form(params);
  return fetch(`${base}${pathAndQuery}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: tamper ? tamper(body) : body,
  });
}

describe('webhooks over a real socket', () => {
  it('accepts a Twilio status callback signed by Twilio\'s algorithm, and refuses the same body with one changed byte', async () => {
    const row = makeOutboxRow({ campaignId: 'wh1', contactId: 'c1', gateway: 'twilio', status: 'submitted', providerMessageId: 'SM0123' });
    await app.store.outbox.insertMany([row]);
    const params = { MessageSid: 'SM0123', SmsSid: 'SM0123', MessageStatus: 'delivered', SmsStatus: 'delivered', To: row.phone, From: '+15005550006', AccountSid: `AC${'0'.repeat(32)}`, ApiVersion: '2010-04-01' };
    const ok = await postTwilio(`/webhooks/twilio/status?mid=${row.id}`, params);
    expect(ok.status).toBeLessThan(300);
    const bad = await postTwilio(`/webhooks/twilio/status?mid=${row.id}`, params, (body) => body.replace('delivered', 'delivereD'));
    expect(bad.status).toBe(401);
    const engine = await app.engine();
    await engine.processInbox();
    expect((await app.store.outbox.getMany([row.id])).get(row.id)?.status).toBe('delivered');
  });

  it('answers a Twilio inbound message with empty TwiML', async () => {
    const res = await postTwilio('/webhooks/twilio/inbound', { MessageSid: 'SMin1', From: '+79123456789', To: '+15005550006', Body: 'СТОП', NumMedia: '0' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('xml');
    expect(await res.text()).toContain('<Response>');
  });

  it('survives 1,000 random and malformed webhook bodies with no 5xx, and keeps serving', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const junk = (): string => {
      const kinds = [
        () => Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256))).toString('latin1'),
        () => '{"MessageSid": ' + '['.repeat(Math.floor(random() * 50)),
        () => form({ MessageSid: String(random()), MessageStatus: ['delivered', 'bogus', '', 'failed'][Math.floor(random() * 4)] as string }),
        () => '%E0%A4%A'.repeat(Math.floor(random() * 20)),
        () => 'x'.repeat(Math.floor(random() * 70_000)),
      ];
      return (kinds[Math.floor(random() * kinds.length)] as () => string)();
    };
    const paths = ['/webhooks/twilio/status', '/webhooks/twilio/inbound', '/webhooks/vonage/status', '/webhooks/nope/status', '/webhooks/simulator/inbound'];
    const types = ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'application/octet-stream'];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i += 1) {
      const body = junk();
      const signed = random() < 0.3;
      const target = paths[Math.floor(random() * paths.length)] as string;
      const res = await fetch(`${base}${target}`, {
        method: 'POST',
        headers: { 'content-type': types[Math.floor(random() * types.length)] as string, ...(signed ? { 'x-twilio-signature': signTwilioRequest(TOKEN, `${PUBLIC_URL}${target}`, {}) } : {}) },
        body,
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBeLessThan(600);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  }, 60_000);

  it('needs the API key for the REST API, not for webhooks', async () => {
    expect((await fetch(`${base}/api/v1/contacts`)).status).toBe(401);
    expect((await fetch(`${base}/api/v1/contacts`, { headers: { authorization: 'Bearer wrong-key-0123456789' } })).status).toBe(401);
  });
});
