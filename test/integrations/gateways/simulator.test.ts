import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../../src/common/clock.js';
import type { GatewayEvent, InboundEvent, OutboundSms, SendResult, StatusEvent } from '../../../src/delivery/gateway.js';
import { manualTimers, realTimers } from '../../../src/delivery/timers.js';
import { createSimulatorGateway, DEFAULT_REPLY_TEXTS, planOutcome, simulatorConfigSchema } from '../../../integrations/gateways/simulator/index.js';
import type { SimulatorConfigInput, SimulatorDeps } from '../../../integrations/gateways/simulator/index.js';
import { contractMessage, describeGatewayContract } from '../../delivery/gateway.contract.js';

const START = '2026-03-02T10:00:00.250Z';

function setup(config: SimulatorConfigInput = {}, onEvents?: SimulatorDeps['onEvents']) {
  const clock = fixedClock(START);
  const timers = manualTimers(clock);
  const events: GatewayEvent[] = [];
  const gateway = createSimulatorGateway(config, { clock, timers, onEvents: onEvents ?? ((batch) => void events.push(...batch)) });
  return { clock, timers, events, gateway };
}

const statuses = (events: GatewayEvent[]) => events.filter((e): e is StatusEvent => e.type === 'status');
const inbound = (events: GatewayEvent[]) => events.filter((e): e is InboundEvent => e.type === 'inbound');
const message = (id: string, overrides: Partial<OutboundSms> = {}) => contractMessage({ messageId: id, ...overrides });
const idsOf = (count: number) => Array.from({ length: count }, (_, i) => `m-${i}`);
const outcome = (r: SendResult) => (r.ok ? 'ok' : r.error.code);

describeGatewayContract('simulator', async () => {
  const { timers, events, gateway } = setup({ seed: 'contract', acceptRate: 1 });
  return {
    gateway,
    scenario: {
      accept: () => {},
      rejectInvalid: () => gateway.failNext('invalid_number'),
      throttle: (retryAfterMs) => gateway.failNext({ code: 'throttled', retryAfterMs }),
      serverDown: () => gateway.failNext('unavailable'),
      optedOut: () => gateway.failNext('opted_out'),
    },
    events: () => events,
    settle: async () => {
      timers.runAll();
      await gateway.drain();
    },
    close: () => gateway.close(),
  };
});

