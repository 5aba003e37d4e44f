import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { signSlackRequest } from '../../integrations/slack/signature.js';
import { openApp } from '../../src/app.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import type { Contact } from '../../src/contacts/contact.js';
import type { ConsentEntry } from '../../src/consent/consent.js';
import { createHttpApp } from '../../src/http/app.js';

const SECRET = 'bench-signing-secret-0123456789';

/**
 * `/sms send all <text>` against the real service with 100,000 contacts in the lowdb store: how long the
 * slash command waits for its acknowledgement (Slack gives 3 s), also while earlier previews are being
 * worked out, and how long the preview takes to reach response_url (a local stand-in).
 */
export async function benchSlackAck(count = 100_000, commands = 4): Promise<{ contacts: number; commands: number; maxAckMs: number; medianAckMs: number; maxPreviewMs: number; toSend: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-bench-slack-'));
  const previews = new Map<string, (body: string) => void>();
  const hooks = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      previews.get(req.url ?? '')?.(body);
      res.end('ok');
    });
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => hooks.once('listening', resolve));
  const hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;

  const app = await openApp(loadConfig({
    DATA_DIR: dataDir, LOG_LEVEL: 'silent', API_KEY: 'bench-key-0123456789', SMS_SENDER: 'SHOP', FREQUENCY_CAP_MAX: '100',
    SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_ID: 'B0BENCH', SLACK_BOT_USER_ID: 'U0BENCH', SLACK_ALLOWED_USERS: 'UBENCH', SLACK_MAX_AUDIENCE: '1000000',
  }), { logger: silentLogger });
  const contacts: Contact[] = [];
  const entries: ConsentEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `c${String(i).padStart(7, '0')}`;
    contacts.push({ id, phone: `+7912${String(i).padStart(7, '0')}`, firstName: i % 7 ? 'Анна' : undefined, country: 'RU', city: 'Москва', timezone: 'Europe/Moscow', timezoneSource: 'city', interests: [], tags: [], properties: {}, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
    if (i % 10) entries.push({ id: `e${i}`, contactId: id, status: 'opted_in', scope: 'marketing', origin: 'import', source: 'bench', at: '2026-01-01T00:00:00.000Z' });
  }
  await app.store.contacts.upsertMany(contacts);
  await app.store.consent.append(entries);
  await app.store.segments.put({ name: 'all', filter: { and: [] }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
  await app.store.flush();
  contacts.length = 0;
  entries.length = 0;
  await app.slack?.init();
  const engine = await app.engine();
  const server = createHttpApp({ app, engine }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const send = async (n: number): Promise<{ ackMs: number; previewMs: number; toSend: number }> => {
    const hookPath = `/commands/T1/${n}/x`;
    const preview = new Promise<string>((resolve) => previews.set(hookPath, resolve));
    const body = new URLSearchParams({ command: '/sms', text: 'send all Здравствуйте{{#firstName}}, {{firstName}}{{/firstName}}! Скидка 20% до воскресенья.', user_id: 'UBENCH', user_name: 'bench', channel_id: 'CBENCH', response_url: `${hookBase}${hookPath}`, team_id: 'T1', trigger_id: 'x' }).toString();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const started = performance.now();
    const res = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signSlackRequest(SECRET, timestamp, body) }, body });
    await res.text();
    const ackMs = performance.now() - started;
    if (res.status !== 200) throw new Error(`ack answered ${res.status}`);
    const text = await preview;
    const previewMs = performance.now() - started;
    const toSend = Number(/\*(\d+) will get it\*/.exec(text)?.[1] ?? -1);
    return { ackMs, previewMs, toSend };
  };
  // The first command alone, then the rest while earlier previews are still being worked out.
  const results = [await send(0)];
  const overlapping: Array<Promise<{ ackMs: number; previewMs: number; toSend: number }>> = [];
  for (let n = 1; n < commands; n += 1) {
    overlapping.push(send(n));
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  results.push(...(await Promise.all(overlapping)));
  server.close();
  hooks.close();
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const acks = results.map((r) => r.ackMs).sort((a, b) => a - b);
  return {
    contacts: count, commands, maxAckMs: acks[acks.length - 1] ?? 0, medianAckMs: acks[Math.floor(acks.length / 2)] ?? 0,
    maxPreviewMs: Math.max(...results.map((r) => r.previewMs)), toSend: results[0]?.toSend ?? 0,
  };
}
