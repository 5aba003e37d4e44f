import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { EventInbox, inboxPath } from '../../src/store/lowdb/event-inbox.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { findDamage, recoverDamage } from '../../src/store/lowdb/recover.js';
import { makeContact } from '../helpers/factories.js';

const MB = 1024 * 1024;
const T0 = '2026-11-27T07:00:00.000Z';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-recover-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'outbox'));
  return dir;
}
const open = (dataDir: string, readOnly = false): Promise<LowdbStore> => LowdbStore.open({ dataDir, maxBytes: 100 * MB, readOnly });

function row(id: string, status: OutboxMessage['status'], extra: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id, campaignId: 'c1', contactId: `k-${id}`, phone: '+79120000000', kind: 'marketing', variant: 'A', text: 'Hi', encoding: 'GSM-7', segments: 1, cost: 1,
    sender: 'SHOP', gateway: 'simulator', sendAfter: T0, status, attempts: status === 'queued' ? 0 : 1, createdAt: T0, updatedAt: T0, ...extra,
  };
}
const line = (r: OutboxMessage): string => `${JSON.stringify(r)}\n`;

describe('torn tails and damaged files', () => {
  it('a torn last line is still dropped silently: cut by a writer, left alone by a reader', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'outbox', 'c1.0.jsonl');
    fs.writeFileSync(journal, `${line(row('a', 'queued'))}${line(row('b', 'queued'))}{"id":"a","campaignId":"c1","sta`);
    const size = fs.statSync(journal).size;
    const reader = await open(dir, true);
    expect(await reader.outbox.countByStatus('c1')).toEqual({ queued: 2 });
    await reader.close();
    expect(fs.statSync(journal).size).toBe(size);
    const writer = await open(dir);
    expect(await writer.outbox.countByStatus('c1')).toEqual({ queued: 2 });
    await writer.close();
    expect(fs.readFileSync(journal, 'utf8')).toBe(`${line(row('a', 'queued'))}${line(row('b', 'queued'))}`);
  });

  it('a damaged claim with nothing after it for its row: recovery makes the row unknown, never queued', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'outbox', 'c1.0.jsonl');
    const claim = line(row('a', 'sending', { attemptId: 'x', leaseUntil: T0 }));
    const damaged = `${claim.slice(0, 30)}\u0000${claim.slice(31)}`;
    fs.writeFileSync(journal, line(row('a', 'queued')) + line(row('b', 'queued')) + damaged + line(row('b', 'submitted', { providerMessageId: 'P' })));
    expect((await findDamage(dir)).map((d) => [d.damageAt, d.unknownRows])).toEqual([[[Buffer.byteLength(line(row('a', 'queued')) + line(row('b', 'queued')))], ['a']]]);
    await recoverDamage(dir, new Date(T0));
    const store = await open(dir);
    expect((await store.outbox.getMany(['a', 'b'])).get('a')?.status).toBe('unknown');
    expect(await store.outbox.countByStatus('c1')).toEqual({ unknown: 1, submitted: 1 });
    await store.close();
  });

  it('a damaged line whose row cannot be read: every row it might have touched becomes unknown', async () => {
    const dir = tempDir();
    const journal = path.join(dir, 'outbox', 'c1.0.jsonl');
    fs.writeFileSync(journal, line(row('a', 'queued')) + line(row('b', 'queued')) + line(row('c', 'delivered')) + 'xx\u0000\n' + line(row('d', 'queued')));
    const [found] = await recoverDamage(dir, new Date(T0));
    expect(found?.unknownRows.sort()).toEqual(['a', 'b']);
    const store = await open(dir);
    expect(await store.outbox.countByStatus('c1')).toEqual({ unknown: 2, delivered: 1, queued: 1 });
    await store.close();
  });

  it('a damaged collection file names the byte; recovery keeps a copy and every readable item', async () => {
    const dir = tempDir();
    const contacts = [makeContact(), makeContact(), makeContact()];
    const file = path.join(dir, 'contacts.json');
    // The contacts snapshot, as a compaction writes it.
    fs.writeFileSync(file, JSON.stringify({ version: 1, journalGen: 1, items: contacts }));
    const text = fs.readFileSync(file, 'utf8');
    const second = text.indexOf(`{"id":"${contacts[1]?.id}"`);
    fs.writeFileSync(file, `${text.slice(0, second + 3)}\u0000${text.slice(second + 4)}`);
    // Names are Cyrillic: a byte offset, not a character index.
    const byte = Buffer.byteLength(text.slice(0, second));
    expect(byte).toBeGreaterThan(second);
    await expect(open(dir, true)).rejects.toMatchObject({ code: 'STORE_CORRUPT', message: expect.stringContaining(`${file} is damaged at byte ${byte}`) });
    const [found] = await recoverDamage(dir, new Date(T0));
    expect(found).toMatchObject({ file, kind: 'collection', damageAt: [byte], kept: 2 });
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('contacts.json.damaged-'))).toHaveLength(1);
    const again = await open(dir);
    expect((await again.contacts.list({ limit: 10 })).map((c) => c.id)).toEqual([contacts[0]?.id, contacts[2]?.id]);
    await again.close();
  });

  it('a damaged event inbox line: recovery keeps the readable events in order and says how many were lost', async () => {
    const dir = tempDir();
    const file = inboxPath(dir);
    const inbox = await EventInbox.open<{ key: string }>(file);
    await inbox.append([{ key: 'a' }, { key: 'b' }, { key: 'c' }]);
    await inbox.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[1] = `${lines[1]?.slice(0, 10)}\u0000`;
    fs.writeFileSync(file, lines.join('\n'));
    await expect(EventInbox.open(file)).rejects.toMatchObject({ code: 'STORE_CORRUPT', hint: expect.stringContaining('store recover') });
    const [found] = await recoverDamage(dir, new Date(T0));
    expect(found).toMatchObject({ file, kind: 'event-inbox', kept: 2, lostEvents: 1 });
    expect(fs.readdirSync(path.dirname(file)).some((name) => name.startsWith('events.jsonl.damaged-'))).toBe(true);
    const reopened = await EventInbox.open<{ key: string }>(file);
    expect((await reopened.readAfter(0, 10)).map((entry) => entry.event.key)).toEqual(['a', 'c']);
    await reopened.close();
  });
});
