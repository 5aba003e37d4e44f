import fs from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app.js';
import { openApp } from '../../src/app.js';
import { ClickRecorder } from '../../src/clicks/redirect.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import type { HttpApp } from '../../src/http/app.js';
import { createHttpApp } from '../../src/http/app.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import type { ClickRecord } from '../../src/store/port.js';
import { makeContact, makeEntry } from '../helpers/factories.js';

const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
const CODE = /\/s\/([0-9A-Za-z]{10})/;

let app: AppContext;
let http: HttpApp;
let server: Server;
let base: string;
let dataDir: string;
let campaignId: string;
/** Short link codes by contact id, as sent. */
const codes = new Map<string, string>();

const open = (code: string, init: RequestInit = {}) => fetch(`${base}/s/${code}`, { redirect: 'manual', ...init });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-links-'));
  app = await openApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', API_KEY: 'test-key-0123456789', SMS_SENDER: 'SHOP', SHORT_LINK_BASE: 'https://go.example.ru' }), { logger: silentLogger });
  http = createHttpApp({ app, engine: await app.engine() });
  server = http.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const people = [makeContact(), makeContact(), makeContact()];
  await app.store.contacts.upsertMany(people);
  await app.store.consent.append(people.map((c) => makeEntry({ contactId: c.id })));
  const campaign = await app.campaigns.create({
    name: 'Зимняя распродажа', kind: 'transactional', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Скидки: https://shop.example/sale?utm_source=crm#top', weight: 1 }],
    campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' },
  });
  campaignId = campaign.id;
  await app.campaigns.start(campaign.id);
  for (const row of await app.store.outbox.listByCampaign(campaign.id, { limit: 10 })) {
    expect(row.text).toMatch(/^Скидки: https:\/\/go\.example\.ru\/s\/[0-9A-Za-z]{10}$/);
    codes.set(row.contactId, CODE.exec(row.text)?.[1] as string);
  }
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /s/<code> over a socket', () => {
  it('redirects to the link with the campaign\'s UTM parameters (keeping its own) and records the click', async () => {
    const [contactId, code] = [...codes][0] as [string, string];
    const res = await open(code, { headers: { 'user-agent': BROWSER } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://shop.example/sale?utm_source=crm&utm_medium=sms&utm_campaign=zimnyaya-rasprodazha#top');
    expect(res.headers.get('cache-control')).toBe('no-store');
    await http.clicks.flush();
    const clicks = await app.store.clicks.listByCampaign(campaignId);
    const row = (await app.store.outbox.listByCampaign(campaignId, { limit: 10 })).find((r) => r.contactId === contactId);
    expect(clicks).toEqual([{ id: expect.any(String), code, campaignId, messageId: row?.id, contactId, url: 'https://shop.example/sale?utm_source=crm#top', at: expect.any(String), human: true, userAgent: BROWSER }]);
  });

  it('redirects link-preview fetchers and HEAD requests but records them as not human; every click is kept', async () => {
    const code = [...codes.values()][1] as string;
    const slack = await open(code, { headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' } });
    const whatsapp = await open(code, { headers: { 'user-agent': 'WhatsApp/2.23.20.0 A' } });
    const head = await open(code, { method: 'HEAD', headers: { 'user-agent': BROWSER } });
    const person = await open(`${code}?fbclid=x`, { headers: { 'user-agent': BROWSER } });
    const again = await open(code, { headers: { 'user-agent': BROWSER } });
    expect([slack.status, whatsapp.status, head.status, person.status, again.status]).toEqual([302, 302, 302, 302, 302]);
    await http.clicks.flush();
    const clicks = (await app.store.clicks.listByCampaign(campaignId)).filter((c) => c.code === code);
    expect(clicks.map((c) => c.human).sort()).toEqual([false, false, false, true, true]);
    expect(new Set(clicks.filter((c) => c.human).map((c) => c.messageId)).size).toBe(1);
  });

  it('answers an unknown or malformed code with a plain 404 page, recording nothing', async () => {
    const before = (await app.store.clicks.listByCampaign(campaignId)).length;
    for (const code of ['ZZZZZZZZZZ', 'short', '..%2F..%2Fetc', `${[...codes.values()][0]}x`]) {
      const res = await open(code, { headers: { 'user-agent': BROWSER } });
      expect(res.status, code).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('Link not found');
    }
    await http.clicks.flush();
    expect(await app.store.clicks.listByCampaign(campaignId)).toHaveLength(before);
  });

  it('keeps redirecting while the store does not take clicks, and catches up once it does', async () => {
    const code = [...codes.values()][2] as string;
    const clicks = app.store.clicks as { append(records: readonly ClickRecord[]): Promise<void> };
    const append = clicks.append.bind(clicks);
    let release: () => void = () => undefined;
    const busy = new Promise<void>((resolve) => {
      release = resolve;
    });
    clicks.append = async (records) => {
      await busy;
      return append(records);
    };
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => open(code, { headers: { 'user-agent': BROWSER } })));
      expect(answers.map((r) => r.status)).toEqual(Array(20).fill(302));
      expect((await app.store.clicks.listByCampaign(campaignId)).filter((c) => c.code === code)).toHaveLength(0);
    } finally {
      release();
      clicks.append = append;
    }
    await http.clicks.flush();
    expect((await app.store.clicks.listByCampaign(campaignId)).filter((c) => c.code === code)).toHaveLength(20);
  });

  it('leaves other methods and paths to the rest of the service', async () => {
    const code = [...codes.values()][0] as string;
    expect((await fetch(`${base}/s/${code}`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/api/v1/openapi.json`)).status).toBe(200);
  });

  it('redirects a test send\'s link without recording its clicks', async () => {
    const [result] = await app.campaigns.testSend(campaignId, ['+79990001122']);
    expect(result?.ok).toBe(true);
    const sent = (await app.store.outbox.listByCampaign(campaignId, { limit: 100 })).find((row) => row.test);
    const code = CODE.exec(sent?.text ?? '')?.[1] as string;
    expect(code).toBeDefined();
    const res = await open(code, { headers: { 'user-agent': BROWSER } });
    expect(res.status).toBe(302);
    await http.clicks.flush();
    expect((await app.store.clicks.listByCampaign(campaignId)).filter((c) => c.code === code)).toEqual([]);
  });
});

describe('the click queue', () => {
  it('is bounded: past the bound, clicks are dropped and counted, never waited for', async () => {
    const store = new MemoryStore();
    let release: () => void = () => undefined;
    const busy = new Promise<void>((resolve) => {
      release = resolve;
    });
    const append = store.clicks.append.bind(store.clicks);
    store.clicks.append = async (records) => {
      await busy;
      return append(records);
    };
    const recorder = new ClickRecorder({ store, logger: silentLogger, queueMax: 100 });
    const click = (i: number): ClickRecord => ({ id: `k${i}`, code: 'AbCdEfGhJk', campaignId: 'c1', messageId: 'm1', url: 'https://a.example/', at: '2026-11-27T10:00:00.000Z', human: true });
    for (let i = 0; i < 100; i += 1) recorder.record(click(i));
    // Let the drain take its first batch (all 100), then fill the queue again past its bound.
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 100; i < 250; i += 1) recorder.record(click(i));
    expect(recorder.pending).toBe(100);
    expect(recorder.dropped).toBe(50);
    release();
    await recorder.flush();
    expect(await store.clicks.listByCampaign('c1')).toHaveLength(200);
    expect(recorder.pending).toBe(0);
  });
});
