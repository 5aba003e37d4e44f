import type { OutboundSms, SendResult, SmsGateway } from '../delivery/gateway.js';
import type { RateGate } from './rate-gate.js';

/**
 * The gateway with the cluster's hard cap in front of every send: the segments' slots are taken from
 * the shared stream first, at the gateway's configured rate (the whole cluster's limit), and the
 * request leaves at its slot. Everything else is the gateway's own. When no slot can be had (the
 * instance is stopping), the message was not sent: a retryable failure, never `unknown`.
 */
/**
 * The longest a send waits for its slots. Past it the message is not sent (throttled, retried
 * later), so a send never leaves long after its claim: the dispatcher starts a send only while half
 * the claim's lease (DELIVERY_LEASE_SECONDS, at least 5 s) is left, and this wait fits in that half.
 */
export const MAX_WAIT_MS = 2000;
const THROTTLED_RETRY_MS = 500;

function abortOn(timeout: Promise<unknown>): AbortSignal {
  const controller = new AbortController();
  void timeout.then(() => controller.abort());
  return controller.signal;
}

export function gatedGateway(gateway: SmsGateway, gate: RateGate, maxWaitMs = MAX_WAIT_MS): SmsGateway {
  const send = async (message: OutboundSms): Promise<SendResult> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), maxWaitMs)));
    const taken = gate.take(gateway.id, gateway.capabilities().maxSegmentsPerSecond, message.segments, { signal: abortOn(timeout) });
    try {
      if ((await Promise.race([taken, timeout])) === 'timeout') {
        return { ok: false, error: { code: 'throttled', retryable: true, retryAfterMs: THROTTLED_RETRY_MS, message: `not sent: no send slot from the cluster within ${maxWaitMs} ms` } };
      }
    } catch (error) {
      return { ok: false, error: { code: 'unavailable', retryable: true, message: `not sent: ${error instanceof Error ? error.message : String(error)}` } };
    } finally {
      clearTimeout(timer);
    }
    return gateway.send(message);
  };
  return new Proxy(gateway, {
    get(target, property, receiver) {
      if (property === 'send') return send;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
