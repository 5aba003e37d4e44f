import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertStoreRoom } from '../../src/campaigns/store-room.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import type { Store } from '../../src/store/port.js';
import { makeContact, makeEntry } from '../helpers/factories.js';
import { describeStoreContract } from './store.contract.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-lowdb-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const MB = 1024 * 1024;
const open = (dataDir: string, extra: { readOnly?: boolean; maxBytes?: number } = {}): Promise<LowdbStore> =>
  LowdbStore.open({ dataDir, maxBytes: extra.maxBytes ?? 50 * MB, ...(extra.readOnly ? { readOnly: true } : {}) });

describeStoreContract('lowdb', {
  open: () => open(tempDir()),
  reopen: async (store: Store) => {
    await store.close();
    return open(store.describe().location);
  },
});

describe('lowdb store', () => {
  it('writes one compact JSON file per collection under the data dir', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const contact = makeContact();
    await store.contacts.upsertMany([contact]);
    await store.consent.append([makeEntry({ contactId: contact.id })]);
    await store.close();
    const text = fs.readFileSync(path.join(dir, 'contacts.json'), 'utf8');
    expect(text).not.toContain('\n  ');
    expect(JSON.parse(text)).toEqual({ version: 1, items: [contact] });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'consent.json'), 'utf8')).items).toHaveLength(1);
  });

  it('group-commits: 200 concurrent changes cost a couple of writes, durable once flush resolves', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const contacts = Array.from({ length: 200 }, () => makeContact());
    await Promise.all(contacts.map((contact) => store.contacts.upsertMany([contact])));
    await store.flush();
    expect(store.writes().contacts).toBeLessThanOrEqual(2);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'contacts.json'), 'utf8')).items).toHaveLength(200);
    await store.close();
  });

  it('refuses a second writer on the same data dir, and says what to do', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await expect(open(dir)).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    await store.close();
    const again = await open(dir);
    await again.close();
  });

  it('takes over a lock socket file that nobody listens on', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'smsbridge.sock'), '');
    const store = await open(dir);
    expect(fs.statSync(path.join(dir, 'smsbridge.sock')).isSocket()).toBe(true);
    await store.close();
    expect(fs.existsSync(path.join(dir, 'smsbridge.sock'))).toBe(false);
  });

  it('opens read-only beside a writer, reads its data and refuses changes', async () => {
    const dir = tempDir();
    const writer = await open(dir);
    await writer.contacts.upsertMany([makeContact()]);
    await writer.flush();
    const reader = await open(dir, { readOnly: true });
    expect(await reader.contacts.count()).toBe(1);
    await expect(reader.contacts.upsertMany([makeContact()])).rejects.toMatchObject({
      code: 'STORE_LOCKED',
      hint: expect.stringContaining('REST API'),
    });
    await reader.close();
    await writer.close();
  });

  it('past its size budget it still opens and reads (read-only too), and only sending refuses, saying how to make room', async () => {
    const dir = tempDir();
    const store = await open(dir, { maxBytes: MB });
    await store.contacts.upsertMany([makeContact()]);
    await store.close();
    fs.writeFileSync(path.join(dir, 'outbox', 'pad.0.jsonl'), '');
    fs.mkdirSync(path.join(dir, 'inbox'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'inbox', 'events.jsonl'), 'x'.repeat(2 * MB));
    const reader = await open(dir, { maxBytes: MB, readOnly: true });
    expect(await reader.contacts.count()).toBe(1);
    await reader.close();
    const writer = await open(dir, { maxBytes: MB });
    expect(writer.usage().bytes).toBeGreaterThan(2 * MB);
    expect(await writer.contacts.count()).toBe(1);
    expect(() => assertStoreRoom(writer)).toThrow(expect.objectContaining({ code: 'STORE_TOO_LARGE', hint: expect.stringMatching(/campaign archive[\s\S]*--older-than[\s\S]*DATABASE_URL/) }));
    fs.rmSync(path.join(dir, 'inbox'), { recursive: true });
    expect(() => assertStoreRoom(writer)).not.toThrow();
    await writer.close();
  });

  it('flush writes at once even while writes are spaced out after a slow one', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await store.contacts.upsertMany([makeContact()]);
    await store.flush();
    await store.contacts.upsertMany([makeContact()]);
    await store.flush();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'contacts.json'), 'utf8')).items).toHaveLength(2);
    expect(store.writes().contacts).toBe(2);
    await store.close();
  });

  it('names a damaged file instead of starting empty', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'contacts.json'), '{"version":1,"items":[{"id"');
    await expect(open(dir)).rejects.toMatchObject({ code: 'STORE_CORRUPT', message: expect.stringContaining('contacts.json') });
    expect(fs.existsSync(path.join(dir, 'smsbridge.sock'))).toBe(false);
  });
});
