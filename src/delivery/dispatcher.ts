import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { Store } from '../store/port.js';
import type { GatewayError, SendResult, SmsGateway, StatusEvent } from './gateway.js';
import type { OutboxMessage } from './outbox.js';
import { canMove } from './outbox.js';
import { GatewayRateLimiter } from './rate-limiter.js';
import type { RetryPolicy } from './retry.js';
import { DEFAULT_RETRY, retryDecision } from './retry.js';
import type { Timers } from './timers.js';

export interface DispatcherDeps {
  store: Store;
  gateway(name: string): SmsGateway;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  newId(): string;
  random(): number;
  /** Campaigns whose messages may go now (status `sending`); read before every batch, so pause and cancel take effect within one. */
  activeCampaigns(): Promise<ReadonlySet<string>>;
  /** A carrier or gateway said the recipient opted out (Twilio 21610, Vonage err-code 9): record it in the consent ledger. */
  onCarrierOptOut(message: OutboxMessage, error: GatewayError): Promise<void>;
  /** Told the rows a batch's results changed, once they are durable (the event sinks learn of sends this way). */
  onRecorded?(rows: readonly OutboxMessage[]): Promise<void>;
  retry?: RetryPolicy;
  /** Where to send while a gateway keeps failing (circuit open); none: wait for it to recover. */
  failover?: { gateway: string; afterFailures: number; cooldownMs: number };
  /** Told when a gateway's circuit opens (notifications); must not throw. */
  onCircuitOpen?(gateway: string, failover: string, until: Date): void;
  /** Messages claimed per batch. */
  batchSize?: number;
  /** How long a claim holds; a `sending` row older than this after a crash becomes `unknown`. */
  leaseMs?: number;
}

interface Outcome {
  message: OutboxMessage;
  result: SendResult;
  at: string;
}

/**
 * The outbox dispatcher. Each batch: claim due messages (recorded as `sending` with an attempt id and
 * made durable BEFORE any gateway call), send them pipelined within the gateway's rate (segments per
 * second, sliding window) and in-flight cap, then record every result in one write. A crash between
 * the two writes leaves `sending` rows that become `unknown` on restart and are never re-sent blindly.
 */
export class Dispatcher {
  private readonly limiters = new Map<string, GatewayRateLimiter>();
  /** Per gateway: consecutive retryable failures, and until when its circuit is open. */
  private readonly circuits = new Map<string, { failures: number; openUntil: number }>();
  private readonly retry: RetryPolicy;

  constructor(private readonly deps: DispatcherDeps) {
    this.retry = deps.retry ?? DEFAULT_RETRY;
  }

  /**
   * Marks rows whose lease ran out (a previous process died mid-send) `unknown` and returns them; they
   * are never re-sent blindly. Where the gateway can say what became of one (a provider id is known and
   * it supports lookup), its answer is returned for the caller to apply like any receipt.
   */
  async recover(): Promise<{ unknown: OutboxMessage[]; reconciled: StatusEvent[] }> {
    const unknown = await this.deps.store.outbox.expireLeases(this.deps.clock.now());
    if (unknown.length > 0) {
      this.deps.logger.warn({ count: unknown.length }, 'messages were being sent when the process stopped; marked unknown, not re-sent');
      await this.deps.store.flush();
    }
    const reconciled: StatusEvent[] = [];
    for (const row of unknown) {
      if (!row.providerMessageId) continue;
      const gateway = this.gatewayIfConfigured(row);
      if (!gateway?.lookup) continue;
      const found = await gateway.lookup(row.providerMessageId).catch(() => undefined);
      if (found) reconciled.push({ ...found, messageId: row.id });
    }
    return { unknown, reconciled };
  }

  /** A row's gateway, or none (logged) when it is no longer configured: the row stays `unknown`. */
  private gatewayIfConfigured(row: OutboxMessage): SmsGateway | undefined {
    try {
      return this.deps.gateway(row.gateway);
    } catch (error) {
      this.deps.logger.warn({ gateway: row.gateway, messageId: row.id, error: error instanceof Error ? error.message : String(error) }, 'the gateway of a message in flight at the last stop is no longer configured; the message stays unknown');
      return undefined;
    }
  }

  /** Claims and sends one batch; returns how many messages it handled (0: nothing due). */
  async runBatch(): Promise<number> {
    const campaignIds = await this.deps.activeCampaigns();
    if (campaignIds.size === 0) return 0;
    const now = this.deps.clock.now();
    const batch = await this.deps.store.outbox.claimDue({
      now, limit: this.deps.batchSize ?? 200, leaseMs: this.deps.leaseMs ?? 120_000, attemptId: this.deps.newId(), campaignIds,
    });
    if (batch.length === 0) return 0;
    // The claim must be on disk before any gateway sees a message: that is what makes a crash safe.
    await this.deps.store.flush();
    const outcomes = await Promise.all(this.pipeline(batch));
    const recorded = await this.record(outcomes);
    await this.deps.store.flush();
    await this.deps.onRecorded?.(recorded);
    return batch.length;
  }

  /** The gateway a message goes through now: its own, or the failover while its circuit is open. */
  private route(gateway: string): string {
    const failover = this.deps.failover;
    const circuit = this.circuits.get(gateway);
    if (!failover || failover.gateway === gateway || !circuit || circuit.openUntil <= this.deps.clock.now().getTime()) return gateway;
    return failover.gateway;
  }

