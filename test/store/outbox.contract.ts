import { expect, it } from 'vitest';
import { makeOutboxRow } from '../helpers/factories.js';
import type { StoreHarness } from './store.contract.js';

const T = (minutes: number): string => new Date(Date.UTC(2026, 10, 27, 7, minutes)).toISOString();

/** The outbox part of the store contract. */
export function describeOutboxContract(harness: StoreHarness): void {
  it('outbox: claims due messages oldest first, only for active campaigns, each once', async () => {
    const store = await harness.open();
    const rows = [
      makeOutboxRow({ campaignId: 'c1', contactId: 'a', sendAfter: T(5) }),
      makeOutboxRow({ campaignId: 'c1', contactId: 'b', sendAfter: T(0) }),
      makeOutboxRow({ campaignId: 'c1', contactId: 'c', sendAfter: T(60) }),
      makeOutboxRow({ campaignId: 'c2', contactId: 'd', sendAfter: T(0) }),
    ];
    await store.outbox.insertMany(rows);
    const claim = (minutes: number, ids: string[]) =>
      store.outbox.claimDue({ now: new Date(T(minutes)), limit: 10, leaseMs: 60_000, attemptId: `att-${minutes}`, campaignIds: new Set(ids) });
    const first = await claim(10, ['c1']);
    expect(first.map((r) => r.contactId)).toEqual(['b', 'a']);
    expect(first[0]).toMatchObject({ status: 'sending', attempts: 1, attemptId: 'att-10', leaseUntil: T(11) });
    expect(await claim(10, ['c1'])).toEqual([]);
    expect((await claim(10, ['c2'])).map((r) => r.contactId)).toEqual(['d']);
    expect((await claim(61, ['c1'])).map((r) => r.contactId)).toEqual(['c']);
    await store.close();
  });

  it('outbox: a retry time makes a message due again; expired leases become unknown, never queued', async () => {
    const store = await harness.open();
    const row = makeOutboxRow({ campaignId: 'c1', contactId: 'a', sendAfter: T(0) });
    await store.outbox.insertMany([row]);
    const [claimed] = await store.outbox.claimDue({ now: new Date(T(1)), limit: 5, leaseMs: 60_000, attemptId: 'x', campaignIds: new Set(['c1']) });
    if (!claimed) throw new Error('not claimed');
    await store.outbox.updateMany([{ ...claimed, status: 'queued', retryAt: T(3) }]);
    expect(await store.outbox.claimDue({ now: new Date(T(2)), limit: 5, leaseMs: 60_000, attemptId: 'y', campaignIds: new Set(['c1']) })).toEqual([]);
    const again = await store.outbox.claimDue({ now: new Date(T(3)), limit: 5, leaseMs: 60_000, attemptId: 'z', campaignIds: new Set(['c1']) });
    expect(again[0]).toMatchObject({ attempts: 2, attemptId: 'z' });
    expect(await store.outbox.expireLeases(new Date(T(3)))).toEqual([]);
    const expired = await store.outbox.expireLeases(new Date(T(5)));
    expect(expired.map((r) => r.status)).toEqual(['unknown']);
    expect((await store.outbox.getMany([row.id])).get(row.id)?.status).toBe('unknown');
    await store.close();
  });

  it('outbox: finds rows by provider id and the last message to a number; counts by status', async () => {
    const store = await harness.open();
    const a = makeOutboxRow({ campaignId: 'c1', contactId: 'a', phone: '+79120000001', status: 'submitted', providerMessageId: 'P1', submittedAt: T(0) });
    const b = makeOutboxRow({ campaignId: 'c2', contactId: 'a', phone: '+79120000001', status: 'submitted', providerMessageId: 'P2', submittedAt: T(5) });
    const testRow = makeOutboxRow({ campaignId: 'c1', contactId: 'z', status: 'delivered', test: true });
    await store.outbox.insertMany([a, b, testRow]);
    expect([...(await store.outbox.getByProviderIds('simulator', ['P1', 'nope'])).keys()]).toEqual(['P1']);
    expect((await store.outbox.lastToPhone('+79120000001'))?.id).toBe(b.id);
    expect(await store.outbox.countByStatus('c1')).toEqual({ submitted: 1 });
    expect((await store.outbox.marketingSendTimes(['a'], new Date(T(-60)))).get('a')).toHaveLength(2);
    const page = await store.outbox.listByCampaign('c1', { limit: 1 });
    expect(page).toHaveLength(1);
    expect(await store.outbox.listByCampaign('c1', { limit: 5, afterId: page[0]?.id as string })).toHaveLength(1);
    await store.close();
  });

  it('outbox: pages through a campaign once, in id order, and keeps counts right as statuses move', async () => {
    const store = await harness.open();
    const rows = Array.from({ length: 2500 }, (_, i) => makeOutboxRow({ campaignId: 'pages', contactId: `p${i}` }));
    await store.outbox.insertMany([...rows].reverse());
    const seen: string[] = [];
    for (let afterId: string | undefined; ; ) {
      const page = await store.outbox.listByCampaign('pages', afterId === undefined ? { limit: 700 } : { limit: 700, afterId });
      if (page.length === 0) break;
      seen.push(...page.map((r) => r.id));
      afterId = page[page.length - 1]?.id;
    }
    expect(seen).toEqual(rows.map((r) => r.id).sort());
    await store.outbox.updateMany(rows.slice(0, 10).map((r) => ({ ...r, status: 'delivered' as const })));
    expect(await store.outbox.countByStatus('pages')).toEqual({ queued: 2490, delivered: 10 });
    await store.close();
  });

  if (harness.reopen) {
    const reopen = harness.reopen;
    it('outbox: every change survives a restart, in its latest state, across compactions', async () => {
      const store = await harness.open();
      const rows = Array.from({ length: 300 }, (_, i) => makeOutboxRow({ campaignId: 'big', contactId: `k${i}`, sendAfter: T(0) }));
      await store.outbox.insertMany(rows);
      for (let round = 0; round < 20; round += 1) {
        await store.outbox.updateMany(rows.map((row) => ({ ...row, attempts: round, updatedAt: T(round) })));
      }
      await store.outbox.updateMany([{ ...(rows[0] as (typeof rows)[number]), status: 'delivered', attempts: 99 }]);
      await store.flush();
      const again = await reopen(store);
      const found = await again.outbox.getMany(rows.map((r) => r.id));
      expect(found.size).toBe(300);
      expect(found.get(rows[0]?.id as string)).toMatchObject({ status: 'delivered', attempts: 99 });
      expect(found.get(rows[1]?.id as string)).toMatchObject({ status: 'queued', attempts: 19 });
      await again.close();
    });
  }
}