describe('simulator gateway: outcomes', () => {
  /** Everything observable about one run, keyed by our message id so runs in any order compare equal. */
  async function run(seed: string, order: string[], concurrently: boolean) {
    const { timers, events, gateway } = setup({ seed, replyRate: 0.3 });
    const results = new Map<string, SendResult>();
    if (concurrently) await Promise.all(order.map(async (id) => results.set(id, await gateway.send(message(id)))));
    else for (const id of order) results.set(id, await gateway.send(message(id)));
    timers.runAll();
    const replies = new Map(inbound(events).map((e) => [e.providerMessageId, `${e.text}@${e.at}`]));
    return Object.fromEntries(
      [...results].sort(([a], [b]) => a.localeCompare(b)).map(([id, result]) => {
        if (!result.ok) return [id, result.error.code];
        const receipt = statuses(events).find((e) => e.messageId === id);
        const reply = replies.get(`SIM-IN-${result.providerMessageId.slice(4)}`);
        return [id, [result.providerMessageId, receipt?.status, receipt?.at, reply].join(' ')];
      }),
    );
  }

  it('gives the same outcomes for the same seed whatever the send order or concurrency', async () => {
    const ids = idsOf(300);
    const inOrder = await run('alpha', ids, false);
    expect(await run('alpha', [...ids].reverse(), true)).toEqual(inOrder);
    const other = await run('beta', ids, false);
    expect(Object.keys(other).filter((id) => other[id] !== inOrder[id]).length).toBeGreaterThan(250);
  });

  it('accepts and delivers at roughly the default rates, refusing for good with the default codes', async () => {
    const { timers, events, gateway } = setup({ seed: 'rates' });
    const results = await Promise.all(idsOf(2000).map((id) => gateway.send(message(id))));
    timers.runAll();
    const failures = results.flatMap((r) => (r.ok ? [] : [r.error]));
    expect(failures.length).toBeGreaterThan(5);
    expect(failures.length).toBeLessThan(45);
    for (const error of failures) {
      expect(['invalid_number', 'blocked', 'message_rejected']).toContain(error.code);
      expect(error.retryable).toBe(false);
    }
    const receipts = statuses(events);
    expect(receipts).toHaveLength(2000 - failures.length);
    const delivered = receipts.filter((e) => e.status === 'delivered').length / receipts.length;
    expect(delivered).toBeGreaterThan(0.93);
    expect(delivered).toBeLessThan(0.97);
    expect(gateway.stats()).toMatchObject({ sent: 2000, accepted: receipts.length, rejected: failures.length, delivered: receipts.filter((e) => e.status === 'delivered').length });
  });

  it('ends undelivered messages as undelivered or expired, each with a provider code', async () => {
    const { timers, events, gateway } = setup({ deliveryRate: 0, rejectCodes: ['blocked'] });
    await Promise.all(idsOf(60).map((id) => gateway.send(message(id))));
    timers.runAll();
    const codes = new Set(statuses(events).map((e) => `${e.status}/${e.providerCode}`));
    expect(codes).toEqual(new Set(['undelivered/UNDELIV', 'expired/EXPIRED']));
    expect(gateway.stats()).toMatchObject({ delivered: 0, replies: 0 });
  });

  it('refuses with the configured reject codes when nothing is accepted', async () => {
    const { gateway } = setup({ acceptRate: 0, rejectCodes: ['blocked'] });
    expect(await gateway.send(message('m'))).toMatchObject({ ok: false, error: { code: 'blocked', retryable: false } });
  });

  it('sends the final receipt within receiptDelayMs of acceptance, carrying our message id', async () => {
    const { timers, events, gateway } = setup({ acceptRate: 1, receiptDelayMs: [500, 800] });
    await Promise.all(idsOf(50).map((id) => gateway.send(message(id))));
    timers.advance(499);
    expect(events).toEqual([]);
    timers.advance(301);
    expect(statuses(events)).toHaveLength(50);
    for (const event of statuses(events)) {
      const delay = Date.parse(event.at) - Date.parse(START);
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(800);
      expect(event.key).toBe(`${event.providerMessageId}:${event.status}`);
      expect(event.messageId).toMatch(/^m-\d+$/);
    }
  });

  it('does not change which messages get delivered when only acceptRate changes', () => {
    for (const id of idsOf(200)) {
      const strict = planOutcome(simulatorConfigSchema.parse({ acceptRate: 0.5 }), id);
      const lenient = planOutcome(simulatorConfigSchema.parse({ acceptRate: 1 }), id);
      if (strict.accepted) expect(lenient).toEqual(strict);
    }
  });

  it('turns a delivery after the validity period into an expiry', async () => {
    const { clock, timers, events, gateway } = setup({ acceptRate: 1, deliveryRate: 1, receiptDelayMs: [500, 500] });
    await gateway.send(message('late', { validUntil: new Date(clock.now().getTime() + 100) }));
    await gateway.send(message('in-time', { validUntil: new Date(clock.now().getTime() + 1000) }));
    timers.runAll();
    expect(statuses(events).map((e) => [e.messageId, e.status])).toEqual([['late', 'expired'], ['in-time', 'delivered']]);
  });

  it('refuses malformed messages as a carrier would, and bills segments counted from the text', async () => {
    const { gateway } = setup({ acceptRate: 1 });
    const code = async (overrides: Partial<OutboundSms>) => outcome(await gateway.send(message(`x-${Math.random()}`, overrides)));
    expect(await code({ to: '89123456789' })).toBe('invalid_number');
    expect(await code({ from: 'AVeryLongSenderName' })).toBe('invalid_sender');
    expect(await code({ text: '' })).toBe('message_rejected');
    expect(await code({ text: 'Привет', encoding: 'GSM-7' })).toBe('message_rejected');
    expect(await gateway.send(message('long', { text: 'a'.repeat(161), segments: 1 }))).toMatchObject({ ok: true, segments: 2 });
    expect(gateway.stats().rejected).toBe(4);
  });

  it('gives a re-sent message a new provider id', async () => {
    const { gateway } = setup({ acceptRate: 1 });
    const first = await gateway.send(message('same'));
    const second = await gateway.send(message('same'));
    expect(first.ok && second.ok && first.providerMessageId !== second.providerMessageId).toBe(true);
  });
});

