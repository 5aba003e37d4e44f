import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { recordConversions } from '../../src/outcomes/record-conversions.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { makeContact, makeOutboxRow } from '../helpers/factories.js';

const at = (day: number, hour = 12): string => new Date(Date.UTC(2026, 10, day, hour)).toISOString();

async function setup() {
  const store = new MemoryStore();
  const anna = makeContact();
  const boris = makeContact();
  await store.contacts.upsertMany([anna, boris]);
  const deps = { store, clock: fixedClock(at(20)), windowDays: 7, defaultCountry: 'RU', currency: 'RUB' };
  return { store, anna, boris, deps };
}

describe('recording conversions', () => {
  it('counts an order once: the same order again is a duplicate, a different amount a conflict', async () => {
    const { store, anna, deps } = await setup();
    const first = await recordConversions([{ contactId: anna.id, orderId: 'A-1', amount: 1500, at: at(10) }], 'api', deps);
    expect(first).toMatchObject({ recorded: 1, duplicates: 0, conflicts: 0 });
    const again = await recordConversions([{ phone: anna.phone, orderId: 'A-1', amount: 1500, currency: 'rub' }], 'file', deps);
    expect(again.outcomes).toEqual([{ orderId: 'A-1', result: 'duplicate' }]);
    const changed = await recordConversions([{ contactId: anna.id, orderId: 'A-1', amount: 1700, at: at(10) }], 'api', deps);
    expect(changed.outcomes[0]).toMatchObject({ result: 'conflict', reason: expect.stringContaining('amount 1500 RUB, not 1700 RUB') });
    expect((await store.conversions.getMany(['A-1'])).get('A-1')).toMatchObject({ amount: 1500, currency: 'RUB', source: 'api', at: at(10) });
    const inOneBatch = await recordConversions([
      { contactId: anna.id, orderId: 'B-1', amount: 10 }, { contactId: anna.id, orderId: 'B-1', amount: 10 }, { contactId: anna.id, orderId: 'B-1', amount: 11 },
    ], 'api', deps);
    expect(inOneBatch.outcomes.map((o) => o.result)).toEqual(['recorded', 'duplicate', 'conflict']);
  });

  it('refuses an order of an unknown contact, and finds contacts by any usual phone form', async () => {
    const { anna, deps } = await setup();
    const result = await recordConversions([
      { phone: '+7 999 000-00-00', orderId: 'X', amount: 1 },
      { phone: `8${anna.phone.slice(2)}`, orderId: 'Y', amount: 1 },
    ], 'api', deps);
    expect(result.outcomes.map((o) => o.result)).toEqual(['unknown_contact', 'recorded']);
    expect(result.unknownContacts).toBe(1);
  });

  it('credits each order to one campaign at record time: a click beats a later delivery, outside the window nothing', async () => {
    const { store, anna, boris, deps } = await setup();
    const clicked = makeOutboxRow({ campaignId: 'spring', contactId: anna.id, status: 'delivered', submittedAt: at(2), variant: 'B' });
    const later = makeOutboxRow({ campaignId: 'summer', contactId: anna.id, status: 'delivered', submittedAt: at(8) });
    const failed = makeOutboxRow({ campaignId: 'autumn', contactId: anna.id, status: 'undelivered', submittedAt: at(9) });
    const borisRow = makeOutboxRow({ campaignId: 'spring', contactId: boris.id, status: 'submitted', submittedAt: at(2) });
    await store.outbox.insertMany([clicked, later, failed, borisRow]);
    await store.clicks.append([
      { id: 'k1', code: 'c1', campaignId: 'spring', messageId: clicked.id, contactId: anna.id, url: 'https://shop.example', at: at(4), human: true },
      { id: 'k2', code: 'c2', campaignId: 'spring', messageId: borisRow.id, contactId: boris.id, url: 'https://shop.example', at: at(5), human: false },
    ]);
    const result = await recordConversions([
      { contactId: anna.id, orderId: 'o1', amount: 100, at: at(10) },
      { contactId: anna.id, orderId: 'o2', amount: 100, at: at(12) },
      { contactId: boris.id, orderId: 'o3', amount: 100, at: at(6) },
      { contactId: boris.id, orderId: 'o4', amount: 100, at: at(19) },
    ], 'api', deps);
    const credit = result.outcomes.map((o) => (o.result === 'recorded' ? o.attribution : undefined));
    expect(credit[0]).toMatchObject({ campaignId: 'spring', via: 'click', variant: 'B', messageId: clicked.id });
    // Past the click's window (day 4 + 7 < day 12), the later delivery wins.
    expect(credit[1]).toMatchObject({ campaignId: 'summer', via: 'message' });
    // A preview fetcher's request is not a click: Boris's order goes to the message that reached him.
    expect(credit[2]).toMatchObject({ campaignId: 'spring', via: 'message' });
    expect(credit[3]).toBeUndefined();
    expect((await store.conversions.listByCampaign('spring')).map((c) => c.id)).toEqual(['o3', 'o1']);
    expect((await store.conversions.listByCampaign('autumn'))).toEqual([]);
  });

  it('credits a held-out contact\'s order to the campaign\'s holdout group', async () => {
    const { store, anna, deps } = await setup();
    await store.holdouts.put({ id: 'spring', contactIds: [anna.id], percent: 5, at: at(1) });
    const result = await recordConversions([{ contactId: anna.id, orderId: 'h1', amount: 100, at: at(3) }], 'api', deps);
    expect(result.outcomes[0]).toMatchObject({ result: 'recorded', attribution: { campaignId: 'spring', via: 'holdout' } });
  });
});
