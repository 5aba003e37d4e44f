import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EventInbox } from '../../src/store/lowdb/event-inbox.js';

/**
 * Durable inbox throughput: 200 concurrent appenders (webhook requests), each appending one receipt at
 * a time and waiting until it is fdatasynced (acknowledged) before the next, like a webhook that answers
 * 200 only after the sync. Goal: >= 3,000 events/s. Run: `npx tsx test/bench/inbox.bench.ts`.
 */

const APPENDERS = 200;
const PER_APPENDER = 100;

export async function benchInbox(): Promise<{ events: number; perSecond: number; syncs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-inbox-bench-'));
  let syncs = 0;
  try {
    const inbox = await EventInbox.open<Record<string, string>>(path.join(dir, 'inbox', 'events.jsonl'), { onSync: () => (syncs += 1) });
    const receipt = (id: number, n: number) => ({
      type: 'status',
      gateway: 'twilio',
      providerMessageId: `SM${id.toString(16).padStart(8, '0')}${n.toString(16).padStart(24, '0')}`,
      status: 'delivered',
      at: '2026-11-27T10:00:00.000Z',
      key: `twilio:SM${id}-${n}:delivered`,
    });
    const started = performance.now();
    await Promise.all(
      Array.from({ length: APPENDERS }, async (_, id) => {
        for (let n = 0; n < PER_APPENDER; n += 1) await inbox.append([receipt(id, n)]);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await inbox.close();
    const events = APPENDERS * PER_APPENDER;
    const perSecond = Math.round(events / seconds);
    console.log(`inbox: ${events} events from ${APPENDERS} appenders, ${syncs} fdatasyncs, ${perSecond.toLocaleString('en-US')} events/s`);
    return { events, perSecond, syncs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchInbox();
}
