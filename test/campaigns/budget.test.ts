import { describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { realTimers } from '../../src/delivery/timers.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { createFakeGateway, gatewayAccepted } from '../helpers/fake-gateway.js';
import { makeContact, makeEntry } from '../helpers/factories.js';

async function setup() {
  const store = new MemoryStore();
  const clock = fixedClock('2026-11-27T09:00:00Z');
  const gateway = createFakeGateway();
  const people = Array.from({ length: 5 }, () => makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' }));
  await store.contacts.upsertMany(people);
  await store.consent.append(people.map((c) => makeEntry({ contactId: c.id })));
  let n = 0;
  const newId = (): string => `00000000-0000-0000-0000-${String((n += 1)).padStart(12, '0')}`;
  const service = new CampaignService({
    store, clock, newId, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: { default: { RU: 2 } }, currency: 'RUB',
    gateway: () => gateway, testSendRequiredAbove: 100,
  });
  // One claim per message, so the budget check before each claim is what stops the send.
  const dispatcher = new Dispatcher({
    store, gateway: () => gateway, clock, timers: realTimers, logger: silentLogger, newId, random: () => 0.5, activeCampaigns: () => service.activeIds(),
    onCarrierOptOut: async () => undefined, batchSize: 1,
  });
  return { store, gateway, service, dispatcher, people };
}

const input = { name: 'b', kind: 'transactional' as const, audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Привет, {{firstName}}!', weight: 1 }], campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' as const } };

describe('per-campaign budget', () => {
  it('refuses a campaign whose preview costs more than its budget', async () => {
    const { service } = await setup();
    await expect(service.create({ ...input, maxCost: 9.99 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('The preview costs 10.00 RUB') });
    expect((await service.create({ ...input, maxCost: 10 })).maxCost).toBe(10);
  });

  it('stops sending once the actual cost reaches the budget: longer rendered texts and the gateway\'s own price count', async () => {
    const { store, gateway, service, dispatcher, people } = await setup();
    const campaign = await service.create({ ...input, maxCost: 10 });
    // After the preview, a name grew: that message now takes two segments (UCS-2, over 70 characters).
    await store.contacts.upsertMany([{ ...(people[0] as (typeof people)[number]), firstName: 'Анна-Мария-Луиза-Каролина-Елизавета-Александра-Фёдоровна-Константиновна-Вторая' }]);
    // And the gateway charges more than the price table for one message.
    let calls = 0;
    gateway.respondWith((message) => gatewayAccepted(`p-${message.messageId}`, (calls += 1) === 2 ? { cost: 5 } : {}));
    const started = await service.start(campaign.id);
    expect(started.planned?.recipients).toBe(5);
    while ((await dispatcher.runBatch()) > 0);
    const spent = await store.outbox.spent(campaign.id);
    expect(spent).toBeGreaterThanOrEqual(10);
    expect(gateway.sent.length).toBeLessThan(5);
    expect(await store.outbox.countByStatus(campaign.id)).toMatchObject({ queued: 5 - gateway.sent.length });
    const stopped = await service.get(campaign.id);
    expect(stopped).toMatchObject({ status: 'paused', stopReason: { code: 'budget_reached', spent } });
    expect((await service.report(campaign.id)).budget).toMatchObject({ maxCost: 10, spent, reached: true });
    await expect(service.resume(campaign.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await service.resume(campaign.id, { maxCost: 100 })).status).toBe('sending');
    while ((await dispatcher.runBatch()) > 0);
    expect(gateway.sent).toHaveLength(5);
    expect(await service.completeIfDone(campaign.id)).toBe(true);
  });

  it('a campaign that sent everything within its budget completes rather than pausing', async () => {
    const { store, service, dispatcher } = await setup();
    const campaign = await service.create({ ...input, maxCost: 10 });
    await service.start(campaign.id);
    while ((await dispatcher.runBatch()) > 0);
    expect(await store.outbox.spent(campaign.id)).toBe(10);
    expect(await service.activeIds()).toEqual(new Set([campaign.id]));
    expect(await service.completeIfDone(campaign.id)).toBe(true);
  });
});