describe('simulator gateway: throttling', () => {
  it('enforces maxSegmentsPerSecond per clock second and says when the next second starts', async () => {
    const { clock, gateway } = setup({ acceptRate: 1, throttle: true, maxSegmentsPerSecond: 3 });
    expect(gateway.capabilities()).toMatchObject({ maxSegmentsPerSecond: 3, maxInFlight: 50 });
    for (const id of ['a', 'b', 'c']) expect((await gateway.send(message(id))).ok).toBe(true);
    expect(await gateway.send(message('d'))).toMatchObject({ ok: false, error: { code: 'throttled', retryable: true, retryAfterMs: 750 } });
    clock.advance(749);
    expect(await gateway.send(message('d'))).toMatchObject({ ok: false, error: { retryAfterMs: 1 } });
    clock.advance(1);
    expect((await gateway.send(message('d'))).ok).toBe(true);
    expect(gateway.stats()).toMatchObject({ throttled: 2, accepted: 4 });
  });

  it('counts segments, not messages, and lets an oversized message through an empty window', async () => {
    const { clock, gateway } = setup({ acceptRate: 1, throttle: true, maxSegmentsPerSecond: 3 });
    const twoParts = { text: 'a'.repeat(161), segments: 2 };
    expect((await gateway.send(message('a', twoParts))).ok).toBe(true);
    expect(outcome(await gateway.send(message('b', twoParts)))).toBe('throttled');
    expect(outcome(await gateway.send(message('c')))).toBe('ok');
    clock.advance(1000);
    expect(outcome(await gateway.send(message('big', { text: 'a'.repeat(700), segments: 5 })))).toBe('ok');
    expect(outcome(await gateway.send(message('e')))).toBe('throttled');
  });

  it('only reports the rate when throttle is off', async () => {
    const { gateway } = setup({ acceptRate: 1, maxSegmentsPerSecond: 3 });
    const results = await Promise.all(idsOf(10).map((id) => gateway.send(message(id))));
    expect(results.every((r) => r.ok)).toBe(true);
  });
});

describe('simulator gateway: failNext', () => {
  it('fails the next sends with the configured codes in order, then behaves normally', async () => {
    const { gateway } = setup({ acceptRate: 1, failNext: ['throttled', 'unavailable', 'timeout', 'blocked'] });
    const results = [];
    for (const id of idsOf(5)) results.push(await gateway.send(message(id)));
    expect(results.map((r) => (r.ok ? 'ok' : r.error))).toEqual([
      expect.objectContaining({ code: 'throttled', retryable: true, retryAfterMs: 1000 }),
      expect.objectContaining({ code: 'unavailable', retryable: true }),
      expect.objectContaining({ code: 'timeout', retryable: false, outcomeUnknown: true }),
      expect.objectContaining({ code: 'blocked', retryable: false }),
      'ok',
    ]);
    gateway.failNext({ code: 'throttled', retryAfterMs: 42 });
    expect(await gateway.send(message('late'))).toMatchObject({ ok: false, error: { retryAfterMs: 42 } });
    expect(gateway.stats()).toMatchObject({ injected: 5, accepted: 1 });
  });
});

describe('simulator gateway: replies', () => {
  it('has STOP, СТОП, START and HELP among the default reply texts', () => {
    const { replyTexts } = simulatorConfigSchema.parse({});
    expect(replyTexts).toEqual([...DEFAULT_REPLY_TEXTS]);
    expect(replyTexts).toEqual(expect.arrayContaining(['STOP', 'СТОП', 'START', 'HELP', 'ПОМОЩЬ']));
  });

  it('answers from the recipient to the sender replyDelayMs after delivery', async () => {
    const { timers, events, gateway } = setup({
      acceptRate: 1, deliveryRate: 1, replyRate: 1, replyTexts: ['STOP', 'СТОП'], receiptDelayMs: [200, 200], replyDelayMs: [1000, 1000],
    });
    const to = (i: number) => `+7912000${String(i).padStart(4, '0')}`;
    await Promise.all(idsOf(20).map((id, i) => gateway.send(message(id, { to: to(i), from: 'Shop' }))));
    timers.advance(200);
    expect(statuses(events)).toHaveLength(20);
    timers.advance(999);
    expect(inbound(events)).toEqual([]);
    timers.advance(1);
    const replies = inbound(events);
    expect(replies).toHaveLength(20);
    expect(new Set(replies.map((r) => r.text))).toEqual(new Set(['STOP', 'СТОП']));
    expect(new Set(replies.map((r) => r.from))).toEqual(new Set(idsOf(20).map((_, i) => to(i))));
    for (const reply of replies) expect(reply).toMatchObject({ to: 'Shop', key: reply.providerMessageId });
    expect(new Set(replies.map((r) => r.key)).size).toBe(20);
    expect(gateway.stats().replies).toBe(20);
  });

  it('gets no replies to messages that were not delivered', async () => {
    const { timers, events, gateway } = setup({ acceptRate: 1, deliveryRate: 0, replyRate: 1 });
    await Promise.all(idsOf(20).map((id) => gateway.send(message(id))));
    timers.runAll();
    expect(inbound(events)).toEqual([]);
  });
});

