import fs from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app.js';
import { openApp } from '../../src/app.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import { recordConsent } from '../../src/consent/record-consent.js';
import type { DeliveryEngine } from '../../src/engine.js';
import { fingerprint } from '../../src/http/api/idempotency.js';
import type { SimulatorGateway } from '../../integrations/gateways/simulator/simulator-gateway.js';
import { createHttpApp } from '../../src/http/app.js';

const KEY = 'test-key-0123456789';
let dataDir: string;
let app: AppContext;
let engine: DeliveryEngine;
let server: Server;
let base: string;

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers, checked field by field
  replayed: string | null;
}

async function send(body: unknown, key?: string): Promise<Reply> {
  const res = await fetch(`${base}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), replayed: res.headers.get('idempotent-replayed') };
}

async function start(): Promise<void> {
  app = await openApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', API_KEY: KEY, SMS_SENDER: 'SHOP', SIMULATOR_MPS: '1000' }), { logger: silentLogger });
  engine = await app.engine();
  server = createHttpApp({ app, engine }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await app.close();
}

/** Messages in the outbox across campaigns, and sends the simulator saw. */
async function sends(): Promise<{ rows: number; gateway: number }> {
  let rows = 0;
  for (const campaign of await app.store.campaigns.list()) rows += Object.values(await app.store.outbox.countByStatus(campaign.id)).reduce((a, b) => a + (b ?? 0), 0);
  return { rows, gateway: (app.gateway('default') as SimulatorGateway).stats().sent };
}

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-api-messages-'));
  await start();
});

afterEach(async () => {
  await stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const NOTICE = { to: '+79123456789', text: 'Заказ {{order}} готов', variables: { order: '1042' } };

describe('POST /messages with an Idempotency-Key', () => {
  it('sends one SMS for two requests with the same key, and replays the first answer', async () => {
    const first = await send(NOTICE, 'order-1042-ready');
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{8}$/), messageId: expect.any(String), status: 'queued' });
    expect(first.replayed).toBeNull();
    expect(await engine.step()).toBe(1);

    const retry = await send({ variables: { order: '1042' }, text: 'Заказ {{order}} готов', to: '+79123456789' }, 'order-1042-ready');
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual(first.body);
    expect(retry.replayed).toBe('true');
    expect(await engine.step()).toBe(0);
    expect(await sends()).toEqual({ rows: 1, gateway: 1 });

    const campaign = await app.campaigns.get(first.body.id);
    expect(campaign).toMatchObject({ kind: 'transactional', audience: { phones: ['+79123456789'] }, campaignVariables: { order: '1042' } });
    const [row] = await app.store.outbox.listByCampaign(campaign.id, { limit: 10 });
    expect(row).toMatchObject({ id: first.body.messageId, text: 'Заказ 1042 готов', phone: '+79123456789' });

    const other = await send({ ...NOTICE, to: '89123456790' }, 'order-1043-ready');
    expect(other.status).toBe(202);
    expect(other.body.id).not.toBe(first.body.id);
    expect(await engine.step()).toBe(1);
    expect(await sends()).toEqual({ rows: 2, gateway: 2 });
  });

  it('answers 422 to the same key with different parameters, and sends nothing for it', async () => {
    expect((await send(NOTICE, 'k-1')).status).toBe(202);
    const reused = await send({ ...NOTICE, text: 'Заказ {{order}} отменён' }, 'k-1');
    expect(reused.status).toBe(422);
    expect(reused.body).toEqual({ error: 'Idempotency-Key reused with different parameters' });
    expect((await send({ ...NOTICE, sender: 'SHOP' }, 'k-1')).status).toBe(422);
    await engine.step();
    expect(await sends()).toEqual({ rows: 1, gateway: 1 });
  });

  it('requires the key and a valid body, and keeps no key for a refused request', async () => {
    const missing = await send(NOTICE);
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([expect.objectContaining({ path: 'headers.idempotency-key' })]);
    expect((await send(NOTICE, 'x'.repeat(201))).body.details[0].path).toBe('headers.idempotency-key');

    const problems: Array<[unknown, string]> = [
      [{ ...NOTICE, to: '12345' }, 'phone'],
      [{ ...NOTICE, text: '' }, 'body.text'],
      [{ ...NOTICE, extra: 1 }, 'body'],
      [{ ...NOTICE, gateway: 'carrier-pigeon' }, 'body.gateway'],
      [{ ...NOTICE, sender: 'not a sender id!' }, 'body.sender'],
    ];
    for (const [body, where] of problems) {
      const refused = await send(body, 'k-2');
      expect(refused.status, where).toBe(400);
      expect(refused.body.details[0].path, where).toBe(where);
    }
    const unknownVariable = await send({ ...NOTICE, variables: {} }, 'k-2');
    expect(unknownVariable.status).toBe(400);
    expect(unknownVariable.body.details.unknown).toEqual(['order']);
    expect(await app.store.campaigns.list()).toEqual([]);
    expect(await app.store.idempotency.list()).toEqual([]);
    expect((await send(NOTICE, 'k-2')).status).toBe(202);
  });

  it('lets only one of several parallel requests with one key send', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(NOTICE, 'parallel')));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(answers.filter((a) => a.replayed === 'true')).toHaveLength(4);
    expect(await app.store.campaigns.list()).toHaveLength(1);
    await engine.step();
    expect(await sends()).toEqual({ rows: 1, gateway: 1 });
  });

  it('keeps keys durably: after a restart the retry is answered, not sent again', async () => {
    const first = await send(NOTICE, 'durable');
    expect(fs.existsSync(path.join(dataDir, 'idempotency.json'))).toBe(true);
    await stop();
    await start();
    const retry = await send(NOTICE, 'durable');
    expect(retry).toEqual({ status: 202, body: first.body, replayed: 'true' });
    expect(await app.store.campaigns.list()).toHaveLength(1);
    expect(await app.store.idempotency.get('durable')).toMatchObject({ fingerprint: fingerprint(NOTICE), status: 202, body: first.body });
  });

  it('finishes a request that stopped between creating its campaign and answering', async () => {
    const draft = await app.campaigns.create({
      name: 'message', kind: 'transactional', audience: { phones: [NOTICE.to] }, variants: [{ name: 'A', text: NOTICE.text, weight: 1 }],
      campaignVariables: NOTICE.variables, sender: 'SHOP', gateway: 'default', schedule: { type: 'now' },
    });
    await app.store.idempotency.put({ id: 'crashed', fingerprint: fingerprint(NOTICE), status: 0, body: { campaignId: draft.id }, at: new Date().toISOString() });
    const answer = await send(NOTICE, 'crashed');
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ id: draft.id, status: 'queued' });
    expect((await app.campaigns.get(draft.id)).status).toBe('sending');
    expect(await app.store.campaigns.list()).toHaveLength(1);
    expect((await send(NOTICE, 'crashed')).replayed).toBe('true');
  });

  it('answers 409 (and replays it) when the recipient opted out of everything', async () => {
    const contact = await fetch(`${base}/api/v1/contacts/%2B79123456789`, { method: 'PUT', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: '{}' });
    const { id } = (await contact.json()) as { id: string };
    await recordConsent({ contactId: id, status: 'opted_out', scope: 'all', origin: 'recipient', source: 'STOP' }, app);
    const refused = await send(NOTICE, 'opted-out');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'The recipient cannot receive this message.', details: { excluded: { opted_out: 1 } } });
    expect(await send(NOTICE, 'opted-out')).toEqual({ ...refused, replayed: 'true' });
    await engine.step();
    expect(await sends()).toEqual({ rows: 0, gateway: 0 });
  });
});
