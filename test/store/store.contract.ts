import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/port.js';
import { makeContact, makeEntry } from '../helpers/factories.js';
import { describeOutboxContract } from './outbox.contract.js';
import { describeErasureContract } from './erasure.contract.js';
import { describeClicksContract } from './clicks.contract.js';
import { describeConversionsContract } from './conversions.contract.js';

export interface StoreHarness {
  /** A fresh, empty store. */
  open(): Promise<Store>;
  /** Closes the store and opens it again over the same data (a restart); omit for stores that keep nothing. */
  reopen?(store: Store): Promise<Store>;
}

/** The behaviour every store adapter must have; run against each one. */
export function describeStoreContract(name: string, harness: StoreHarness): void {
  describeErasureContract(name, harness);
  describeClicksContract(name, harness);
  describeConversionsContract(name, harness);
  describe(`store contract: ${name}`, () => {
    it('upserts contacts in a batch and finds them by id and by phone', async () => {
      const store = await harness.open();
      const a = makeContact();
      const b = makeContact({ city: 'Москва' });
      await store.contacts.upsertMany([a, b]);
      expect(await store.contacts.count()).toBe(2);
      expect((await store.contacts.getMany([b.id, 'missing'])).get(b.id)?.city).toBe('Москва');
      const byPhone = await store.contacts.getByPhones([a.phone, '+70000000000']);
      expect([...byPhone.keys()]).toEqual([a.phone]);
      await store.close();
    });

    it('replaces a contact on upsert and re-indexes a changed phone', async () => {
      const store = await harness.open();
      const a = makeContact();
      await store.contacts.upsertMany([a]);
      await store.contacts.upsertMany([{ ...a, phone: '+79990001122', firstName: 'Борис' }]);
      expect((await store.contacts.getByPhones([a.phone])).size).toBe(0);
      expect((await store.contacts.getByPhones(['+79990001122'])).get('+79990001122')?.firstName).toBe('Борис');
      expect(await store.contacts.count()).toBe(1);
      await store.close();
    });

    it('returns copies: changing a returned contact does not change the store', async () => {
      const store = await harness.open();
      const a = makeContact({ tags: ['vip'] });
      await store.contacts.upsertMany([a]);
      const copy = (await store.contacts.getMany([a.id])).get(a.id);
      copy?.tags.push('changed');
      expect((await store.contacts.getMany([a.id])).get(a.id)?.tags).toEqual(['vip']);
      await store.close();
    });

    it('lists and scans every contact once, in id order, in pages', async () => {
      const store = await harness.open();
      const contacts = Array.from({ length: 25 }, () => makeContact());
      await store.contacts.upsertMany([...contacts].reverse());
      const seen: string[] = [];
      for await (const page of store.contacts.scan({ batchSize: 7 })) {
        expect(page.length).toBeLessThanOrEqual(7);
        seen.push(...page.map((c) => c.id));
      }
      expect(seen).toEqual(contacts.map((c) => c.id).sort());
      const second = await store.contacts.list({ limit: 5, afterId: seen[4] as string });
      expect(second.map((c) => c.id)).toEqual(seen.slice(5, 10));
      await store.close();
    });

    it('keeps the consent ledger and derives the current state from it', async () => {
      const store = await harness.open();
      const a = makeContact();
      await store.contacts.upsertMany([a]);
      await store.consent.append([
        makeEntry({ contactId: a.id, status: 'opted_in', at: '2026-01-01T00:00:00.000Z' }),
        makeEntry({ contactId: a.id, status: 'opted_out', scope: 'all', origin: 'recipient', at: '2026-02-01T00:00:00.000Z' }),
      ]);
      const state = (await store.consent.currentMany([a.id])).get(a.id);
      expect(state).toMatchObject({ marketing: 'opted_out', transactionalAllowed: false, lockedByRecipient: true });
      expect((await store.consent.history(a.id)).map((e) => e.status)).toEqual(['opted_in', 'opted_out']);
      expect(await store.consent.summary()).toEqual({ optedIn: 0, optedOutMarketing: 0, optedOutAll: 1 });
      expect((await store.consent.currentMany(['nobody'])).size).toBe(0);
      await store.close();
    });

    it('saves segments and templates by name, replaces on put and deletes', async () => {
      const store = await harness.open();
      const at = '2026-11-27T10:00:00.000Z';
      await store.segments.put({ name: 'Москва', filter: { field: 'city', op: 'eq', value: 'Москва' }, createdAt: at, updatedAt: at });
      await store.segments.put({ name: 'all', filter: { and: [] }, createdAt: at, updatedAt: at });
      await store.templates.put({ name: 'spring', text: 'Привет, {{firstName}}!', variables: [], createdAt: at, updatedAt: at });
      await store.templates.put({ name: 'spring', text: 'Здравствуйте!', variables: [], createdAt: at, updatedAt: at });
      expect((await store.segments.list()).map((s) => s.name)).toEqual(['all', 'Москва']);
      expect((await store.templates.get('spring'))?.text).toBe('Здравствуйте!');
      expect(await store.segments.delete('all')).toBe(true);
      expect(await store.segments.delete('all')).toBe(false);
      expect(await store.segments.get('all')).toBeUndefined();
      await store.close();
    });

    it('reports no marketing send times before anything was sent', async () => {
      const store = await harness.open();
      expect((await store.outbox.marketingSendTimes(['c-1'], new Date('2026-01-01T00:00:00Z'))).size).toBe(0);
      await store.close();
    });

    it('remembers inbound event keys, stores an idempotency record only if absent, and deletes them by age', async () => {
      const store = await harness.open();
      await store.inbound.append([{ id: 'i1', at: '2026-11-27T10:00:00.000Z', from: '+79120000001', text: 'HELP', kind: 'help', key: 'sim:inbound:1' }]);
      expect(await store.inbound.seenKeys(['sim:inbound:1', 'sim:inbound:2'])).toEqual(new Set(['sim:inbound:1']));
      expect(await store.idempotency.putIfAbsent({ id: 'old', fingerprint: 'first', status: 202, body: {}, at: '2026-11-26T09:00:00.000Z' })).toBe(true);
      expect(await store.idempotency.putIfAbsent({ id: 'old', fingerprint: 'second', status: 202, body: {}, at: '2026-11-26T09:00:00.000Z' })).toBe(false);
      expect((await store.idempotency.get('old'))?.fingerprint).toBe('first');
      await store.idempotency.put({ id: 'old', fingerprint: 'f', status: 202, body: {}, at: '2026-11-26T09:00:00.000Z' });
      await store.idempotency.put({ id: 'new', fingerprint: 'f', status: 202, body: {}, at: '2026-11-27T09:00:00.000Z' });
      expect(await store.idempotency.deleteBefore('2026-11-27T00:00:00.000Z')).toBe(1);
      expect((await store.idempotency.list()).map((r) => r.id)).toEqual(['new']);
      if (harness.reopen) {
        const again = await harness.reopen(store);
        expect(await again.inbound.seenKeys(['sim:inbound:1'])).toEqual(new Set(['sim:inbound:1']));
        expect((await again.idempotency.list()).map((r) => r.id)).toEqual(['new']);
        await again.close();
      } else await store.close();
    });

    describeOutboxContract(harness);

    if (harness.reopen) {
      const reopen = harness.reopen;
      it('keeps contacts and consent across a restart', async () => {
        const store = await harness.open();
        const a = makeContact({ interests: ['спорт'], properties: { shop: 'Тверская' } });
        await store.contacts.upsertMany([a]);
        await store.consent.append([makeEntry({ contactId: a.id })]);
        const at = '2026-11-27T10:00:00.000Z';
        await store.segments.put({ name: 'vip', filter: { field: 'tags', op: 'has_any', value: ['vip'] }, createdAt: at, updatedAt: at });
        await store.templates.put({ name: 'hello', text: 'Hi {{firstName}}', variables: [], createdAt: at, updatedAt: at });
        const again = await reopen(store);
        expect((await again.segments.get('vip'))?.filter).toEqual({ field: 'tags', op: 'has_any', value: ['vip'] });
        expect((await again.templates.get('hello'))?.text).toBe('Hi {{firstName}}');
        expect((await again.contacts.getMany([a.id])).get(a.id)).toEqual(a);
        expect((await again.consent.currentMany([a.id])).get(a.id)?.marketing).toBe('opted_in');
        await again.close();
      });

      it('keeps integration records across a restart, replaced by id', async () => {
        const store = await harness.open();
        await store.integrationState.put({ id: 'slack:pending:p1', data: { status: 'pending' }, at: '2026-11-27T10:00:00.000Z' });
        await store.integrationState.put({ id: 'slack:pending:p1', data: { status: 'confirmed' }, at: '2026-11-27T10:01:00.000Z' });
        const again = await reopen(store);
        expect(await again.integrationState.get('slack:pending:p1')).toEqual({ id: 'slack:pending:p1', data: { status: 'confirmed' }, at: '2026-11-27T10:01:00.000Z' });
        await again.close();
      });
    }
  });
}
