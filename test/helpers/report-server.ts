import fs from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AppContext } from '../../src/app.js';
import { openApp } from '../../src/app.js';
import { daytimeClock } from '../../src/cli/commands/demo.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import { createHttpApp } from '../../src/http/app.js';
import { makeEntry } from './factories.js';

export const REPORT_API_KEY = 'report-key-0123456789';

export interface ReportServer {
  app: AppContext;
  base: string;
  campaignId: string;
  close(): Promise<void>;
}

/** Resolves once `done` says so (clicks are written in the background); fails after 10 s. */
async function waitFor(done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the clicks to be recorded');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The real service on 127.0.0.1 (port 0) with one A/B marketing campaign sent through the simulator
 * (receipts within milliseconds), a holdout, clicks and orders recorded through the REST API.
 */
export async function startReportServer(options: { recipients?: number; env?: Record<string, string> } = {}): Promise<ReportServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-report-'));
  const config = loadConfig({
    DATA_DIR: dataDir, LOG_LEVEL: 'silent', API_KEY: REPORT_API_KEY, SMS_SENDER: 'SHOP', SIMULATOR_ACCEPT_RATE: '1', SIMULATOR_MPS: '2000',
    TEST_SEND_REQUIRED_ABOVE: '100000', SHORT_LINK_BASE: 'https://s.shop.example', FREQUENCY_CAP_MAX: '100', SMS_PRICES: '{"default":{"default":2}}', ...options.env,
  });
  const clock = daytimeClock();
  const app = await openApp(config, { logger: silentLogger, clock, gatewaySettings: { receiptDelayMs: [1, 5], replyRate: 0, seed: 'report-test' } });
  const engine = await app.engine();
  const server: Server = createHttpApp({ app, engine }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const count = options.recipients ?? 60;
  const now = clock.now().toISOString();
  const contacts = Array.from({ length: count + 10 }, (_, i) => ({
    id: `ct-${String(i).padStart(4, '0')}`, phone: `+7916${String(1_000_000 + i)}`, firstName: 'Анна', interests: [], tags: [i < count ? 'audience' : 'held'],
    properties: {}, createdAt: now, updatedAt: now,
  }));
  await app.store.contacts.upsertMany(contacts);
  await app.store.consent.append(contacts.map((c) => makeEntry({ contactId: c.id, at: now })));
  const campaign = await app.campaigns.create({
    name: 'Весна <b>&amp;</b> "sale"', kind: 'marketing', sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' }, campaignVariables: {},
    audience: { filter: { field: 'tags', op: 'has_any', value: ['audience'] } },
    variants: [{ name: 'A', text: 'Скидка 20%: https://shop.example/sale', weight: 1 }, { name: 'B', text: 'Скидка 15%: https://shop.example/sale', weight: 1 }],
  });
  await app.campaigns.start(campaign.id);
  await engine.runCampaign(campaign.id, { receipts: true, timeoutMs: 20_000, pollMs: 20 });
  await app.store.holdouts.put({ id: campaign.id, contactIds: contacts.slice(count).map((c) => c.id), percent: 14, at: now });

  // Clicks through the real redirect by a third of the recipients (a person's browser), and one link-preview fetch.
  const rows = await app.store.outbox.listByCampaign(campaign.id, { limit: count * 2 });
  const codeOf = (text: string): string => /\/s\/([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
  const browser = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1' };
  const clicked = rows.filter((_, i) => i % 3 === 0);
  for (const row of clicked) {
    const res = await fetch(`${base}/s/${codeOf(row.text)}`, { headers: browser, redirect: 'manual' });
    if (res.status !== 302) throw new Error(`GET /s/<code> answered ${res.status}`);
  }
  await fetch(`${base}/s/${codeOf(rows[1]?.text ?? '')}`, { headers: { 'user-agent': 'TelegramBot (like TwitterBot)' }, redirect: 'manual' });
  await waitFor(async () => (await app.store.clicks.listByCampaign(campaign.id)).length === clicked.length + 1);
  const orders = rows.filter((_, i) => i % 5 === 0).map((row, i) => ({ contactId: row.contactId, orderId: `ord-${i}`, amount: 1000 + i * 10, currency: 'RUB' }));
  orders.push({ contactId: contacts[count]?.id ?? '', orderId: 'ord-held', amount: 500, currency: 'RUB' });
  const res = await fetch(`${base}/api/v1/conversions`, {
    method: 'POST', headers: { authorization: `Bearer ${REPORT_API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ conversions: orders }),
  });
  if (res.status !== 200) throw new Error(`conversions: ${res.status} ${await res.text()}`);

  return {
    app, base, campaignId: campaign.id,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
