import fs from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/app.js';
import { openApp } from '../../../src/app.js';
import { silentLogger } from '../../../src/common/logger.js';
import { loadConfig } from '../../../src/config.js';
import { recordConsent } from '../../../src/consent/record-consent.js';
import type { DeliveryEngine } from '../../../src/engine.js';
import { createHttpApp } from '../../../src/http/app.js';
import { signatureV2, signatureV3 } from '../../../integrations/hubspot/signature.js';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const API = 'https://api.hubapi.com';
const PATH = '/hubspot/workflow-actions/send-sms';

interface Service {
  app: AppContext;
  engine: DeliveryEngine;
  base: string;
  dataDir: string;
  stop(): Promise<void>;
}

async function startService(dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-hs-action-'))): Promise<Service> {
  const config = loadConfig({
    DATA_DIR: dataDir, LOG_LEVEL: 'silent', API_KEY: 'test-key-0123456789', SMS_SENDER: 'SHOP',
    HUBSPOT_ACCESS_TOKEN: 'pat-test-token', HUBSPOT_CLIENT_SECRET: SECRET, HUBSPOT_WEBHOOK_SECRET: WEBHOOK_SECRET, HUBSPOT_API_BASE: API,
  });
  const app = await openApp(config, { logger: silentLogger });
  const engine = await app.engine();
  const server: Server = createHttpApp({ app, engine }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    app, engine, dataDir, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
    },
  };
}

let callbackCounter = 0;
/** An execution request shaped as HubSpot documents it (CONTRACTS.md Part A §5). */
function actionBody(overrides: { inputFields?: Record<string, string>; properties?: Record<string, string | null>; callbackId?: string } = {}): string {
  callbackCounter += 1;
  return JSON.stringify({
    callbackId: overrides.callbackId ?? `ap-102670506-56776413549-7-${callbackCounter}`,
    origin: { portalId: 102670506, actionDefinitionId: 10646377, actionDefinitionVersion: 1 },
    context: { source: 'WORKFLOWS', workflowId: 192814114 },
    object: { objectId: 904, properties: { firstname: 'Ann', mobilephone: '+79161234567', email: 'ann@example.com', ...overrides.properties }, objectType: 'CONTACT' },
    inputFields: { message: 'Hi {{firstname}}, your order is ready.', kind: 'transactional', waitForDelivery: 'false', ...overrides.inputFields },
  });
}

/** Posts with HubSpot's v2 signature (secret + method + URI + body, sha256 hex), as custom actions are documented to. */
async function postV2(service: Service, body: string, sign = body): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers, checked field by field
  const url = `${service.base}${PATH}`;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-signature': signatureV2(SECRET, 'POST', url, sign), 'x-hubspot-signature-version': 'v2' }, body });
  return { status: res.status, json: await res.json() };
}

async function postV3(service: Service, body: string, timestamp: number): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers
  const url = `${service.base}${PATH}`;
  const ts = String(timestamp);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signatureV3(SECRET, 'POST', url, body, ts), 'x-hubspot-request-timestamp': ts }, body });
  return { status: res.status, json: await res.json() };
}

