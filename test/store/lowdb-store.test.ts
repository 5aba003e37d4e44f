import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertStoreRoom } from '../../src/campaigns/store-room.js';
import type { Contact } from '../../src/contacts/contact.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { recoverDamage } from '../../src/store/lowdb/recover.js';
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
  it('journals contacts and consent: one compact line per change, replayed on open; a compaction folds them into the snapshot', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const contact = makeContact();
    await store.contacts.upsertMany([contact]);
    await store.consent.append([makeEntry({ contactId: contact.id })]);
    await store.close();
    const lines = fs.readFileSync(path.join(dir, 'contacts.0.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.map((line) => JSON.parse(line))).toEqual([contact]);
    expect(fs.readFileSync(path.join(dir, 'consent.0.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, 'contacts.json'))).toBe(false);

    const again = await open(dir);
    expect((await again.contacts.getMany([contact.id])).get(contact.id)).toEqual(contact);
    expect((await again.consent.currentMany([contact.id])).get(contact.id)?.marketing).toBe('opted_in');
    // Erasure compacts: the journal is emptied and the snapshot holds what is live.
    await again.contacts.deleteMany([contact.id]);
    await again.scrub?.([contact.phone]);
    await again.close();
    const snapshot = JSON.parse(fs.readFileSync(path.join(dir, 'contacts.json'), 'utf8'));
    expect(snapshot).toEqual({ version: 1, journalGen: 1, items: [] });
    expect(fs.existsSync(path.join(dir, 'contacts.0.jsonl'))).toBe(false);
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('contacts.') && name.endsWith('.jsonl'))).toEqual([]);
    const third = await open(dir);
    expect(await third.contacts.count()).toBe(0);
    await third.close();
  });

  it('a changed contact appends one line, never rewrites the others; the journal compacts once it outgrows what is live', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const contacts = Array.from({ length: 5000 }, () => makeContact());
    await store.contacts.upsertMany(contacts.slice(0, 4999));
    await store.flush();
    const journal = path.join(dir, 'contacts.0.jsonl');
    const before = fs.readFileSync(journal);
    await store.contacts.upsertMany([contacts[4999] as Contact]);
    await store.flush();
    const after = fs.readFileSync(journal);
    // Appended: the earlier lines are byte for byte as they were.
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect(after.length - before.length).toBeLessThan(1000);
    // 5,000 live contacts: 10,000 more lines (re-imports that change them twice) and the journal compacts.
    await store.contacts.upsertMany(contacts.map((contact) => ({ ...contact, city: 'Тверь' })));
    await store.contacts.upsertMany(contacts.map((contact) => ({ ...contact, city: 'Тула' })));
    await store.contacts.upsertMany([{ ...(contacts[1] as Contact), city: 'Тверь' }]);
    await store.flush();
    expect(fs.existsSync(journal)).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'contacts.json'), 'utf8')).items).toHaveLength(5000);
    await store.close();
    const again = await open(dir);
    expect(await again.contacts.count()).toBe(5000);
    expect((await again.contacts.getMany([contacts[2]?.id as string])).get(contacts[2]?.id as string)?.city).toBe('Тула');
    expect((await again.contacts.getMany([contacts[1]?.id as string])).get(contacts[1]?.id as string)?.city).toBe('Тверь');
    await again.close();
  });

  it('drops a torn last journal line; a damaged line before good ones stops start-up naming the file and line', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const contacts = [makeContact(), makeContact()];
    await store.contacts.upsertMany(contacts);
    await store.close();
    const journal = path.join(dir, 'contacts.0.jsonl');
    fs.appendFileSync(journal, '{"id":"torn","pho');
    const again = await open(dir);
    expect(await again.contacts.count()).toBe(2);
    await again.close();
    expect(fs.readFileSync(journal, 'utf8').endsWith('}\n')).toBe(true);

    const text = fs.readFileSync(journal, 'utf8');
    fs.writeFileSync(journal, `xx\u0000${text.slice(3)}`);
    await expect(open(dir)).rejects.toMatchObject({ code: 'STORE_CORRUPT', message: expect.stringMatching(/contacts\.0\.jsonl has a damaged line 1 /) });
    const found = await recoverDamage(dir, new Date('2026-01-01T00:00:00Z'));
    expect(found).toMatchObject([{ file: journal, kind: 'collection-journal', kept: 1 }]);
    const recovered = await open(dir);
    expect((await recovered.contacts.list({ limit: 10 })).map((c) => c.id)).toEqual([contacts[1]?.id]);
    await recovered.close();
  });

  it('group-commits: 200 concurrent changes cost a couple of journal writes, durable once flush resolves', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const contacts = Array.from({ length: 200 }, () => makeContact());
    await Promise.all(contacts.map((contact) => store.contacts.upsertMany([contact])));
    await store.flush();
    expect(fs.readFileSync(path.join(dir, 'contacts.0.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(200);
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
    await store.segments.put({ name: 'a', filter: { field: 'city', op: 'is_known' } } as never);
    await store.flush();
    await store.segments.put({ name: 'b', filter: { field: 'city', op: 'is_known' } } as never);
    await store.flush();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'segments.json'), 'utf8')).items).toHaveLength(2);
    expect(store.writes().segments).toBe(2);
    await store.close();
  });

  it('names a damaged file instead of starting empty', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'contacts.json'), '{"version":1,"items":[{"id"');
    await expect(open(dir)).rejects.toMatchObject({ code: 'STORE_CORRUPT', message: expect.stringContaining('contacts.json') });
    expect(fs.existsSync(path.join(dir, 'smsbridge.sock'))).toBe(false);
  });
});
