import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { BirthdayAutomation } from '../../src/campaigns/birthday.js';
import { runBirthdayAutomation } from '../../src/campaigns/birthday-run.js';
import { CampaignService } from '../../src/campaigns/campaign-service.js';
import { sendSingleOnce } from '../../src/campaigns/send-single.js';
import { fixedClock } from '../../src/common/clock.js';
import { DEFAULT_POLICY } from '../../src/messages/compliance/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import { makeContact, makeEntry } from '../helpers/factories.js';
import { TEST_DATABASE_URL, checkPostgres, noteSkipped, testSchemas } from '../helpers/postgres.js';

const server = await checkPostgres();
if (!server.ok) noteSkipped('keyed-once', server.reason);
const schemas = testSchemas('once');
const opened: PostgresStore[] = [];
afterAll(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  await schemas.dropAll();
});

// 10:00 in Moscow.
const clock = fixedClock('2026-05-15T07:00:00Z');

/** Two instances of the service on one schema: each its own store (pool) and campaign service. */
async function twoInstances(): Promise<Array<{ store: PostgresStore; campaigns: CampaignService }>> {
  const schema = schemas.next();
  const instances = [];
  for (let i = 0; i < 2; i += 1) {
    const store = await PostgresStore.open({ url: TEST_DATABASE_URL, schema, poolSize: 3 });
    opened.push(store);
    const campaigns = new CampaignService({
      store, clock, newId: randomUUID, policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU',
      prices: { default: { RU: 2 } }, currency: 'RUB', gateway: () => createFakeGateway(), testSendRequiredAbove: 0,
    });
    instances.push({ store, campaigns });
  }
  return instances;
}

describe.skipIf(!server.ok)('keys that must act once, with two instances on one database', () => {
  it('putIfAbsent: of two instances storing one id at the same moment, exactly one does', async () => {
    const [a, b] = await twoInstances();
    for (let i = 0; i < 20; i += 1) {
      const record = { id: `key-${i}`, fingerprint: 'f', status: 0, body: {}, at: clock.now().toISOString() };
      const stored = await Promise.all([a?.store.idempotency.putIfAbsent({ ...record, fingerprint: 'a' }), b?.store.idempotency.putIfAbsent({ ...record, fingerprint: 'b' })]);
      expect(stored.filter(Boolean)).toHaveLength(1);
      expect((await a?.store.idempotency.get(record.id))?.fingerprint).toBe(stored[0] ? 'a' : 'b');
    }
  });

  it('one Idempotency-Key sent to both instances at once sends one message; the other answer is the first or "in progress"', async () => {
    const instances = await twoInstances();
    const [a] = instances;
    for (let i = 0; i < 5; i += 1) {
      const message = { to: `+7912000000${i}`, text: 'Your order has shipped.', sender: 'SHOP', gateway: 'default', kind: 'transactional' as const, variables: {} };
      const answers = await Promise.all(instances.map(({ store, campaigns }) => sendSingleOnce({ store, campaigns, clock }, `order-${i}`, 'print', message)));
      const sent = answers.filter((x) => x.status === 202 && !x.replayed);
      expect(sent).toHaveLength(1);
      for (const other of answers.filter((x) => x !== sent[0])) {
        expect(other.status === 409 ? other.body : other).toEqual(other.status === 409 ? { error: expect.stringContaining('in progress') } : { ...sent[0], replayed: true });
      }
      // The loser's draft is gone: one campaign, one message for the key.
      const campaigns = (await a?.store.campaigns.list())?.filter((c) => 'phones' in c.audience && c.audience.phones.includes(message.to)) ?? [];
      expect(campaigns).toHaveLength(1);
      expect(await a?.store.outbox.listByCampaign(campaigns[0]?.id as string, { limit: 10 })).toHaveLength(1);
    }
  });

  it('a birthday run on both instances at once greets each contact once', async () => {
    const instances = await twoInstances();
    const [a] = instances;
    const people = Array.from({ length: 6 }, () => makeContact({ birthDate: '1990-05-15', timezone: 'Europe/Moscow', country: 'RU' }));
    await a?.store.contacts.upsertMany(people);
    await a?.store.consent.append(people.map((c) => makeEntry({ contactId: c.id })));
    const rule: BirthdayAutomation = { id: 'auto1', name: 'Birthday', template: 'birthday', hour: 10, sender: 'SHOP', enabled: true, createdAt: '2026-01-01T00:00:00.000Z' };
    const runs = await Promise.all(instances.map(({ store, campaigns }) => runBirthdayAutomation(rule, {
      store, campaigns, clock, defaultZone: 'Europe/Moscow', loadTemplateText: async () => ({ text: 'С днём рождения, {{firstName}}!', variables: [] }),
    })));
    expect(runs.reduce((sum, run) => sum + run.recipients, 0)).toBe(people.length);
    const messaged: string[] = [];
    for (const run of runs) if (run.campaignId) messaged.push(...((await a?.store.outbox.listByCampaign(run.campaignId, { limit: 100 })) ?? []).map((row) => row.contactId));
    expect(messaged.sort()).toEqual(people.map((c) => c.id).sort());
    expect(await a?.store.greetings.list()).toHaveLength(people.length);
  });
});
