import { describe, expect, it } from 'vitest';
import { phoneHash } from '../../src/consent/suppression.js';
import { makeContact, makeEntry, makeOutboxRow } from '../helpers/factories.js';
import type { StoreHarness } from './store.contract.js';

/** Erasure, suppression, spending and reply reads: every store adapter. */
export function describeErasureContract(name: string, harness: StoreHarness): void {
  describe(`store contract (erasure, spending, replies): ${name}`, () => {
    it('deletes contacts and forgets their ledger; redacts their messages and replies; keeps suppression records', async () => {
      const store = await harness.open();
      const a = makeContact();
      const b = makeContact();
      await store.contacts.upsertMany([a, b]);
      await store.consent.append([makeEntry({ contactId: a.id, status: 'opted_out' }), makeEntry({ contactId: b.id })]);
      const rows = [makeOutboxRow({ campaignId: 'c1', contactId: a.id, phone: a.phone }), makeOutboxRow({ campaignId: 'c1', contactId: b.id, phone: b.phone }), makeOutboxRow({ campaignId: 'c2', contactId: `test:${a.phone}`, phone: a.phone, test: true })];
      await store.outbox.insertMany(rows);
      await store.inbound.append([{ id: 'i1', at: '2026-01-02T00:00:00.000Z', from: a.phone, contactId: a.id, text: 'Привет', kind: 'reply', campaignId: 'c1' }, { id: 'i2', at: '2026-01-03T00:00:00.000Z', from: b.phone, text: 'ok', kind: 'reply' }]);
      await store.suppressions.put({ id: phoneHash(a.phone), scope: 'all', at: '2026-01-04T00:00:00.000Z' });

      expect(await store.outbox.erase({ contactId: a.id, phone: a.phone }, { phone: 'erased', contactId: 'erased:x', text: '[erased]' })).toBe(2);
      expect(await store.inbound.erase({ contactId: a.id, phone: a.phone }, 'erased')).toBe(1);
      await store.consent.forget(a.id);
      await store.contacts.deleteMany([a.id, 'missing']);

      expect((await store.contacts.getByPhones([a.phone])).size).toBe(0);
      expect(await store.contacts.count()).toBe(1);
      expect(await store.consent.history(a.id)).toEqual([]);
      expect((await store.consent.currentMany([a.id])).size).toBe(0);
      const left = await store.outbox.getMany(rows.map((r) => r.id));
      expect(left.get(rows[0]?.id as string)).toMatchObject({ phone: 'erased', contactId: 'erased:x', text: '[erased]', status: 'queued' });
      expect(left.get(rows[1]?.id as string)?.phone).toBe(b.phone);
      expect(await store.inbound.since('', 10)).toEqual([expect.objectContaining({ id: 'i1', from: 'erased', text: '' }), expect.objectContaining({ id: 'i2', from: b.phone })]);
      expect(await store.inbound.since('2026-01-02T00:00:00.000Z', 10)).toEqual([expect.objectContaining({ id: 'i2' })]);
      const again = harness.reopen ? await harness.reopen(store) : store;
      expect(await again.suppressions.get(phoneHash(a.phone))).toMatchObject({ scope: 'all' });
      expect((await again.contacts.getByPhones([a.phone])).size).toBe(0);
      await again.close();
    });

    it('spent counts what left (submitted or later, unknown), at its recorded cost, test sends aside', async () => {
      const store = await harness.open();
      const at = '2026-01-01T00:00:00.000Z';
      await store.outbox.insertMany([
        makeOutboxRow({ campaignId: 'c1', contactId: 'r1', cost: 2 }),
        makeOutboxRow({ campaignId: 'c1', contactId: 'r2', cost: 2, status: 'submitted', submittedAt: at }),
        makeOutboxRow({ campaignId: 'c1', contactId: 'r3', cost: 5, status: 'delivered', submittedAt: at }),
        makeOutboxRow({ campaignId: 'c1', contactId: 'r4', cost: 2, status: 'unknown' }),
        makeOutboxRow({ campaignId: 'c1', contactId: 'r5', cost: 2, status: 'rejected' }),
        makeOutboxRow({ campaignId: 'c1', contactId: 'test:x', cost: 2, status: 'submitted', submittedAt: at, test: true }),
      ]);
      expect(await store.outbox.spent('c1')).toBe(9);
      expect(await store.outbox.spent('c2')).toBe(0);
      await store.close();
    });
  });
}
