import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorGateway } from '../../integrations/gateways/simulator/index.js';
import { createTwilioGateway, twilioConfigSchema } from '../../integrations/gateways/twilio/index.js';
import { fixedClock, systemClock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import { silentLogger } from '../../src/common/logger.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import type { SmsGateway } from '../../src/delivery/gateway.js';
import { manualTimers, realTimers } from '../../src/delivery/timers.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { makeOutboxRow } from '../helpers/factories.js';

const SID = `AC${'a1'.repeat(16)}`;
const API = 'https://api.twilio.com';
const MESSAGES = `/2010-04-01/Accounts/${SID}/Messages.json`;
const twilioEnv = (extra: Record<string, string> = {}) => twilioConfigSchema.parse({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM: '+15017122661', ...extra });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function recordingLogger() {
  const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, msg: msg ?? '', obj: obj as Record<string, unknown> });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return { logger, lines };
}

describe('failover for answers that never come', () => {
  it('Twilio hanging on every request: the circuit opens on timeouts and the failover gateway takes the rest of the campaign', async () => {
    const store = new MemoryStore();
    let twilioCalls = 0;
    // A Twilio that accepts the connection and never answers: only the adapter's own timeout ends the request.
    const hanging: typeof fetch = (_url, init) => {
      twilioCalls += 1;
      return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    };
    const twilio = createTwilioGateway(twilioEnv({ TWILIO_MPS: '50', TWILIO_MAX_IN_FLIGHT: '10', TWILIO_TIMEOUT_MS: '1000' }), { clock: systemClock, fetch: hanging });
    const simulator = createSimulatorGateway({ id: 'simulator', maxSegmentsPerSecond: 1000, acceptRate: 1, replyRate: 0 }, { clock: systemClock, timers: realTimers, onEvents: () => undefined });
    const gateways: Record<string, SmsGateway> = { twilio, simulator };
    const rows = Array.from({ length: 40 }, (_, i) => makeOutboxRow({ campaignId: 'c1', contactId: `r${i}`, gateway: 'twilio', sendAfter: new Date(Date.now() - 1000).toISOString() }));
    await store.outbox.insertMany(rows);
    const { logger, lines } = recordingLogger();
    let n = 0;
    const dispatcher = new Dispatcher({
      store, gateway: (name) => gateways[name] as SmsGateway, clock: systemClock, timers: realTimers, logger, newId: () => `a-${(n += 1)}`, random: () => 0.5,
      activeCampaigns: async () => new Set(['c1']), onCarrierOptOut: async () => undefined,
      failover: { gateway: 'simulator', afterFailures: 5, cooldownMs: 60_000 },
    });
    while ((await dispatcher.runBatch()) > 0);
    await simulator.close();
    const stored = [...(await store.outbox.getMany(rows.map((r) => r.id))).values()];
    const unknown = stored.filter((r) => r.status === 'unknown');
    const viaFailover = stored.filter((r) => r.status === 'submitted' && r.gateway === 'simulator');
    // Only the requests in flight when the circuit opened went to Twilio; none of them is sent again.
    expect(twilioCalls).toBe(10);
    expect(unknown).toHaveLength(10);
    expect(unknown.every((r) => r.gateway === 'twilio' && r.errorCode === 'timeout')).toBe(true);
    expect(viaFailover).toHaveLength(30);
    expect(simulator.stats().accepted).toBe(30);
    expect(lines.some((l) => l.level === 'warn' && l.msg.startsWith('circuit open') && l.obj.gateway === 'twilio')).toBe(true);
  });
});

