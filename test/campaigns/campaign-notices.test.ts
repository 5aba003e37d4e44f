import { describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import type { ServiceNotice } from '../../src/campaigns/notices.js';
import { fixedClock } from '../../src/common/clock.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import { makeContact, makeEntry } from '../helpers/factories.js';

describe('campaign notices', () => {
  it('tells listeners when a campaign starts, completes or is canceled; a failing listener stops nothing', async () => {
    const store = new MemoryStore();
    const people = Array.from({ length: 3 }, () => makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' }));
    await store.contacts.upsertMany(people);
    await store.consent.append(people.map((c) => makeEntry({ contactId: c.id })));
    const notices: ServiceNotice[] = [];
    let n = 0;
    const service = new CampaignService({
      store, clock: fixedClock('2026-11-27T07:00:00Z'), newId: () => `0000000${(n += 1)}-0000-0000-0000-000000000000`, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU',
      prices: { default: { RU: 2 } }, currency: 'RUB', gateway: () => createFakeGateway(), testSendRequiredAbove: 10,
      notify: (notice) => {
        notices.push(notice);
        if (notice.type === 'campaign_started') throw new Error('listener down');
      },
    });
    const input = { name: 'spring', kind: 'marketing' as const, audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Hi', weight: 1 }], campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' as const } };
    const one = await service.create(input);
    expect((await service.start(one.id)).status).toBe('sending');
    expect(notices).toEqual([{ type: 'campaign_started', campaignId: one.id, name: 'spring', kind: 'marketing', recipients: 3, excluded: 0, cost: 6, currency: 'RUB', at: '2026-11-27T07:00:00.000Z' }]);
    await store.outbox.updateMany((await store.outbox.listByCampaign(one.id, { limit: 10 })).map((r) => ({ ...r, status: 'delivered' as const })));
    await service.completeIfDone(one.id);
    expect(notices[1]).toEqual({ type: 'campaign_finished', campaignId: one.id, name: 'spring', status: 'completed', at: '2026-11-27T07:00:00.000Z' });
    const two = await service.create(input);
    await service.cancel(two.id);
    expect(notices).toHaveLength(2);
    const three = await service.create(input);
    await service.start(three.id);
    await service.cancel(three.id);
    expect(notices[3]).toMatchObject({ type: 'campaign_finished', campaignId: three.id, status: 'canceled' });
  });
});
