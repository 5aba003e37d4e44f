/**
 * The server side of the redirect benchmark, in its own process: the real service with one marketing
 * campaign of N recipients sending through the simulator (at SIMULATOR_MPS, so it is still sending
 * while the load runs). It writes the campaign's short-link codes to a file, prints its port, and on
 * SIGTERM prints how many messages went out and how many clicks were recorded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApp } from '../../src/app.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/http/serve.js';

const recipients = Number(process.argv[2] ?? 20_000);
const codesFile = process.argv[3] ?? path.join(os.tmpdir(), 'smsb-redirect-codes.json');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-redirect-'));
const real = Date.now();
const noon = new Date(real);
noon.setUTCHours(9, 0, 0, 0);
const clock = { now: () => new Date(noon.getTime() + (Date.now() - real)) };
const app = await openApp(loadConfig({
  DATA_DIR: dir, LOG_LEVEL: 'silent', API_KEY: 'bench-key-0123456789', SMS_SENDER: 'SHOP', SHORT_LINK_BASE: 'https://s.shop.example',
  SIMULATOR_MPS: '300', SIMULATOR_ACCEPT_RATE: '1', TEST_SEND_REQUIRED_ABOVE: '1000000', FREQUENCY_CAP_MAX: '100',
}), { logger: silentLogger, clock });
const now = clock.now().toISOString();
const contacts = Array.from({ length: recipients }, (_, i) => ({
  id: `c${String(i).padStart(7, '0')}`, phone: `+7912${String(i).padStart(7, '0')}`, interests: [], tags: [], properties: {}, createdAt: now, updatedAt: now,
}));
await app.store.contacts.upsertMany(contacts);
await app.store.consent.append(contacts.map((c, i) => ({ id: `e${i}`, contactId: c.id, status: 'opted_in' as const, scope: 'marketing' as const, origin: 'import' as const, source: 'bench', at: now })));
const campaign = await app.campaigns.create({
  name: 'Redirect bench', kind: 'marketing', sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' }, campaignVariables: {},
  audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Sale: https://shop.example/sale', weight: 1 }],
});
await app.campaigns.start(campaign.id);
const codes: string[] = [];
for (const row of await app.store.outbox.listByCampaign(campaign.id, { limit: 5000 })) {
  const code = /\/s\/([A-Za-z0-9_-]+)/.exec(row.text)?.[1];
  if (code) codes.push(code);
}
fs.writeFileSync(codesFile, JSON.stringify(codes));
await app.store.flush();
const service = await startService(app, { port: 0, host: '127.0.0.1' });
const sentNow = async (): Promise<number> => {
  const counts = await app.store.outbox.countByStatus(campaign.id);
  return (counts.submitted ?? 0) + (counts.delivered ?? 0) + (counts.undelivered ?? 0);
};
process.stdout.write(`port ${service.port} sent ${await sentNow()}\n`);
process.once('SIGTERM', () => {
  void (async () => {
    const sent = await sentNow();
    await service.stop();
    const clicks = (await app.store.clicks.listByCampaign(campaign.id)).length;
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`done sent ${sent} clicks ${clicks}\n`);
    process.exit(0);
  })();
});
