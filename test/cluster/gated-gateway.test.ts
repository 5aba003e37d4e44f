import { describe, expect, it } from 'vitest';
import { gatedGateway } from '../../src/cluster/gated-gateway.js';
import type { RateGate } from '../../src/cluster/rate-gate.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';

const sms = { messageId: 'm1', to: '+79120000001', from: 'SHOP', text: 'hi', encoding: 'GSM-7' as const, segments: 2 };

describe('a gateway behind the cluster rate cap', () => {
  it('takes the segments at the configured rate before each send, and is otherwise the gateway itself', async () => {
    const fake = createFakeGateway({ id: 'twilio', capabilities: { maxSegmentsPerSecond: 1000 } });
    const taken: Array<[string, number, number]> = [];
    const gate: RateGate = { take: async (name, limit, segments) => void taken.push([name, limit, segments]), close: () => undefined };
    const gated = gatedGateway(fake, gate);
    expect(await gated.send(sms)).toMatchObject({ ok: true });
    expect(taken).toEqual([['twilio', 1000, 2]]);
    expect(fake.sent).toHaveLength(1);
    expect(gated.id).toBe('twilio');
    expect(gated.capabilities().maxSegmentsPerSecond).toBe(1000);
  });

  it('answers a retryable failure without sending when no permit can be had (never an unknown outcome)', async () => {
    const fake = createFakeGateway({ id: 'twilio' });
    const gate: RateGate = { take: async () => Promise.reject(new Error('the rate gate was closed')), close: () => undefined };
    const result = await gatedGateway(fake, gate).send(sms);
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true } });
    expect(result.ok ? undefined : result.error.outcomeUnknown).toBeUndefined();
    expect(fake.sent).toHaveLength(0);
  });

  it('gives up after its longest wait: throttled and retried later, not sent, and the permit is not taken', async () => {
    const fake = createFakeGateway({ id: 'twilio' });
    let aborted = false;
    const gate: RateGate = {
      take: (_name, _limit, _segments, options) => new Promise((_resolve, reject) => options?.signal?.addEventListener('abort', () => {
        aborted = true;
        reject(new Error('gave up'));
      })),
      close: () => undefined,
    };
    const result = await gatedGateway(fake, gate, 20).send(sms);
    expect(result).toMatchObject({ ok: false, error: { code: 'throttled', retryable: true } });
    expect(aborted).toBe(true);
    expect(fake.sent).toHaveLength(0);
  });
});
