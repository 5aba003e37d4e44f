import { expect, it } from 'vitest';
import { makeOutboxRow } from '../helpers/factories.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import type { InboundRecord } from '../../src/campaigns/report.js';
import { CampaignReportBuilder, campaignReportFrom } from '../../src/campaigns/report.js';
import type { Campaign } from '../../src/campaigns/campaign.js';
import type { Store } from '../../src/store/port.js';
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

  /** A small A/B campaign: sends, receipts, a failure, a test send, replies and an opt-out. */
  async function abCampaign(store: Store): Promise<{ rows: OutboxMessage[]; inbound: InboundRecord[] }> {
    const rows = Array.from({ length: 40 }, (_, i) => makeOutboxRow({ campaignId: 'agg', contactId: `g${i}`, variant: i % 2 ? 'B' : 'A', segments: 1 + (i % 3), cost: 1.5 }));
    const testRow = makeOutboxRow({ campaignId: 'agg', contactId: 'test:1', status: 'delivered', test: true, submittedAt: T(0), finalAt: T(1) });
    await store.outbox.insertMany([...rows, testRow]);
    const sent = rows.slice(0, 30).map((row, i) => ({ ...row, status: 'submitted' as const, providerMessageId: `PA${i}`, submittedAt: T(i) }));
    await store.outbox.updateMany(sent);
    await store.outbox.updateMany([
      ...sent.slice(0, 20).map((row, i) => ({ ...row, status: 'delivered' as const, finalAt: new Date(Date.parse(row.submittedAt) + 1000 * (i + 1)).toISOString() })),
      { ...(sent[20] as OutboxMessage), status: 'undelivered', errorCode: 'unavailable', finalAt: T(40) },
      { ...(sent[21] as OutboxMessage), status: 'expired', finalAt: T(40) },
      { ...(rows[35] as OutboxMessage), status: 'rejected', errorCode: 'invalid_number' },
      { ...(rows[36] as OutboxMessage), status: 'canceled' },
    ]);
    const reply = (i: number, kind: InboundRecord['kind'], messageId: string | undefined, n: number): InboundRecord => ({
      id: `in-${i}-${n}`, at: T(50 + n), from: `+7913000${i}`, contactId: `g${i}`, text: kind === 'opt_out' ? 'STOP' : 'ok', kind, campaignId: 'agg', ...(messageId ? { messageId } : {}),
    });
    const inbound = [
      reply(0, 'reply', rows[0]?.id, 1), reply(0, 'reply', rows[0]?.id, 2), reply(1, 'reply', rows[1]?.id, 3), reply(3, 'opt_out', rows[3]?.id, 4),
      reply(5, 'reply', undefined, 5), reply(9, 'reply', testRow.id, 6), { ...reply(7, 'reply', undefined, 7), campaignId: 'other' },
    ];
    await store.inbound.append(inbound);
    return { rows: [...rows, testRow], inbound };
  }

  const campaign = { id: 'agg', name: 'agg', status: 'sending', kind: 'marketing', variants: [{ name: 'A' }, { name: 'B' }] } as unknown as Campaign;

  it('outbox: aggregate and inbound tally give the report that folding every row gives', async () => {
    const store = await harness.open();
    await abCampaign(store);
    const aggregate = await store.outbox.aggregate('agg');
    const inbound = await store.inbound.tally('agg');
    expect(aggregate.byStatus).toEqual(await store.outbox.countByStatus('agg'));
    expect(aggregate.spent).toBe(await store.outbox.spent('agg'));
    expect(aggregate.total).toMatchObject({ audience: 40, submitted: 30, delivered: 20, undelivered: 1, failed: 2, canceled: 1, pending: 16 });
    expect(aggregate.failedByCode).toEqual({ expired: 1, invalid_number: 1 });
    expect(inbound).toEqual({ replies: { total: 3, byVariant: { A: 1, B: 1 } }, optOuts: { total: 1, byVariant: { B: 1 } } });
    const folded = new CampaignReportBuilder(campaign, { no_consent: 2 });
    folded.addMessages(await store.outbox.listByCampaign('agg', { limit: 1000 }));
    folded.addInbound(await store.inbound.listByCampaign('agg'));
    expect(campaignReportFrom(campaign, { excluded: { no_consent: 2 }, aggregate, inbound })).toEqual(folded.result());
    expect(await store.outbox.aggregate('nothing')).toMatchObject({ total: { audience: 0 }, byStatus: {}, firstSentAt: null });
    await store.close();
  });

  it('outbox: the aggregate is a copy, and a change after it is read is counted once', async () => {
    const store = await harness.open();
    const { rows } = await abCampaign(store);
    const before = await store.outbox.aggregate('agg');
    before.total.audience = 999;
    await store.outbox.updateMany([{ ...(rows[39] as OutboxMessage), status: 'canceled' }]);
    const after = await store.outbox.aggregate('agg');
    expect(after.total).toMatchObject({ audience: 40, canceled: 2, pending: 15 });
    expect(after.timeToDelivery.samples).toBe(20);
    await store.close();
  });

  it('inbound: erasing a replier keeps the tally as it was (until a restart)', async () => {
    const store = await harness.open();
    await abCampaign(store);
    const before = await store.inbound.tally('agg');
    expect(await store.inbound.erase({ contactId: 'g0', phone: '+79130000' }, 'redacted')).toBe(2);
    expect(await store.inbound.tally('agg')).toEqual(before);
    await store.close();
  });

  if (harness.reopen) {
    const reopen = harness.reopen;
    it('outbox: the aggregate and the inbound tally are the same after a restart', async () => {
      const store = await harness.open();
      await abCampaign(store);
      const aggregate = await store.outbox.aggregate('agg');
      const inbound = await store.inbound.tally('agg');
      await store.flush();
      const again = await reopen(store);
      expect(await again.outbox.aggregate('agg')).toEqual(aggregate);
      expect(await again.inbound.tally('agg')).toEqual(inbound);
      await again.close();
    });

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
