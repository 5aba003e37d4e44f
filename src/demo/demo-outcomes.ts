import { once } from 'node:events';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { AppContext } from '../app.js';
import { createHttpApp } from '../http/app.js';
import type { OutcomeReport } from '../outcomes/outcome-types.js';
import { reportWithOutcomes } from '../reports/outcome-service.js';
import { reportLink } from '../reports/report-link.js';

export interface DemoOutcomes {
  /** Short-link requests made through GET /s/<code>: by people's phones, and by a chat app's link preview. */
  clicks: number;
  previewFetches: number;
  /** Orders sent to POST /api/v1/conversions, by recipients and by held-out contacts. */
  orders: number;
  heldOutOrders: number;
  report: OutcomeReport;
  link: { url: string; expiresAt: string };
}

const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const PREVIEW = 'TelegramBot (like TwitterBot)';

/** A stable number in [0, 1) per text: the demo's "who clicks, who buys" without Math.random. */
function chance(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  return ((hash ^ (hash >>> 12)) >>> 0) / 0x1_0000_0000;
}

/**
 * After the campaign went out: recipients click its short links through the service's real
 * redirect (and a chat app fetches a few previews, which are not counted), some of them buy (orders
 * sent to the REST API, the way a shop's backend would), a few held-out contacts buy too, and the
 * report gains clicks, conversions, revenue and the lift against the holdout.
 */
export async function runDemoOutcomes(app: AppContext, campaignId: string): Promise<DemoOutcomes> {
  const engine = await app.engine();
  const http = createHttpApp({ app, engine });
  const server = http.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const rows = (await app.store.outbox.listByCampaign(campaignId, { limit: 100_000 })).filter((r) => !r.test && (r.status === 'delivered' || r.status === 'submitted'));
    const codeOf = (text: string): string | undefined => /\/s\/([A-Za-z0-9_-]+)/.exec(text)?.[1];
    let clicks = 0;
    let previewFetches = 0;
    const clickers = new Set<string>();
    for (const [i, row] of rows.entries()) {
      const code = codeOf(row.text);
      if (!code) continue;
      if (i < 5) {
        await fetch(`${base}/s/${code}`, { headers: { 'user-agent': PREVIEW }, redirect: 'manual' });
        previewFetches += 1;
      }
      if (chance(`click:${row.contactId}`) >= (row.variant === 'B' ? 0.24 : 0.16)) continue;
      await fetch(`${base}/s/${code}`, { headers: { 'user-agent': PHONE }, redirect: 'manual' });
      clicks += 1;
      clickers.add(row.contactId);
    }
    await http.clicks.flush();

    const orders: Array<{ contactId: string; orderId: string; amount: number }> = [];
    const buy = (contactId: string, odds: number): void => {
      if (chance(`buy:${contactId}`) >= odds) return;
      const amount = 900 + Math.round(chance(`amount:${contactId}`) * 41) * 100;
      orders.push({ contactId, orderId: `demo-${orders.length + 1}`, amount });
      if (chance(`again:${contactId}`) < 0.15) orders.push({ contactId, orderId: `demo-${orders.length + 1}`, amount: Math.round(amount / 2) });
    };
    for (const row of rows) buy(row.contactId, clickers.has(row.contactId) ? 0.35 : 0.03);
    const holdout = await app.store.holdouts.get(campaignId);
    const before = orders.length;
    for (const contactId of holdout?.contactIds ?? []) buy(contactId, 0.02);
    // A small audience may buy nothing: then there is nothing to post (the API refuses an empty batch).
    if (orders.length > 0) {
      const res = await fetch(`${base}/api/v1/conversions`, {
        method: 'POST', headers: { authorization: `Bearer ${app.config.API_KEY ?? ''}`, 'content-type': 'application/json' }, body: JSON.stringify({ conversions: orders }),
      });
      if (res.status !== 200) throw new Error(`POST /api/v1/conversions answered ${res.status}: ${await res.text()}`);
    }
    const { report } = await reportWithOutcomes(app, campaignId);
    const link = reportLink(app.config, campaignId, { now: app.clock.now(), ttlHours: 72 });
    return { clicks, previewFetches, orders: before, heldOutOrders: orders.length - before, report, link };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The demo's API key, kept in a file of the scratch directory (never printed): `serve` there opens the printed link. */
export function demoApiKey(workDir: string, random: () => string): string {
  const file = path.join(workDir, 'api-key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const key = random();
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
