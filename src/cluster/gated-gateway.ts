import type { OutboundSms, SendResult, SmsGateway } from '../delivery/gateway.js';
import type { RateGate } from './rate-gate.js';

/**
 * The gateway with the cluster's hard cap in front of every send: the segments' permits are taken
 * from the shared budget first, at the gateway's configured rate (the whole cluster's limit), and the
 * request leaves right after the grant. Everything else is the gateway's own. When no permit can be
 * had (the instance is stopping), the message was not sent: a retryable failure, never `unknown`.
 */
export function gatedGateway(gateway: SmsGateway, gate: RateGate): SmsGateway {
  const send = async (message: OutboundSms): Promise<SendResult> => {
    try {
      await gate.take(gateway.id, gateway.capabilities().maxSegmentsPerSecond, message.segments);
    } catch (error) {
      return { ok: false, error: { code: 'unavailable', retryable: true, message: `not sent: ${error instanceof Error ? error.message : String(error)}` } };
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
