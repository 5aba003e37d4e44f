import { describe, expect, it } from 'vitest';
import type { ConversionRecord } from '../../src/outcomes/conversion.js';
import { makeOutboxRow } from '../helpers/factories.js';
import type { StoreHarness } from './store.contract.js';

const conversion = (id: string, over: Partial<ConversionRecord> = {}): ConversionRecord => ({
  id, contactId: 'ct1', amount: 1500, currency: 'RUB', at: '2026-11-27T10:00:00.000Z', source: 'api', recordedAt: '2026-11-27T10:00:01.000Z', ...over,
});

/** Conversions, and the outbox query attribution reads: what outcome reports keep and ask. */
export function describeConversionsContract(name: string, harness: StoreHarness): void {
  describe(`store contract (conversions): ${name}`, () => {
    it('inserts an order once: the same id again is left as it was', async () => {
      const store = await harness.open();
      expect([...(await store.conversions.insertNew([conversion('o1'), conversion('o2', { amount: 10 })]))].sort()).toEqual(['o1', 'o2']);
      expect([...(await store.conversions.insertNew([conversion('o1', { amount: 99 }), conversion('o3')]))]).toEqual(['o3']);
      expect([...(await store.conversions.insertNew([conversion('o4'), conversion('o4', { amount: 5 })]))]).toEqual(['o4']);
      const found = await store.conversions.getMany(['o1', 'o4', 'none']);
      expect([...found.keys()].sort()).toEqual(['o1', 'o4']);
      expect(found.get('o1')?.amount).toBe(1500);
      expect(found.get('o4')?.amount).toBe(1500);
      await store.close();
    });

    it('lists conversions per credited campaign and by time, oldest first', async () => {
      const store = await harness.open();
      const attribution = (campaignId: string) => ({ campaignId, via: 'message' as const, messageId: 'm1', variant: 'A', touchedAt: '2026-11-27T09:00:00.000Z' });
      await store.conversions.insertNew([
        conversion('late', { at: '2026-11-28T10:00:00.000Z', attribution: attribution('c1') }),
        conversion('early', { at: '2026-11-26T10:00:00.000Z', attribution: attribution('c1') }),
        conversion('other', { at: '2026-11-27T10:00:00.000Z', attribution: { ...attribution('c2'), via: 'holdout' } }),
        conversion('none', { at: '2026-11-27T11:00:00.000Z' }),
      ]);
      expect((await store.conversions.listByCampaign('c1')).map((c) => c.id)).toEqual(['early', 'late']);
      expect((await store.conversions.listByCampaign('c2'))[0]?.attribution?.via).toBe('holdout');
      expect(await store.conversions.listByCampaign('c3')).toEqual([]);
      expect((await store.conversions.between('2026-11-27T00:00:00.000Z', '2026-11-28T10:00:00.000Z')).map((c) => c.id)).toEqual(['other', 'none']);
      await store.conversions.insertNew([conversion('theirs', { contactId: 'ct2' })]);
      expect((await store.conversions.listByContact('ct1')).map((c) => c.id)).toEqual(['early', 'other', 'none', 'late']);
      expect((await store.conversions.listByContact('ct2')).map((c) => c.id)).toEqual(['theirs']);
      expect(await store.conversions.listByContact('nobody')).toEqual([]);
      await store.close();
    });

    it('finds each contact\'s marketing messages sent since a time, test sends and transactional aside', async () => {
      const store = await harness.open();
      const sent = (minutes: number) => new Date(Date.UTC(2026, 10, 27, 7, minutes)).toISOString();
      const a1 = makeOutboxRow({ campaignId: 'c1', contactId: 'a', status: 'delivered', submittedAt: sent(0) });
      const a2 = makeOutboxRow({ campaignId: 'c2', contactId: 'a', status: 'undelivered', submittedAt: sent(30) });
      const old = makeOutboxRow({ campaignId: 'c0', contactId: 'a', status: 'delivered', submittedAt: sent(-600) });
      const queued = makeOutboxRow({ campaignId: 'c3', contactId: 'a' });
      const test = makeOutboxRow({ campaignId: 'c1', contactId: 'a', status: 'delivered', submittedAt: sent(1), test: true });
      const notice = makeOutboxRow({ campaignId: 'c4', contactId: 'a', kind: 'transactional', status: 'delivered', submittedAt: sent(2) });
      const b = makeOutboxRow({ campaignId: 'c1', contactId: 'b', status: 'submitted', submittedAt: sent(5) });
      await store.outbox.insertMany([a1, a2, old, queued, test, notice, b]);
      const found = await store.outbox.marketingSentTo(['a', 'b', 'nobody'], new Date(sent(-60)));
      expect(found.get('a')?.map((r) => r.id).sort()).toEqual([a1.id, a2.id].sort());
      expect(found.get('a')?.find((r) => r.id === a2.id)?.status).toBe('undelivered');
      expect(found.get('b')?.map((r) => r.id)).toEqual([b.id]);
      expect(found.has('nobody')).toBe(false);
      await store.close();
    });

    it('erases a contact from its orders, keeping their amounts and credit', async () => {
      const store = await harness.open();
      await store.conversions.insertNew([conversion('e1', { contactId: 'gone', attribution: { campaignId: 'c1', via: 'message', touchedAt: '2026-11-27T09:00:00.000Z' } }), conversion('e2')]);
      expect(await store.conversions.erase('gone', 'erased:abc')).toBe(1);
      expect(await store.conversions.erase('nobody', 'erased:x')).toBe(0);
      expect((await store.conversions.listByCampaign('c1'))[0]).toMatchObject({ id: 'e1', contactId: 'erased:abc', amount: 1500 });
      expect((await store.conversions.getMany(['e2'])).get('e2')?.contactId).toBe('ct1');
      await store.close();
    });

    if (harness.reopen) {
      const reopen = harness.reopen;
      it('keeps conversions and their attribution across a restart', async () => {
        let store = await harness.open();
        await store.conversions.insertNew([conversion('kept', { attribution: { campaignId: 'c1', via: 'click', messageId: 'm1', touchedAt: '2026-11-27T09:00:00.000Z' } })]);
        store = await reopen(store);
        expect((await store.conversions.listByCampaign('c1')).map((c) => c.id)).toEqual(['kept']);
        expect((await store.conversions.insertNew([conversion('kept')])).size).toBe(0);
        await store.close();
      });
    }
  });
}