describe('throttling with a long Retry-After', () => {
  async function throttledBatch(extraEnv: Record<string, string>) {
    const store = new MemoryStore();
    const clock = fixedClock('2026-11-27T07:00:00.000Z');
    const timers = manualTimers(clock);
    const scope = nock(API).post(MESSAGES).reply(429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'Retry-After': '300' });
    const twilio = createTwilioGateway(twilioEnv({ TWILIO_MPS: '5', TWILIO_MAX_IN_FLIGHT: '1', ...extraEnv }), { clock });
    const rows = Array.from({ length: 5 }, (_, i) => makeOutboxRow({ campaignId: 'c1', contactId: `r${i}`, gateway: 'twilio', sendAfter: '2026-11-27T07:00:00.000Z' }));
    await store.outbox.insertMany(rows);
    let claims = 0;
    const claimDue = store.outbox.claimDue.bind(store.outbox);
    store.outbox.claimDue = async (options) => {
      claims += 1;
      return claimDue(options);
    };
    const dispatcher = new Dispatcher({
      store, gateway: () => twilio, clock, timers, logger: silentLogger, newId: () => 'attempt', random: () => 0.5,
      activeCampaigns: async () => new Set(['c1']), onCarrierOptOut: async () => undefined,
    });
    const batch = dispatcher.runBatch();
    let done = false;
    void batch.finally(() => (done = true));
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!done && timers.pending() > 0) timers.advance(1);
    }
    await batch;
    const elapsed = clock.now().getTime() - Date.parse('2026-11-27T07:00:00.000Z');
    const stored = [...(await store.outbox.getMany(rows.map((r) => r.id))).values()];
    // The gateway is still throttled: the next round claims nothing rather than holding rows in `sending`.
    expect(await dispatcher.runBatch()).toBe(0);
    scope.done();
    return { stored, elapsed, claims };
  }

  it('is cut to TWILIO_MAX_RETRY_AFTER_S (default 60 s), and the claimed rows go back to the queue at once', async () => {
    const { stored, elapsed, claims } = await throttledBatch({});
    expect(elapsed).toBeLessThan(1000);
    expect(claims).toBe(1);
    expect(stored.every((r) => r.status === 'queued')).toBe(true);
    const throttled = stored.filter((r) => r.errorCode === 'throttled');
    expect(throttled).toHaveLength(1);
    expect(throttled[0]?.attempts).toBe(1);
    const retryIn = (row: (typeof stored)[number]) => Date.parse(row.retryAt as string) - Date.parse('2026-11-27T07:00:00.000Z');
    expect(retryIn(throttled[0]!)).toBeGreaterThanOrEqual(60_000);
    expect(retryIn(throttled[0]!)).toBeLessThan(62_000);
    const putBack = stored.filter((r) => r.errorCode === undefined);
    expect(putBack).toHaveLength(4);
    for (const row of putBack) {
      expect(row).toMatchObject({ attempts: 0 });
      expect(row.attemptId).toBeUndefined();
      expect(retryIn(row)).toBeGreaterThanOrEqual(59_000);
      expect(retryIn(row)).toBeLessThan(61_000);
    }
  });

  it('honours a smaller bound when configured', async () => {
    const { stored } = await throttledBatch({ TWILIO_MAX_RETRY_AFTER_S: '10' });
    const throttled = stored.find((r) => r.errorCode === 'throttled');
    const retryIn = Date.parse(throttled?.retryAt as string) - Date.parse('2026-11-27T07:00:00.000Z');
    expect(retryIn).toBeGreaterThanOrEqual(10_000);
    expect(retryIn).toBeLessThan(12_000);
  });
});

describe('graceful stop under throttling', () => {
  it('the engine stops at once with a gateway answering 429 Retry-After: 300, and leaves nothing in sending', async () => {
    const { DeliveryEngine } = await import('../../src/engine.js');
    const { EventInbox } = await import('../../src/store/lowdb/event-inbox.js');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-stop-'));
    try {
      const store = new MemoryStore();
      await store.campaigns.put({
        id: 'c1', name: 'c1', status: 'sending', kind: 'marketing', audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Hi', weight: 1 }], campaignVariables: {},
        sender: 'SHOP', gateway: 'twilio', schedule: { type: 'now' }, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(),
      });
      const rows = Array.from({ length: 50 }, (_, i) => makeOutboxRow({ campaignId: 'c1', contactId: `r${i}`, gateway: 'twilio', sendAfter: new Date(Date.now() - 1000).toISOString() }));
      await store.outbox.insertMany(rows);
      let requests = 0;
      nock(API).post(MESSAGES).times(100).reply(() => {
        requests += 1;
        return [429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'Retry-After': '300' }];
      });
      const twilio = createTwilioGateway(twilioEnv({ TWILIO_MPS: '5', TWILIO_MAX_IN_FLIGHT: '1' }), { clock: systemClock });
      const { CampaignService } = await import('../../src/campaigns/campaign-service.js');
      const { DEFAULT_POLICY } = await import('../../src/messages/compliance/index.js');
      const campaigns = new CampaignService({ store, clock: systemClock, newId: () => 'x', policy: DEFAULT_POLICY, defaultZone: 'Europe/Moscow', defaultCountry: 'RU', prices: {}, currency: 'RUB', gateway: () => twilio, testSendRequiredAbove: 100 });
      const engine = new DeliveryEngine({
        store, clock: systemClock, timers: realTimers, logger: silentLogger, newId: () => `a-${Math.random()}`, random: () => 0.5, gateway: () => twilio, campaigns,
        inbox: await EventInbox.open(path.join(dir, 'events.jsonl')),
      });
      engine.start(50);
      while (requests === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const stopping = Date.now();
      await engine.stop();
      expect(Date.now() - stopping).toBeLessThan(1000);
      expect(requests).toBe(1);
      const counts = await store.outbox.countByStatus('c1');
      expect(counts.sending ?? 0).toBe(0);
      expect(counts.queued).toBe(50);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
