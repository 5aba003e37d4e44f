import { afterAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import { fixedClock } from '../../src/common/clock.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import type { Store } from '../../src/store/port.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import { makeContact, makeEntry, makeOutboxRow } from '../helpers/factories.js';
import { TEST_DATABASE_URL, checkPostgres, noteSkipped, testSchemas } from '../helpers/postgres.js';

const server = await checkPostgres();
if (!server.ok) noteSkipped('the PostgreSQL campaign start tests', server.reason);
const schemas = testSchemas('start');
const opened: PostgresStore[] = [];
afterAll(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  await schemas.dropAll();
});

async function open(): Promise<PostgresStore> {
  const store = await PostgresStore.open({ url: TEST_DATABASE_URL, schema: schemas.next(), poolSize: 4 });
  opened.push(store);
  return store;
}

async function count(store: PostgresStore, table: string): Promise<number> {
  const result = await store.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(result.rows[0]?.n);
}

/** A marketing campaign with a tracked link to `contacts` opted-in contacts, its plan written `planSlice` rows at a time. */
async function setup(store: Store, options: { contacts: number; testSendRequiredAbove: number; planSlice: number }) {
  const people = Array.from({ length: options.contacts }, () => makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' }));
  await store.contacts.upsertMany(people);
  await store.consent.append(people.map((c) => makeEntry({ contactId: c.id })));
  let n = 0;
  let code = 0;
  const gateway = createFakeGateway();
  const service = new CampaignService({
    store, clock: fixedClock('2026-11-27T07:00:00Z'), newId: () => `00000000-0000-0000-0000-${String((n += 1)).padStart(12, '0')}`, policy: DEFAULT_POLICY,
    defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: { default: { RU: 2 } }, currency: 'RUB', gateway: () => gateway,
    testSendRequiredAbove: options.testSendRequiredAbove, planSlice: options.planSlice,
    shortLinks: { prefix: 'https://s.example.com/s/', newCode: () => `k${(code += 1)}` },
  });
  const campaign = await service.create({
    name: 'spring', kind: 'marketing', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Привет, {{firstName}}! https://shop.example.com/sale', weight: 1 }],
    campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' },
  });
  return { service, campaign };
}

describe.skipIf(!server.ok)('PostgreSQL: a plan written while it is made', () => {
  it('commits every slice at the end, in one transaction, and nothing when the slices fail', async () => {
    const store = await open();
    const rows = Array.from({ length: 5 }, (_, i) => makeOutboxRow({ campaignId: 'p', contactId: `c${i}`, status: 'queued' }));
    const seenMeanwhile: number[] = [];
    await store.outbox.insertPlan((async function* () {
      yield rows.slice(0, 2);
      yield [];
      yield rows.slice(2, 4);
      seenMeanwhile.push(await count(store, 'outbox'));
      yield rows.slice(4);
    })());
    expect(seenMeanwhile).toEqual([0]);
    expect(await store.outbox.countByStatus('p')).toEqual({ queued: 5 });

    const failing = (async function* (): AsyncGenerator<OutboxMessage[]> {
      yield [makeOutboxRow({ campaignId: 'q', contactId: 'c1' })];
      yield [makeOutboxRow({ campaignId: 'q', contactId: 'c2' })];
      throw new Error('planning failed');
    })();
    await expect(store.outbox.insertPlan(failing)).rejects.toThrow('planning failed');
    expect(await store.outbox.countByStatus('q')).toEqual({});

    const twice = (async function* () {
      yield [makeOutboxRow({ campaignId: 'r', contactId: 'c1' })];
      yield [makeOutboxRow({ campaignId: 'r', contactId: 'c1' })];
    })();
    await expect(store.outbox.insertPlan(twice)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await store.outbox.countByStatus('r')).toEqual({});
  });

  it('starts a campaign slice by slice, links stored first; a start that fails half way leaves a draft that starts again', async () => {
    const store = await open();
    // The links after the first slice cannot be stored: the start fails with a slice already written.
    let linkWrites = 0;
    const flaky = new Proxy(store, {
      get: (target, key) => key === 'links'
        ? { ...target.links, insertMany: async (links: Parameters<typeof target.links.insertMany>[0]) => {
          linkWrites += 1;
          if (linkWrites === 2) throw new Error('disk full');
          return target.links.insertMany(links);
        } }
        : Reflect.get(target, key),
    }) as Store;
    const { service, campaign } = await setup(flaky, { contacts: 7, testSendRequiredAbove: 100, planSlice: 3 });
    await expect(service.start(campaign.id, { skipTestSendCheck: true })).rejects.toThrow('disk full');
    expect(linkWrites).toBe(2);
    expect(await store.outbox.countByStatus(campaign.id)).toEqual({});
    expect((await service.get(campaign.id)).status).toBe('draft');

    const started = await service.start(campaign.id, { skipTestSendCheck: true });
    expect(started).toMatchObject({ status: 'sending', planned: { recipients: 7 } });
    expect(await store.outbox.countByStatus(campaign.id)).toEqual({ queued: 7 });
    // Every message's link resolves (the first, failed start left links of its own, never sent).
    const messages = await store.outbox.listByCampaign(campaign.id, { limit: 100 });
    const codes = messages.map((m) => /\/s\/(k\d+)/.exec(m.text)?.[1] as string);
    const links = await store.links.getMany(codes);
    expect(messages.every((m, i) => links.get(codes[i] as string)?.messageId === m.id)).toBe(true);
  });

  it('writes nothing, links included, for a send refused for want of a test send', async () => {
    const store = await open();
    const { service, campaign } = await setup(store, { contacts: 7, testSendRequiredAbove: 3, planSlice: 2 });
    await expect(service.start(campaign.id)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('would send 7 messages') });
    expect(await count(store, 'outbox')).toBe(0);
    expect(await count(store, 'short_links')).toBe(0);
    expect((await service.get(campaign.id)).status).toBe('draft');
    expect(await service.start(campaign.id, { skipTestSendCheck: true })).toMatchObject({ status: 'sending', planned: { recipients: 7 } });
    expect(await count(store, 'short_links')).toBe(7);
  });
});
