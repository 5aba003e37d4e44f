import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importCrmDeals } from '../../../src/outcomes/import-crm-deals.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import { makeContact, makeOutboxRow } from '../../helpers/factories.js';
import { API, testConnection } from './hubspot-nock.js';

beforeEach(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('HubSpot deals closed won as conversions', () => {
  it('searches won deals since a date, reads their contacts, and records each deal once, credited to the campaign that reached the contact', async () => {
    const { hubspot, clock } = testConnection({}, '2026-11-30T12:00:00.000Z');
    const store = new MemoryStore();
    const anna = makeContact({ crm: { system: 'hubspot', id: '501' } });
    const boris = makeContact({ crm: { system: 'hubspot', id: '502' } });
    await store.contacts.upsertMany([anna, boris]);
    await store.outbox.insertMany([makeOutboxRow({ campaignId: 'spring', contactId: anna.id, status: 'delivered', submittedAt: '2026-11-26T09:00:00.000Z' })]);
    const searches: unknown[] = [];
    const scope = nock(API)
      .post('/crm/v3/objects/deals/search', (body: Record<string, unknown>) => {
        searches.push(body);
        return true;
      })
      .reply(200, {
        results: [
          { id: '9001', properties: { amount: '12500.50', closedate: '2026-11-27T10:00:00.000Z', deal_currency_code: 'rub' } },
          { id: '9002', properties: { amount: null, closedate: '2026-11-27T11:00:00.000Z' } },
        ],
        paging: { next: { after: '2' } },
      })
      .post('/crm/v4/associations/deals/contacts/batch/read', { inputs: [{ id: '9001' }, { id: '9002' }] })
      .reply(200, { results: [{ from: { id: '9001' }, to: [{ toObjectId: 777 }, { toObjectId: 501 }] }, { from: { id: '9002' }, to: [{ toObjectId: 502 }] }] })
      .post('/crm/v3/objects/deals/search')
      .reply(200, { results: [{ id: '9003', properties: { amount: '300', closedate: '2026-11-28T10:00:00.000Z' } }] })
      .post('/crm/v4/associations/deals/contacts/batch/read')
      .reply(200, { results: [{ from: { id: '9003' }, to: [{ toObjectId: 999 }] }] });
    const deps = { store, clock, windowDays: 7, defaultCountry: 'RU', currency: 'RUB' };
    const report = await importCrmDeals(hubspot.crm, '2026-11-23T12:00:00.000Z', deps);
    scope.done();
    expect(searches[0]).toMatchObject({
      filterGroups: [{ filters: [
        { propertyName: 'hs_is_closed_won', operator: 'EQ', value: 'true' },
        { propertyName: 'closedate', operator: 'GTE', value: String(Date.parse('2026-11-23T12:00:00.000Z')) },
      ] }],
      properties: ['amount', 'closedate', 'deal_currency_code'],
    });
    expect(report).toMatchObject({ deals: 3, recorded: 1, duplicates: 0, skipped: [{ dealId: '9002', reason: 'no amount' }, { dealId: '9003', reason: expect.stringContaining('not synced') }] });
    const recorded = (await store.conversions.getMany(['hubspot-deal-9001'])).get('hubspot-deal-9001');
    expect(recorded).toMatchObject({ contactId: anna.id, amount: 12500.5, currency: 'RUB', at: '2026-11-27T10:00:00.000Z', source: 'hubspot', attribution: { campaignId: 'spring', via: 'message' } });

    nock(API)
      .post('/crm/v3/objects/deals/search').reply(200, { results: [{ id: '9001', properties: { amount: '12500.50', closedate: '2026-11-27T10:00:00.000Z', deal_currency_code: 'RUB' } }] })
      .post('/crm/v4/associations/deals/contacts/batch/read').reply(200, { results: [{ from: { id: '9001' }, to: [{ toObjectId: '501' }] }] });
    expect(await importCrmDeals(hubspot.crm, '2026-11-23T12:00:00.000Z', deps)).toMatchObject({ deals: 1, recorded: 0, duplicates: 1 });
  });
});
