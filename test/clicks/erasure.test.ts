import { describe, expect, it } from 'vitest';
import { ClickRecorder } from '../../src/clicks/redirect.js';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { exportPersonalData, forgetPersonalData } from '../../src/contacts/personal-data.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { makeContact, makeOutboxRow } from '../helpers/factories.js';

describe('forgetting a person who clicked or was held out', () => {
  it('exports their clicks, then redacts their clicks, links and holdout entry, keeping the counts', async () => {
    const store = new MemoryStore();
    const anna = makeContact();
    const boris = makeContact();
    await store.contacts.upsertMany([anna, boris]);
    await store.links.insertMany([{ code: 'AbCdEfGhJk', campaignId: 'c1', messageId: 'm1', contactId: anna.id, url: 'https://shop.example/' }]);
    await store.clicks.append([{ id: 'k1', code: 'AbCdEfGhJk', campaignId: 'c1', messageId: 'm1', contactId: anna.id, url: 'https://shop.example/', at: '2026-11-27T10:00:00.000Z', human: true, userAgent: 'Mozilla/5.0 (iPhone)' }]);
    await store.holdouts.put({ id: 'c2', contactIds: [anna.id, boris.id], percent: 5, at: '2026-11-27T09:00:00.000Z' });
    await store.campaigns.put({
      id: 'c1', name: 'Весна', status: 'sending', kind: 'marketing', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'https://shop.example/', weight: 1 }],
      campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' }, createdAt: '2026-11-27T09:00:00.000Z', updatedAt: '2026-11-27T09:00:00.000Z',
    });
    await store.outbox.insertMany([makeOutboxRow({ id: 'm1', campaignId: 'c1', contactId: anna.id, phone: anna.phone })]);
    await store.conversions.insertNew([
      { id: 'order-1', contactId: anna.id, amount: 2490, currency: 'RUB', at: '2026-11-27T12:00:00.000Z', source: 'api', recordedAt: '2026-11-27T12:00:01.000Z', attribution: { campaignId: 'c1', via: 'click', messageId: 'm1', touchedAt: '2026-11-27T10:00:00.000Z' } },
      { id: 'order-2', contactId: boris.id, amount: 100, currency: 'RUB', at: '2026-11-27T12:00:00.000Z', source: 'api', recordedAt: '2026-11-27T12:00:01.000Z' },
    ]);
    const exported = await exportPersonalData(store, anna.phone);
    expect(exported.clicks).toEqual([expect.objectContaining({ id: 'k1', userAgent: 'Mozilla/5.0 (iPhone)' })]);
    expect(exported.orders).toEqual([expect.objectContaining({ id: 'order-1', amount: 2490, attribution: expect.objectContaining({ campaignId: 'c1' }) })]);
    await forgetPersonalData(store, fixedClock('2026-11-28T00:00:00Z'), anna.phone);
    const [clicked] = await store.clicks.listByCampaign('c1');
    expect(clicked).toMatchObject({ human: true, contactId: expect.stringMatching(/^erased:/) });
    expect(clicked?.userAgent).toBeUndefined();
    expect((await store.links.getMany(['AbCdEfGhJk'])).get('AbCdEfGhJk')?.contactId).toBe(clicked?.contactId);
    // A redirect process that cached the link before the erasure records the redacted id, not the old one.
    const recorder = new ClickRecorder({ store, logger: silentLogger, queueMax: 100 });
    recorder.record({ id: 'k2', code: 'AbCdEfGhJk', campaignId: 'c1', messageId: 'm1', url: 'https://shop.example/', at: '2026-11-28T10:00:00.000Z', human: true });
    await recorder.flush();
    expect((await store.clicks.listByCampaign('c1')).map((c) => c.contactId)).toEqual([clicked?.contactId, clicked?.contactId]);
    expect((await exportPersonalData(store, anna.phone)).orders).toEqual([]);
    const holdout = await store.holdouts.get('c2');
    expect(holdout?.contactIds).toEqual([clicked?.contactId, boris.id]);
  });
});
