/**
 * The server side of the webhook benchmark, in its own process: the real service (`startService`) on
 * an empty data dir with N submitted Twilio messages. It prints its port, and on SIGTERM stops
 * gracefully and prints how many of those messages a receipt marked delivered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApp } from '../../src/app.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { startService } from '../../src/http/serve.js';

const count = Number(process.argv[2] ?? 20_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-webhooks-'));
const app = await openApp(
  loadConfig({
    DATA_DIR: dir, LOG_LEVEL: 'silent', API_KEY: 'bench-key-0123456789', PUBLIC_URL: 'https://sms.example.com',
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'bench-token', TWILIO_FROM: '+15005550006',
  }),
  { logger: silentLogger },
);
const now = new Date().toISOString();
const rows: OutboxMessage[] = Array.from({ length: count }, (_, i) => ({
  id: `m${i}`, campaignId: 'bench', contactId: `c${i}`, phone: `+7912${String(i).padStart(7, '0')}`, kind: 'transactional', variant: 'A', text: 'x',
  encoding: 'GSM-7', segments: 1, cost: 0, sender: 'SHOP', gateway: 'twilio', sendAfter: now, status: 'submitted', attempts: 1,
  providerMessageId: `SM${String(i).padStart(32, '0')}`, submittedAt: now, createdAt: now, updatedAt: now,
}));
await app.store.outbox.insertMany(rows);
await app.store.flush();
const service = await startService(app, { port: 0, host: '127.0.0.1' });
process.stdout.write(`port ${service.port}\n`);
process.once('SIGTERM', () => {
  void (async () => {
    const engine = await app.engine();
    await engine.processInbox();
    await service.stop();
    const counts = await app.store.outbox.countByStatus('bench');
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`delivered ${counts.delivered ?? 0}\n`);
    process.exit(0);
  })();
});
