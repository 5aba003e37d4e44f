import { describe, expect, it } from 'vitest';
import type { GatewayEvent, SendResult } from '../../src/delivery/gateway.js';
import { createFakeGateway, gatewayAccepted, gatewayFailure } from '../helpers/fake-gateway.js';
import { contractMessage, describeGatewayContract } from './gateway.contract.js';

describeGatewayContract('fake gateway', async () => {
  const gateway = createFakeGateway();
  return {
    gateway,
    scenario: {
      accept: () => gateway.enqueue((message) => gatewayAccepted(`FAKE-${message.messageId}`)),
      rejectInvalid: () => gateway.enqueue(gatewayFailure('invalid_number')),
      throttle: (retryAfterMs) => gateway.enqueue(gatewayFailure('throttled', { retryAfterMs })),
      serverDown: () => gateway.enqueue(gatewayFailure('unavailable')),
      optedOut: () => gateway.enqueue(gatewayFailure('opted_out')),
    },
    events: () => gateway.events,
    settle: async () => {
      gateway.deliverAll();
    },
    close: () => gateway.close(),
  };
});

describe('fake gateway', () => {
  it('records every message it is given, in order, whatever the answer', async () => {
    const gateway = createFakeGateway();
    gateway.enqueue(gatewayFailure('invalid_number'));
    const first = contractMessage();
    const second = contractMessage({ text: 'Привет', encoding: 'UCS-2' });
    await gateway.send(first);
    await gateway.send(second);
    expect(gateway.sent).toEqual([first, second]);
  });

  it('answers from the queue first, then from the responder, which sees the attempt number', async () => {
    const seen: number[] = [];
    const gateway = createFakeGateway({
      respond: (message, attempt) => {
        seen.push(attempt);
        return gatewayAccepted(`P-${message.messageId}-${attempt}`);
      },
    });
    gateway.enqueue(gatewayFailure('throttled', { retryAfterMs: 250 }), gatewayFailure('unavailable'));
    const message = contractMessage({ messageId: 'm-1' });
    const results: SendResult[] = [];
    for (let i = 0; i < 3; i++) results.push(await gateway.send(message));
    expect(results.map((r) => (r.ok ? r.providerMessageId : r.error.code))).toEqual(['throttled', 'unavailable', 'P-m-1-3']);
    expect(seen).toEqual([3]);
  });

  it('lets a test swap the responder mid-run', async () => {
    const gateway = createFakeGateway();
    expect((await gateway.send(contractMessage())).ok).toBe(true);
    gateway.respondWith(() => gatewayFailure('insufficient_funds'));
    expect(await gateway.send(contractMessage())).toMatchObject({ ok: false, error: { code: 'insufficient_funds', retryable: false } });
  });

  it('marks a timeout failure as outcome unknown and not retryable', () => {
    expect(gatewayFailure('timeout')).toMatchObject({ ok: false, error: { code: 'timeout', retryable: false, outcomeUnknown: true } });
  });

  it('reports the capabilities it was given and lets a test change them', () => {
    const gateway = createFakeGateway({ capabilities: { maxSegmentsPerSecond: 5 } });
    expect(gateway.capabilities()).toMatchObject({ maxSegmentsPerSecond: 5, maxInFlight: 100 });
    gateway.setCapabilities({ maxInFlight: 2 });
    expect(gateway.capabilities()).toMatchObject({ maxSegmentsPerSecond: 5, maxInFlight: 2 });
  });

  it('counts sends in flight and remembers the peak, for concurrency tests', async () => {
    const release: (() => void)[] = [];
    const gateway = createFakeGateway({
      respond: () => new Promise<SendResult>((resolve) => release.push(() => resolve(gatewayAccepted('x')))),
    });
    const pending = [gateway.send(contractMessage()), gateway.send(contractMessage()), gateway.send(contractMessage())];
    await Promise.resolve();
    expect(gateway.inFlight()).toBe(3);
    for (const go of release) go();
    await Promise.all(pending);
    expect(gateway.inFlight()).toBe(0);
    expect(gateway.peakInFlight()).toBe(3);
  });

  it('emits receipts and replies through onEvents, matched to our message id', async () => {
    const received: GatewayEvent[] = [];
    const gateway = createFakeGateway({ onEvents: (events) => void received.push(...events) });
    const message = contractMessage({ messageId: 'ours-1' });
    const result = await gateway.send(message);
    if (!result.ok) throw new Error('expected acceptance');
    expect(await gateway.lookup(result.providerMessageId)).toMatchObject({ status: 'submitted' });
    gateway.emitStatus(result.providerMessageId, 'undelivered', { providerCode: '30003' });
    gateway.emitInbound({ from: message.to, to: message.from, text: 'СТОП' });
    expect(received).toEqual(gateway.events);
    expect(received[0]).toMatchObject({ type: 'status', messageId: 'ours-1', status: 'undelivered', providerCode: '30003', key: `${result.providerMessageId}:undelivered` });
    expect(received[1]).toMatchObject({ type: 'inbound', from: message.to, to: message.from, text: 'СТОП' });
    expect(await gateway.lookup(result.providerMessageId)).toMatchObject({ status: 'undelivered' });
  });

  it('deliverAll receipts only messages still awaiting a final status', async () => {
    const gateway = createFakeGateway();
    const a = await gateway.send(contractMessage());
    const b = await gateway.send(contractMessage());
    if (!a.ok || !b.ok) throw new Error('expected acceptance');
    gateway.emitStatus(a.providerMessageId, 'failed');
    const delivered = gateway.deliverAll();
    expect(delivered.map((e) => e.providerMessageId)).toEqual([b.providerMessageId]);
    expect(gateway.deliverAll()).toEqual([]);
  });

  it('lets an infrastructure failure throw, as the port allows', async () => {
    const gateway = createFakeGateway({ respond: () => Promise.reject(new Error('socket hang up')) });
    await expect(gateway.send(contractMessage())).rejects.toThrow('socket hang up');
    expect(gateway.inFlight()).toBe(0);
  });
});
