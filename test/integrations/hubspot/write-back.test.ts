import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../../src/campaigns/campaign-service.js';
import { fixedClock } from '../../../src/common/clock.js';
import { silentLogger } from '../../../src/common/logger.js';
import type { GatewayEvent, StatusEvent } from '../../../src/delivery/gateway.js';
import { manualTimers, realTimers } from '../../../src/delivery/timers.js';
import { DeliveryEngine } from '../../../src/engine.js';
import { DEFAULT_POLICY } from '../../../src/messages/compliance/index.js';
import { EventInbox } from '../../../src/store/lowdb/event-inbox.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import { openHubSpotWriteBack } from '../../../integrations/hubspot/actions.js';
import { createHubSpotClient } from '../../../integrations/hubspot/client.js';
import { memoryCommunicationIndex } from '../../../integrations/hubspot/communication-index.js';
import { createRequestBudget } from '../../../integrations/hubspot/request-budget.js';
import { createFakeGateway } from '../../helpers/fake-gateway.js';
import { makeContact, makeOutboxRow } from '../../helpers/factories.js';

const API = 'https://api.hubapi.com';
const T0 = '2026-11-27T07:00:00.000Z';

beforeAll(() => {
  nock.disableNetConnect();
});
afterAll(() => {
  nock.enableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

interface Bench {
  store: MemoryStore;
  engine: DeliveryEngine;
  clock: ReturnType<typeof fixedClock>;
  dir: string;
  close(): Promise<void>;
}

/** The engine with the HubSpot sinks on durable inboxes, over a memory store, HubSpot mocked at the wire. */
async function bench(): Promise<Bench> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-hs-wb-'));
  const store = new MemoryStore();
  const clock = fixedClock(T0);
  const gateway = createFakeGateway();
  const campaigns = new CampaignService({ store, clock, newId: () => 'x', policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: {}, currency: 'RUB', gateway: () => gateway, testSendRequiredAbove: 100 });
  // No retries inside the budget: the sink's own backoff and the inbox are what is under test.
  const budget = createRequestBudget({ requestsPerWindow: 100, maxRetries: 0 }, { clock, timers: realTimers });
  const client = createHubSpotClient({ accessToken: 'pat-test-token', apiBase: API, requestsPer10s: 100 }, { clock, timers: realTimers, budget });
  const writeBack = await openHubSpotWriteBack({ dataDir: dir, client, store, clock, logger: silentLogger, consentProperty: 'sms_consent', index: memoryCommunicationIndex() });
  const inboxes = await Promise.all(writeBack.sinks.map((sink) => EventInbox.open<GatewayEvent>(path.join(dir, `${sink.name}.jsonl`))));
  const engine = new DeliveryEngine({
    store, clock, timers: manualTimers(clock), logger: silentLogger, newId: () => 'id', random: () => 0.5, gateway: () => gateway, campaigns,
    inbox: await EventInbox.open<GatewayEvent>(path.join(dir, 'events.jsonl')),
    sinks: writeBack.sinks.map((sink, i) => ({ sink, inbox: inboxes[i] as EventInbox<GatewayEvent> })),
  });
  return {
    store, engine, clock, dir,
    close: async () => {
      for (const inbox of inboxes) await inbox.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const submitted = (messageId: string): StatusEvent => ({ type: 'status', gateway: 'simulator', providerMessageId: `P-${messageId}`, messageId, status: 'submitted', at: T0, key: `${messageId}:submitted` });
const delivered = (messageId: string): StatusEvent => ({ type: 'status', gateway: 'simulator', providerMessageId: `P-${messageId}`, messageId, status: 'delivered', at: T0, key: `${messageId}:delivered` });

/** n HubSpot contacts, each with one submitted message. */
async function seed(store: MemoryStore, n: number): Promise<string[]> {
  const contacts = Array.from({ length: n }, (_, i) => makeContact({ crm: { system: 'hubspot', id: String(1000 + i) } }));
  await store.contacts.upsertMany(contacts);
  const rows = contacts.map((contact) => makeOutboxRow({ campaignId: 'c1', contactId: contact.id, phone: contact.phone, status: 'submitted', providerMessageId: `P-${contact.id}`, submittedAt: T0, text: `Hi ${contact.id}` }));
  await store.outbox.insertMany(rows);
  return rows.map((row) => row.id);
}

type Created = { inputs: Array<{ objectWriteTraceId: string; properties: Record<string, string>; associations: Array<{ to: { id: string }; types: Array<{ associationTypeId: number }> }> }> };

/** Answers a batch create as HubSpot does: one result per input, carrying its objectWriteTraceId. */
function createReply(_uri: string, body: Created) {
  return { status: 'COMPLETE', results: body.inputs.map((input, i) => ({ id: `comm-${input.objectWriteTraceId}-${i}`, objectWriteTraceId: input.objectWriteTraceId, properties: input.properties, createdAt: T0, updatedAt: T0, archived: false })), startedAt: T0, completedAt: T0 };
}

describe('HubSpot timeline write-back', () => {
  it('logs 150 sends as communications in two batch calls (100 + 50), associated to the contacts, and sets sms_last_status', async () => {
    const b = await bench();
    try {
      const ids = await seed(b.store, 150);
      const createBatches: Created[] = [];
      const contactBatches: Array<{ inputs: Array<{ id: string; properties: Record<string, string> }> }> = [];
      const scope = nock(API)
        .post('/crm/v3/objects/communications/batch/create').times(2).reply(201, (uri, body) => {
          createBatches.push(body as Created);
          return createReply(uri, body as Created);
        })
        .post('/crm/v3/objects/contacts/batch/update').times(2).reply(200, (_uri, body) => {
          contactBatches.push(body as never);
          return { status: 'COMPLETE', results: [] };
        });
      await b.engine.accept(ids.map(submitted));
      await b.engine.feedSinks();
      scope.done();
      expect(createBatches.map((batch) => batch.inputs.length)).toEqual([100, 50]);
      const first = createBatches[0]!.inputs[0]!;
      expect(first.properties).toMatchObject({ hs_communication_channel_type: 'SMS', hs_communication_logged_from: 'CRM', hs_timestamp: T0 });
      expect(first.properties.hs_communication_body).toContain('Outgoing SMS, sent');
      expect(first.associations[0]).toEqual({ to: { id: '1000' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 81 }] });
      expect(contactBatches.flatMap((batch) => batch.inputs).every((input) => input.properties.sms_last_status === 'submitted')).toBe(true);
    } finally {
      await b.close();
    }
  });

  it('a receipt updates the communication logged at send time instead of adding another', async () => {
    const b = await bench();
    try {
      const [id] = await seed(b.store, 1);
      let updated: unknown;
      nock(API)
        .post('/crm/v3/objects/communications/batch/create').reply(201, (uri, body) => createReply(uri, body as Created))
        .post('/crm/v3/objects/contacts/batch/update').times(2).reply(200, { status: 'COMPLETE', results: [] })
        .post('/crm/v3/objects/communications/batch/update').reply(200, (_uri, body) => {
          updated = body;
          return { status: 'COMPLETE', results: [] };
        });
      await b.engine.accept([submitted(id!)]);
      await b.engine.feedSinks();
      await b.engine.accept([delivered(id!)]);
      await b.engine.feedSinks();
      expect(updated).toEqual({ inputs: [{ id: `comm-${id}-0`, properties: { hs_communication_body: expect.stringContaining('Outgoing SMS, delivered') } }] });
      expect(nock.isDone()).toBe(true);
    } finally {
      await b.close();
    }
  });

  it('catches up after a HubSpot outage (5xx): nothing lost, nothing doubled, in order', async () => {
    const b = await bench();
    try {
      const ids = await seed(b.store, 5);
      const created: string[] = [];
      nock(API).post('/crm/v3/objects/communications/batch/create').times(2).reply(503, { status: 'error', message: 'Service unavailable' });
      await b.engine.accept(ids.slice(0, 3).map(submitted));
      await b.engine.feedSinks();
      // Still down, and backing off: the next round does not even call.
      await b.engine.accept(ids.slice(3).map(submitted));
      await b.engine.feedSinks();
      expect(nock.pendingMocks()).toHaveLength(1);
      b.clock.advance(2_500);
      await b.engine.feedSinks();
      expect(nock.isDone()).toBe(true);

      nock(API)
        .post('/crm/v3/objects/communications/batch/create').times(5).reply(201, (uri, body) => {
          created.push(...(body as Created).inputs.map((input) => input.objectWriteTraceId));
          return createReply(uri, body as Created);
        })
        .post('/crm/v3/objects/contacts/batch/update').times(5).reply(200, { status: 'COMPLETE', results: [] });
      b.clock.advance(4_500);
      await b.engine.feedSinks();
      expect(created).toEqual(ids);
      // Replaying the same events (a sink is handed a batch again after a crash) creates nothing new.
      await b.engine.accept(ids.map(submitted));
      nock(API).post('/crm/v3/objects/communications/batch/update').reply(200, { status: 'COMPLETE', results: [] });
      await b.engine.feedSinks();
      expect(created).toEqual(ids);
    } finally {
      await b.close();
    }
  });

  it('writes opt-outs and opt-ins from replies to sms_consent, and logs the replies', async () => {
    const b = await bench();
    try {
      const contact = makeContact({ crm: { system: 'hubspot', id: '777' } });
      const stranger = makeContact();
      await b.store.contacts.upsertMany([contact, stranger]);
      const reply = (text: string, n: number, from = contact.phone): GatewayEvent => ({ type: 'inbound', gateway: 'simulator', providerMessageId: `IN${n}`, from, to: 'SHOP', text, at: `2026-11-27T07:0${n}:00.000Z`, key: `IN${n}` });
      const contactUpdates: Array<{ inputs: Array<{ id: string; properties: Record<string, string> }> }> = [];
      const bodies: string[] = [];
      nock(API)
        .post('/crm/v3/objects/communications/batch/create').times(2).reply(201, (uri, body) => {
          bodies.push(...(body as Created).inputs.map((input) => input.properties.hs_communication_body as string));
          return createReply(uri, body as Created);
        })
        .post('/crm/v3/objects/contacts/batch/update').times(2).reply(200, (_uri, body) => {
          contactUpdates.push(body as never);
          return { status: 'COMPLETE', results: [] };
        });
      await b.engine.accept([reply('STOP', 1), reply('STOP', 2, stranger.phone)]);
      await b.engine.feedSinks();
      await b.engine.accept([reply('START', 3)]);
      await b.engine.feedSinks();
      expect(contactUpdates).toEqual([
        { inputs: [{ id: '777', properties: { sms_consent: 'opted_out', sms_consent_updated_at: '2026-11-27T07:01:00.000Z' } }] },
        { inputs: [{ id: '777', properties: { sms_consent: 'opted_in', sms_consent_updated_at: '2026-11-27T07:03:00.000Z' } }] },
      ]);
      // The stranger is no HubSpot contact: nothing is written for them.
      expect(bodies).toEqual(['Incoming SMS reply (opt-out):\nSTOP', 'Incoming SMS reply (opt-in):\nSTART']);
    } finally {
      await b.close();
    }
  });

  it('an item HubSpot refuses for good (a contact deleted since) is skipped, not retried forever, and holds nothing back', async () => {
    const b = await bench();
    try {
      const ids = await seed(b.store, 2);
      const singles: string[] = [];
      nock(API)
        .post('/crm/v3/objects/communications/batch/create').reply(201, (uri, body) => createReply(uri, body as Created))
        // The batch is refused as a whole, then each contact alone: 1000 is gone, 1001 is fine.
        .post('/crm/v3/objects/contacts/batch/update', (body) => body.inputs.length === 2).reply(400, { status: 'error', message: 'One or more contacts do not exist', category: 'VALIDATION_ERROR' })
        .post('/crm/v3/objects/contacts/batch/update', (body) => body.inputs.length === 1 && body.inputs[0].id === '1000').reply(400, { status: 'error', message: 'Contact 1000 does not exist', category: 'OBJECT_NOT_FOUND' })
        .post('/crm/v3/objects/contacts/batch/update', (body) => {
          singles.push(body.inputs[0].id);
          return body.inputs.length === 1 && body.inputs[0].id === '1001';
        }).reply(200, { status: 'COMPLETE', results: [] });
      await b.engine.accept(ids.map(submitted));
      await b.engine.feedSinks();
      expect(nock.isDone()).toBe(true);
      expect(singles).toEqual(['1001']);
      // The sink is not backing off: the next event goes out at once.
      nock(API)
        .post('/crm/v3/objects/communications/batch/update').reply(200, { status: 'COMPLETE', results: [] })
        .post('/crm/v3/objects/contacts/batch/update').reply(200, { status: 'COMPLETE', results: [] });
      await b.engine.accept([delivered(ids[1]!)]);
      await b.engine.feedSinks();
      expect(nock.isDone()).toBe(true);
    } finally {
      await b.close();
    }
  });
});
