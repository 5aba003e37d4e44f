import type { SendResult } from './gateway.js';

export interface CircuitOptions {
  /** Consecutive failures that open the circuit. */
  afterFailures: number;
  /** How long it stays open before the gateway is tried again. */
  cooldownMs: number;
}

export type CircuitChange = { gateway: string; open: true; failures: number; until: number } | { gateway: string; open: false };

/**
 * Is this answer a sign that the gateway itself is failing? Outages (retryable errors such as 5xx and
 * refused connections) and answers that never came (timeouts, dropped connections: `outcomeUnknown`)
 * are; a per-recipient refusal (an invalid number) is an answer, so the gateway is up. Throttling is
 * the gateway working as agreed: it is honoured with Retry-After, not failed over.
 */
export function countsAsGatewayFailure(result: SendResult): boolean {
  if (result.ok) return false;
  if (result.error.code === 'throttled') return false;
  return result.error.retryable || result.error.outcomeUnknown === true;
}

/**
 * One circuit per gateway: `afterFailures` gateway failures in a row open it for `cooldownMs`, and the
 * dispatcher routes new messages to the failover gateway meanwhile. Messages whose outcome is unknown
 * are never re-sent: they only count towards opening the circuit.
 */
export class CircuitBreakers {
  private readonly circuits = new Map<string, { failures: number; openUntil: number }>();

  constructor(
    private readonly options: CircuitOptions,
    private readonly onChange: (change: CircuitChange) => void = () => undefined,
  ) {}

  /** Counts one answer; returns true when this answer opened the circuit. */
  record(gateway: string, result: SendResult, now: number): boolean {
    const circuit = this.circuits.get(gateway) ?? { failures: 0, openUntil: 0 };
    this.circuits.set(gateway, circuit);
    if (!countsAsGatewayFailure(result)) {
      if (result.ok || !result.error.retryable) circuit.failures = 0;
      return false;
    }
    circuit.failures += 1;
    if (circuit.failures < this.options.afterFailures || circuit.openUntil > now) return false;
    circuit.openUntil = now + this.options.cooldownMs;
    this.onChange({ gateway, open: true, failures: circuit.failures, until: circuit.openUntil });
    circuit.failures = 0;
    return true;
  }

  /** Whether new messages should avoid `gateway` now; reports the close once the cooldown is over. */
  isOpen(gateway: string, now: number): boolean {
    const circuit = this.circuits.get(gateway);
    if (!circuit || circuit.openUntil === 0) return false;
    if (circuit.openUntil > now) return true;
    circuit.openUntil = 0;
    this.onChange({ gateway, open: false });
    return false;
  }
}