  private trackCircuit(gateway: string, result: SendResult): void {
    const failover = this.deps.failover;
    if (!failover) return;
    const circuit = this.circuits.get(gateway) ?? { failures: 0, openUntil: 0 };
    if (result.ok || !result.error.retryable) circuit.failures = 0;
    else if ((circuit.failures += 1) >= failover.afterFailures) {
      circuit.openUntil = this.deps.clock.now().getTime() + failover.cooldownMs;
      circuit.failures = 0;
      this.deps.logger.warn({ gateway, failover: failover.gateway }, 'gateway keeps failing: sending through the failover gateway for a while');
      this.deps.onCircuitOpen?.(gateway, failover.gateway, new Date(circuit.openUntil));
    }
    this.circuits.set(gateway, circuit);
  }

  private pipeline(batch: OutboxMessage[]): Array<Promise<Outcome>> {
    const byGateway = new Map<string, OutboxMessage[]>();
    for (const claimed of batch) {
      const message = { ...claimed, gateway: this.route(claimed.gateway) };
      const list = byGateway.get(message.gateway);
      if (list) list.push(message);
      else byGateway.set(message.gateway, [message]);
    }
    const outcomes: Array<Promise<Outcome>> = [];
    for (const [name, messages] of byGateway) {
      const gateway = this.deps.gateway(name);
      const { maxSegmentsPerSecond, maxInFlight } = gateway.capabilities();
      const limiter = this.limiterFor(name, maxSegmentsPerSecond);
      let inFlight = 0;
      let ready = Promise.resolve();
      for (const message of messages) {
        // Each send waits for its turn in the rate window and for a free in-flight slot, in order.
        const start = ready.then(() => this.admit(limiter, message.segments, () => inFlight < maxInFlight));
        ready = start;
        outcomes.push(
          start.then(async () => {
            inFlight += 1;
            try {
              const result = await this.sendOne(gateway, message);
              this.trackCircuit(name, result);
              if (!result.ok && result.error.code === 'throttled' && result.error.retryAfterMs) {
                limiter.pause(this.deps.clock.now().getTime() + result.error.retryAfterMs);
              }
              return { message, result, at: this.deps.clock.now().toISOString() };
            } finally {
              inFlight -= 1;
            }
          }),
        );
      }
    }
    return outcomes;
  }

  private async sendOne(gateway: SmsGateway, message: OutboxMessage): Promise<SendResult> {
    try {
      return await gateway.send({
        messageId: message.id, to: message.phone, from: message.sender, text: message.text, encoding: message.encoding, segments: message.segments,
      });
    } catch (error) {
      // An adapter that throws has not told us whether the message left: treat the outcome as unknown.
      this.deps.logger.error({ gateway: gateway.id, messageId: message.id, error }, 'gateway threw while sending');
      return { ok: false, error: { code: 'unknown', retryable: false, outcomeUnknown: true, message: error instanceof Error ? error.message : String(error) } };
    }
  }

  private async admit(limiter: GatewayRateLimiter, segments: number, slotFree: () => boolean): Promise<void> {
    for (;;) {
      const wait = slotFree() ? limiter.tryTake(segments, this.deps.clock.now().getTime()) : 5;
      if (wait === 0) return;
      await new Promise<void>((resolve) => this.deps.timers.setTimeout(resolve, wait));
    }
  }

  private limiterFor(gateway: string, rate: number): GatewayRateLimiter {
    let limiter = this.limiters.get(gateway);
    if (!limiter) this.limiters.set(gateway, (limiter = new GatewayRateLimiter(rate)));
    return limiter;
  }

  /** One write for the whole batch; a receipt that raced ahead of its send result keeps its later status. */
  private async record(outcomes: Outcome[]): Promise<OutboxMessage[]> {
    const current = await this.deps.store.outbox.getMany(outcomes.map((o) => o.message.id));
    const rows: OutboxMessage[] = [];
    for (const { message, result, at } of outcomes) {
      const now = { ...(current.get(message.id) ?? message), gateway: message.gateway };
      if (result.ok) {
        const status = canMove(now.status, 'submitted') ? 'submitted' : now.status;
        rows.push({ ...now, status, providerMessageId: result.providerMessageId, submittedAt: now.submittedAt ?? at, updatedAt: at, ...(result.cost !== undefined ? { cost: result.cost } : {}) });
        continue;
      }
      const decision = retryDecision(result.error, message.attempts, this.retry, this.deps.random());
      const failed = { ...now, errorCode: result.error.code, ...(result.error.providerCode ? { providerCode: result.error.providerCode } : {}), updatedAt: at };
      if (decision.retry) rows.push({ ...failed, status: 'queued', retryAt: new Date(Date.parse(at) + decision.waitMs).toISOString() });
      else if (decision.reason === 'outcome_unknown') rows.push({ ...failed, status: 'unknown' });
      else rows.push({ ...failed, status: decision.reason === 'permanent' ? 'rejected' : 'failed', finalAt: at });
      if (result.error.code === 'opted_out') await this.deps.onCarrierOptOut(message, result.error);
    }
    await this.deps.store.outbox.updateMany(rows);
    return rows;
  }
}