/** HubSpot's side of the timeline write-back, which runs alongside (the contact of the action is logged to). */
function timelineMocks(): nock.Scope {
  return nock(API).persist()
    .post('/crm/v3/objects/communications/batch/create').reply(201, (_uri, body) => ({
      status: 'COMPLETE', results: (body as { inputs: Array<{ objectWriteTraceId: string }> }).inputs.map((input, i) => ({ id: `comm-${i}`, objectWriteTraceId: input.objectWriteTraceId, properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' })),
    }))
    .post('/crm/v3/objects/communications/batch/update').reply(200, { status: 'COMPLETE', results: [] })
    .post('/crm/v3/objects/contacts/batch/update').reply(200, { status: 'COMPLETE', results: [] });
}

/** A gateway receipt for the message, applied and fanned out to the sinks as the running service would. */
async function receipt(service: Service, messageId: string, status: 'delivered' | 'undelivered'): Promise<void> {
  await service.engine.accept([{ type: 'status', gateway: 'simulator', providerMessageId: `SIM-${messageId}`, messageId, status, ...(status === 'undelivered' ? { errorCode: 'unavailable' as const } : {}), at: new Date().toISOString(), key: `${messageId}:${status}` }]);
  await service.engine.processInbox();
  await service.engine.feedSinks();
}

let service: Service;
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  service = await startService();
});
afterAll(async () => {
  await service.stop();
  fs.rmSync(service.dataDir, { recursive: true, force: true });
  nock.cleanAll();
  nock.enableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describe('POST /hubspot/workflow-actions/send-sms', () => {
  it('accepts the documented v2 signature, renders the template with the contact\'s properties and queues one message', async () => {
    const answer = await postV2(service, actionBody());
    expect(answer.status).toBe(200);
    expect(answer.json.outputFields).toMatchObject({ hs_execution_state: 'SUCCESS', status: 'queued', messageId: expect.any(String), reason: '' });
    const [row] = (await service.app.store.outbox.getMany([answer.json.outputFields.messageId])).values();
    expect(row).toMatchObject({ phone: '+79161234567', text: 'Hi Ann, your order is ready.', kind: 'transactional', sender: 'SHOP', status: 'queued' });
  });

  it('accepts v3 with a fresh timestamp and refuses a stale one (401)', async () => {
    expect((await postV3(service, actionBody(), Date.now())).status).toBe(200);
    const stale = await postV3(service, actionBody(), Date.now() - 6 * 60 * 1000);
    expect(stale.status).toBe(401);
    expect(stale.json.error).toMatch(/5 minutes/);
  });

  it('refuses a tampered body (401) and an unsigned request (401), sending nothing', async () => {
    const signed = actionBody();
    const tampered = signed.replace('your order is ready', 'send me your password');
    const before = (await service.app.store.campaigns.list()).length;
    expect((await postV2(service, tampered, signed)).status).toBe(401);
    const unsigned = await fetch(`${service.base}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: signed });
    expect(unsigned.status).toBe(401);
    expect((await service.app.store.campaigns.list()).length).toBe(before);
  });

  it('answers garbage with a 4xx that says what is wrong, never a 5xx', async () => {
    for (const body of ['not json at all', '[]', '{}', JSON.stringify({ callbackId: 'x', origin: {}, object: {}, inputFields: {} }), '\u0000\u0001', '{"callbackId":'.repeat(50)]) {
      const answer = await postV2(service, body);
      expect(answer.status, body.slice(0, 30)).toBeGreaterThanOrEqual(400);
      expect(answer.status, body.slice(0, 30)).toBeLessThan(500);
    }
    const missingMessage = await postV2(service, actionBody({ inputFields: { message: '' } }));
    expect(missingMessage.status).toBe(400);
    expect(JSON.stringify(missingMessage.json.details)).toContain('Message input is empty');
  });

  it('a retried request (same callbackId) sends nothing twice', async () => {
    const body = actionBody({ callbackId: 'ap-retry-1' });
    const first = await postV2(service, body);
    const again = await postV2(service, body);
    const parallel = await Promise.all([postV2(service, body), postV2(service, body)]);
    const ids = new Set([first, again, ...parallel].map((a) => a.json.outputFields.messageId));
    expect(ids.size).toBe(1);
    const campaigns = (await service.app.store.campaigns.list()).filter((c) => c.name.includes('contact 904'));
    const rows = await Promise.all(campaigns.map((c) => service.app.store.outbox.listByCampaign(c.id, { limit: 10 })));
    expect(rows.flat().filter((row) => row.id === first.json.outputFields.messageId)).toHaveLength(1);
  });

  it('waitForDelivery: answers BLOCK, then completes the callback with SUCCESS when the receipt says delivered', async () => {
    const answer = await postV2(service, actionBody({ callbackId: 'ap-block-ok', inputFields: { waitForDelivery: 'true' } }));
    expect(answer.json.outputFields).toMatchObject({ hs_execution_state: 'BLOCK', status: 'queued' });
    const messageId = answer.json.outputFields.messageId as string;
    timelineMocks();
    const completed = nock(API)
      .post('/automation/v4/actions/callbacks/complete', { inputs: [{ callbackId: 'ap-block-ok', outputFields: { hs_execution_state: 'SUCCESS', status: 'delivered', messageId, reason: '' } }] })
      .matchHeader('authorization', 'Bearer pat-test-token')
      .reply(204);
    await receipt(service, messageId, 'delivered');
    completed.done();
    // HubSpot asking again later gets the outcome, and nothing is sent or completed again.
    const again = await postV2(service, actionBody({ callbackId: 'ap-block-ok', inputFields: { waitForDelivery: 'true' } }));
    expect(again.json.outputFields).toMatchObject({ hs_execution_state: 'SUCCESS', status: 'delivered', messageId });
  });

  it('waitForDelivery: an undelivered message completes the callback with FAIL_CONTINUE and the status', async () => {
    const answer = await postV2(service, actionBody({ callbackId: 'ap-block-fail', inputFields: { waitForDelivery: 'true' } }));
    const messageId = answer.json.outputFields.messageId as string;
    timelineMocks();
    const completed = nock(API)
      .post('/automation/v4/actions/callbacks/complete', { inputs: [{ callbackId: 'ap-block-fail', outputFields: { hs_execution_state: 'FAIL_CONTINUE', status: 'undelivered', messageId, reason: 'unavailable' } }] })
      .reply(204);
    await receipt(service, messageId, 'undelivered');
    completed.done();
  });

  it('a contact who opted out is refused: FAIL_CONTINUE with the reason, nothing queued', async () => {
    const [contact] = (await service.app.store.contacts.getByPhones(['+79160000001'])).values();
    expect(contact).toBeUndefined();
    await service.app.store.contacts.upsertMany([{ id: 'hs-opted-out', phone: '+79160000001', interests: [], tags: [], properties: {}, crm: { system: 'hubspot', id: '905' }, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' }]);
    await recordConsent({ contactId: 'hs-opted-out', status: 'opted_out', scope: 'all', origin: 'recipient', source: 'sms reply "STOP"' }, service.app);
    const answer = await postV2(service, actionBody({ properties: { mobilephone: '+79160000001' }, inputFields: { waitForDelivery: 'true' } }));
    expect(answer.status).toBe(200);
    expect(answer.json.outputFields).toEqual({ hs_execution_state: 'FAIL_CONTINUE', status: 'refused', messageId: '', reason: 'opted_out' });
  });

  it('marketing without recorded opt-in is refused with no_consent; a contact without a phone with no_phone', async () => {
    const marketing = await postV2(service, actionBody({ properties: { mobilephone: '+79160000002' }, inputFields: { kind: 'marketing' } }));
    expect(marketing.json.outputFields).toMatchObject({ hs_execution_state: 'FAIL_CONTINUE', reason: 'no_consent' });
    const noPhone = await postV2(service, actionBody({ properties: { mobilephone: null, phone: null } }));
    expect(noPhone.json.outputFields).toMatchObject({ hs_execution_state: 'FAIL_CONTINUE', reason: expect.stringMatching(/^no_phone/) });
  });
});

describe('a retried callbackId after a restart', () => {
  it('sends nothing twice: the answer is kept in the data dir', async () => {
    const first = await startService();
    const body = actionBody({ callbackId: 'ap-restart-1' });
    const before = await postV2(first, body);
    await first.stop();
    const second = await startService(first.dataDir);
    try {
      const after = await postV2(second, body);
      expect(after.json.outputFields.messageId).toBe(before.json.outputFields.messageId);
      expect(await second.app.store.campaigns.list()).toHaveLength(1);
    } finally {
      await second.stop();
      fs.rmSync(first.dataDir, { recursive: true, force: true });
    }
  });
});

describe('POST /hubspot/webhook-action/send-sms ("Send a webhook" with a shared secret)', () => {
  const url = (query: string): string => `${service.base}/hubspot/webhook-action/send-sms${query}`;
  const body = JSON.stringify({ firstname: 'Bob', phone: '+79161112233', hs_object_id: '906' });

  it('sends with the secret in the header or the query, and refuses a wrong or missing one (401)', async () => {
    const viaHeader = await fetch(url('?message=Hello%20%7B%7Bfirstname%7D%7D'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-smsbridge-secret': WEBHOOK_SECRET }, body });
    expect(viaHeader.status).toBe(202);
    const queued = (await viaHeader.json()) as { status: string; messageId: string };
    const [row] = (await service.app.store.outbox.getMany([queued.messageId])).values();
    expect(row?.text).toBe('Hello Bob');
    const viaQuery = await fetch(url(`?secret=${WEBHOOK_SECRET}&message=Bye`), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(viaQuery.status).toBe(202);
    expect((await fetch(url('?message=Hi'), { method: 'POST', headers: { 'x-smsbridge-secret': 'wrong-secret-0123456789' }, body })).status).toBe(401);
    expect((await fetch(url('?message=Hi'), { method: 'POST', body })).status).toBe(401);
  });

  it('says what is missing (400), and the same request twice sends once', async () => {
    const missing = await fetch(url(''), { method: 'POST', headers: { 'x-smsbridge-secret': WEBHOOK_SECRET }, body });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain('message is required');
    const send = () => fetch(url('?message=Once'), { method: 'POST', headers: { 'x-smsbridge-secret': WEBHOOK_SECRET }, body }).then((r) => r.json() as Promise<{ messageId: string }>);
    const first = await send();
    expect((await send()).messageId).toBe(first.messageId);
  });
});
