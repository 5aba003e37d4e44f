import { describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import { fixedClock } from '../../src/common/clock.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import { makeContact, makeEntry } from '../helpers/factories.js';

async function setup(contacts = 5, testSendRequiredAbove = 3) {
  const store = new MemoryStore();
  const clock = fixedClock('2026-11-27T07:00:00Z');
  const gateway = createFakeGateway();
  const people = Array.from({ length: contacts }, () => makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' }));
  await store.contacts.upsertMany(people);
  await store.consent.append(people.map((c) => makeEntry({ contactId: c.id })));
  let n = 0;
  const service = new CampaignService({
    store, clock, newId: () => `00000000-0000-0000-0000-${String((n += 1)).padStart(12, '0')}`, policy: DEFAULT_POLICY,
    defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: { default: { RU: 2 } }, currency: 'RUB', gateway: () => gateway, testSendRequiredAbove,
  });
  const campaign = await service.create({
    name: 'spring', kind: 'marketing', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Привет, {{firstName}}!', weight: 1 }],
    campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' },
  });
  return { store, clock, gateway, service, campaign, people };
}

describe('campaign service', () => {
  it('refuses a large send until a test send of that campaign succeeded', async () => {
    const { service, campaign, gateway, store } = await setup(5, 3);
    await expect(service.start(campaign.id)).rejects.toMatchObject({ code: 'CONFLICT', hint: expect.stringContaining(`campaign test ${campaign.id}`) });
    const results = await service.testSend(campaign.id, ['+79990001122', 'abc']);
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(gateway.sent[0]).toMatchObject({ to: '+79990001122', text: expect.stringContaining('Привет, Анна!') });
    const started = await service.start(campaign.id);
    expect(started).toMatchObject({ status: 'sending', planned: { recipients: 5, excluded: {} } });
    expect(await store.outbox.countByStatus(campaign.id)).toEqual({ queued: 5 });
  });

  it('lets small sends go without a test send, and never plans a campaign twice', async () => {
    const { service, campaign } = await setup(2, 3);
    await service.start(campaign.id);
    await expect(service.start(campaign.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('pauses, resumes and cancels; cancel stops every queued message', async () => {
    const { service, campaign, store } = await setup(4, 10);
    await service.start(campaign.id);
    expect((await service.pause(campaign.id)).status).toBe('paused');
    expect(await service.activeIds()).toEqual(new Set());
    expect((await service.resume(campaign.id)).status).toBe('sending');
    expect((await service.cancel(campaign.id)).status).toBe('canceled');
    expect(await store.outbox.countByStatus(campaign.id)).toEqual({ canceled: 4 });
    await expect(service.resume(campaign.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('completes when nothing is left to send, and reports what happened', async () => {
    const { service, campaign, store } = await setup(3, 10);
    await service.start(campaign.id);
    expect(await service.completeIfDone(campaign.id)).toBe(false);
    const rows = await store.outbox.listByCampaign(campaign.id, { limit: 10 });
    await store.outbox.updateMany(rows.map((row, i) => ({ ...row, status: i === 0 ? 'rejected' : 'delivered', submittedAt: i === 0 ? undefined : '2026-11-27T07:00:01.000Z', finalAt: '2026-11-27T07:00:03.000Z' })));
    expect(await service.completeIfDone(campaign.id)).toBe(true);
    const report = await service.report(campaign.id);
    expect(report).toMatchObject({ status: 'completed', audience: 3, submitted: 2, delivered: 2, failed: 1, segments: 2, cost: 4 });
    expect(report.variants.map((v) => v.name)).toEqual(['A']);
  });
});

describe('routing', () => {
  it('sends each message through the route for its country, the default otherwise, and never records "default"', async () => {
    const store = new MemoryStore();
    const clock = fixedClock('2026-11-27T07:00:00Z');
    const gateway = createFakeGateway();
    const ru = makeContact({ country: 'RU', timezone: 'Europe/Moscow' });
    const us = makeContact({ phone: '+12125550123', country: 'US', timezone: 'America/New_York' });
    await store.contacts.upsertMany([ru, us]);
    let n = 0;
    const routes: Record<string, string> = { RU: 'smsru' };
    const service = new CampaignService({
      store, clock, newId: () => `${String((n += 1)).padStart(8, '0')}-0000-0000-0000-000000000000`, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU',
      prices: { smsru: { RU: 2 }, twilio: { default: 7 } }, currency: 'RUB', gateway: () => gateway, testSendRequiredAbove: 10,
      routeGateway: (country, requested) => (requested && requested !== 'default' ? requested : (country && routes[country]) || 'twilio'),
    });
    const base = { kind: 'transactional' as const, audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Заказ готов', weight: 1 }], campaignVariables: {}, sender: 'SHOP', schedule: { type: 'now' as const } };
    const routed = await service.create({ ...base, name: 'routed', gateway: 'default' });
    await service.start(routed.id);
    const rows = await store.outbox.listByCampaign(routed.id, { limit: 10 });
    expect(Object.fromEntries(rows.map((r) => [r.contactId, [r.gateway, r.cost]]))).toEqual({ [ru.id]: ['smsru', 2], [us.id]: ['twilio', 7] });
    const pinned = await service.create({ ...base, name: 'pinned', gateway: 'vonage' });
    await service.start(pinned.id);
    expect((await store.outbox.listByCampaign(pinned.id, { limit: 10 })).map((r) => r.gateway)).toEqual(['vonage', 'vonage']);
  });
});

describe('campaign ids', () => {
  it('never gives two campaigns the same id, even when short ids collide', async () => {
    const { service } = await setup(1, 10);
    const base = { kind: 'transactional' as const, audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Hi', weight: 1 }], campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' as const } };
    const a = await service.create({ ...base, name: 'a' });
    const b = await service.create({ ...base, name: 'b' });
    expect(a.id).not.toBe(b.id);
    expect(b.id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('campaign creation', () => {
  it('refuses a sender id the gateways would refuse, before anything is saved', async () => {
    const { service, store } = await setup(1, 10);
    const before = (await store.campaigns.list()).length;
    await expect(
      service.create({ name: 'x', kind: 'marketing', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Hi', weight: 1 }], campaignVariables: {}, sender: 'THIS-IS-TOO-LONG-NAME', gateway: 'simulator', schedule: { type: 'now' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('THIS-IS-TOO-LONG-NAME') });
    expect(await store.campaigns.list()).toHaveLength(before);
  });
});