describe('simulator gateway: lookup, latency, events, drain and close', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('looks up the last known status: submitted, then the final receipt', async () => {
    const { timers, events, gateway } = setup({ acceptRate: 1 });
    const result = await gateway.send(message('m-1'));
    if (!result.ok) throw new Error('expected acceptance');
    expect(await gateway.lookup(result.providerMessageId)).toMatchObject({ status: 'submitted', messageId: 'm-1', gateway: 'simulator' });
    timers.runAll();
    expect(await gateway.lookup(result.providerMessageId)).toEqual(events[0]);
    expect(await gateway.lookup('SIM-nope')).toBeUndefined();
    expect(await gateway.verifyCredentials()).toMatchObject({ ok: true });
  });

  it('answers after latencyMs', async () => {
    const { timers, gateway } = setup({ acceptRate: 1, latencyMs: 100 });
    let answered = false;
    const pending = gateway.send(message('m')).then(() => (answered = true));
    timers.advance(99);
    await Promise.resolve();
    expect(answered).toBe(false);
    timers.advance(1);
    await pending;
    expect(answered).toBe(true);
  });

  it('offers a failed event hand-off again, and gives up after three tries', async () => {
    let calls = 0;
    const { timers, gateway } = setup({ acceptRate: 1 }, () => {
      calls++;
      if (calls <= 2) throw new Error('store busy');
    });
    await gateway.send(message('m-1'));
    timers.runAll();
    expect(calls).toBe(3);
    const failing = setup({ acceptRate: 1 }, () => Promise.reject(new Error('down')));
    await failing.gateway.send(message('m-2'));
    // Each rejection is seen a few microtasks later and schedules the next try: fire, settle, repeat.
    for (let round = 0; round < 4; round++) {
      failing.timers.runAll();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(failing.timers.pending()).toBe(0);
    expect(failing.gateway.stats().eventsDropped).toBe(1);
    await expect(failing.gateway.drain()).resolves.toBeUndefined();
  });

  it('drains when every receipt has been emitted, with real (faked) timers', async () => {
    vi.useFakeTimers();
    const events: GatewayEvent[] = [];
    const gateway = createSimulatorGateway({ acceptRate: 1 }, { clock: fixedClock(START), timers: realTimers, onEvents: (batch) => void events.push(...batch) });
    await Promise.all(idsOf(5).map((id) => gateway.send(message(id))));
    let drained = false;
    const draining = gateway.drain().then(() => (drained = true));
    await vi.advanceTimersByTimeAsync(150);
    expect(drained).toBe(false);
    await vi.runAllTimersAsync();
    await draining;
    expect(statuses(events)).toHaveLength(5);
  });

  it('keeps draining while a delivered message still owes a reply', async () => {
    const { timers, events, gateway } = setup({ acceptRate: 1, deliveryRate: 1, replyRate: 1, receiptDelayMs: [100, 100], replyDelayMs: [1000, 1000] });
    await gateway.send(message('m-1'));
    let drained = false;
    const draining = gateway.drain().then(() => (drained = true));
    timers.advance(100);
    await new Promise((resolve) => setImmediate(resolve));
    expect(statuses(events)).toHaveLength(1);
    expect(drained).toBe(false);
    timers.advance(1000);
    await draining;
    expect(inbound(events)).toHaveLength(1);
  });

  it('close cancels pending receipts, answers a waiting send, and refuses later sends as unavailable', async () => {
    const { timers, events, gateway } = setup({ acceptRate: 1 });
    await gateway.send(message('m-1'));
    const slow = setup({ acceptRate: 1, latencyMs: 100 });
    const waiting = slow.gateway.send(message('m-2'));
    await gateway.close();
    await slow.gateway.close();
    expect(timers.pending()).toBe(0);
    timers.runAll();
    expect(events).toEqual([]);
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true } });
    expect(await gateway.send(message('m-3'))).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await slow.gateway.send(message('m-4'))).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(slow.timers.pending()).toBe(0);
    await expect(gateway.drain()).resolves.toBeUndefined();
  });
});

describe('simulator config', () => {
  it('fills the documented defaults', () => {
    expect(simulatorConfigSchema.parse({})).toMatchObject({
      id: 'simulator', latencyMs: 0, acceptRate: 0.99, deliveryRate: 0.95, receiptDelayMs: [200, 2000], maxSegmentsPerSecond: 100,
      maxInFlight: 50, throttle: false, replyRate: 0.02, rejectCodes: ['invalid_number', 'blocked', 'message_rejected'], failNext: [],
    });
  });

  it.each([[{ acceptRate: 1.5 }, 'between 0 and 1'], [{ receiptDelayMs: [500, 100] }, 'min <= max'], [{ rejectCodes: ['nope'] }, 'rejectCodes']])(
    'rejects %j',
    (input, expected) => {
      expect(() => simulatorConfigSchema.parse(input)).toThrow(expected);
    },
  );
});
