import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { Store } from '../store/port.js';
import { CircuitBreakers } from './circuit-breaker.js';
import { DispatchLog } from './dispatch-log.js';
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
  /** Campaigns whose messages may go now (status `sending`); read before every batch and, cached for `stopCheckMs`, before every send. */
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
  /** Messages claimed per batch; by default about `batchSeconds` of the gateway's rate. */
  batchSize?: number;
  /** How much sending one claim holds (default 1 s): a stop never waits for more than this. */
  batchSeconds?: number;
  /** How long a claim holds; a `sending` row older than this after a crash becomes `unknown`. */
  leaseMs?: number;
  /** How stale the campaign status checked before each send may be (default 200 ms). */
  stopCheckMs?: number;
  /**
   * The segments per second THIS process may send through a gateway now (several instances share the
   * configured rate); read at every pacing decision. Default: the configured rate.
   */
  rateShare?: (gateway: string, configuredPerSecond: number) => number;
}

/** The longest Retry-After honoured when a gateway does not say its own bound (`<GATEWAY>_MAX_RETRY_AFTER_S`). */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
/** How long a claim holds by default (DELIVERY_LEASE_SECONDS). */
const DEFAULT_LEASE_MS = 120_000;
/** A claim when no gateway's rate is known yet (before the first send). */
const FALLBACK_RATE = 10;
const MAX_BATCH = 2000;
/** The longest single wait for a rate slot: a stop or a pause is noticed within it. */
const MAX_WAIT_MS = 100;

/** Why a claimed message goes back without being sent: it never reached the gateway, so nothing is lost or doubled. */
type Hold = { reason: 'halted' | 'circuit' | 'inactive' | 'later' } | { reason: 'throttled'; until: number };

type Outcome =
  | { kind: 'sent'; message: OutboxMessage; result: SendResult; at: string }
  | { kind: 'held'; message: OutboxMessage; hold: Hold; at: string };

/**
 * The outbox dispatcher. Each batch: claim about one second of the gateway's rate (recorded as
 * `sending` with an attempt id and made durable BEFORE any gateway call), send them pipelined within
 * the gateway's rate (segments per second, sliding window) and in-flight cap, then record every result
 * in one write. Before each send it checks that the campaign is still sending, the engine is not
 * stopping, the gateway is not throttled and its circuit is closed; a message that may not go is put
 * back (`queued`, its attempt not counted) instead of being held. A crash between the two writes
 * leaves `sending` rows that become `unknown` and are never re-sent blindly.
 */
export class Dispatcher {
  private readonly limiters = new Map<string, GatewayRateLimiter>();
  private readonly circuits: CircuitBreakers | undefined;
  private readonly retry: RetryPolicy;
  readonly log: DispatchLog;
  private halted = false;
  private active: { ids: ReadonlySet<string>; at: number } | undefined;
  private segmentsPerMessage = 1;

  constructor(private readonly deps: DispatcherDeps) {
    this.retry = deps.retry ?? DEFAULT_RETRY;
    this.log = new DispatchLog(deps.logger, deps.clock);
    this.circuits = deps.failover && new CircuitBreakers(deps.failover, (change) => {
      this.log.circuit(change);
      if (change.open && deps.failover) deps.onCircuitOpen?.(change.gateway, deps.failover.gateway, new Date(change.until));
    });
  }

  /** Stops sending: the batch in flight puts back what it has not sent and returns (graceful shutdown). */
  halt(): void {
    this.halted = true;
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

  /** Claims and sends one batch; returns how many messages it handed to a gateway (0: nothing due, or nothing could go). */
  async runBatch(): Promise<number> {
    if (this.halted) return 0;
    const campaignIds = await this.activeCampaigns(true);
    if (campaignIds.size === 0 || this.everyKnownGatewayThrottled()) return 0;
    const now = this.deps.clock.now();
    const batch = await this.deps.store.outbox.claimDue({
      now, limit: this.claimLimit(), leaseMs: this.deps.leaseMs ?? DEFAULT_LEASE_MS, attemptId: this.deps.newId(), campaignIds,
    });
    if (batch.length === 0) return 0;
    this.segmentsPerMessage = batch.reduce((sum, row) => sum + Math.max(1, row.segments), 0) / batch.length;
    // The claim must be on disk before any gateway sees a message: that is what makes a crash safe.
    await this.deps.store.flush();
    const outcomes = await this.pipeline(batch);
    const recorded = await this.record(outcomes);
    await this.deps.store.flush();
    await this.deps.onRecorded?.(recorded);
    this.log.flush();
    return outcomes.filter((o) => o.kind === 'sent').length;
  }

  /** About `batchSeconds` of the fastest gateway known, in messages of the size last seen. */
  private claimLimit(): number {
    if (this.deps.batchSize) return this.deps.batchSize;
    let rate = Math.max(0, ...[...this.limiters.values()].map((limiter) => limiter.rate));
    if (rate === 0) {
      try {
        rate = this.deps.gateway('default').capabilities().maxSegmentsPerSecond;
      } catch {
        rate = FALLBACK_RATE;
      }
    }
    return Math.min(MAX_BATCH, Math.max(1, Math.round((rate * (this.deps.batchSeconds ?? 1)) / this.segmentsPerMessage)));
  }

  /** Nothing to claim while every gateway in use asked us to wait: the rows stay queued, not `sending`. */
  private everyKnownGatewayThrottled(): boolean {
    if (this.limiters.size === 0) return false;
    const now = this.deps.clock.now().getTime();
    return [...this.limiters.values()].every((limiter) => limiter.pausedTill() > now);
  }

  private async activeCampaigns(fresh = false): Promise<ReadonlySet<string>> {
    const now = this.deps.clock.now().getTime();
    if (fresh || !this.active || now - this.active.at >= (this.deps.stopCheckMs ?? 200)) {
      this.active = { ids: await this.deps.activeCampaigns(), at: now };
    }
    return this.active.ids;
  }

  /** The gateway a message goes through now: its own, or the failover while its circuit is open. */
  private route(gateway: string): string {
    const failover = this.deps.failover;
    if (!failover || !this.circuits || failover.gateway === gateway || !this.circuits.isOpen(gateway, this.deps.clock.now().getTime())) return gateway;
    return failover.gateway;
  }

  private async pipeline(batch: OutboxMessage[]): Promise<Outcome[]> {
    const byGateway = new Map<string, OutboxMessage[]>();
    for (const claimed of batch) {
      const message = { ...claimed, gateway: this.route(claimed.gateway) };
      const list = byGateway.get(message.gateway);
      if (list) list.push(message);
      else byGateway.set(message.gateway, [message]);
    }
    const outcomes: Outcome[] = [];
    await Promise.all([...byGateway].map(([name, messages]) => this.drive(name, messages, outcomes)));
    return outcomes;
  }

  /** Sends one gateway's share of the batch in order, each when the rate and the in-flight cap allow. */
  private async drive(name: string, messages: OutboxMessage[], outcomes: Outcome[]): Promise<void> {
    let gateway: SmsGateway;
    try {
      gateway = this.deps.gateway(name);
    } catch (error) {
      // A gateway that is not configured (any more): nothing was sent; retried with backoff, then failed.
      const result: SendResult = { ok: false, error: { code: 'unavailable', retryable: true, message: `Gateway ${name} cannot be used: ${error instanceof Error ? error.message : String(error)}` } };
      for (const message of messages) outcomes.push({ kind: 'sent', message, result, at: this.deps.clock.now().toISOString() });
      return;
    }
    const { maxInFlight, maxRetryAfterMs } = gateway.capabilities();
    const maxSegmentsPerSecond = this.share(name, gateway.capabilities().maxSegmentsPerSecond);
    const limiter = this.limiterFor(name, maxSegmentsPerSecond);
    const running: Array<Promise<void>> = [];
    let inFlight = 0;
    // A claim sized for a faster gateway holds no more than about one second of this one's sending.
    const budget = maxSegmentsPerSecond * (this.deps.batchSeconds ?? 1);
    let segments = 0;
    for (const message of messages) {
      if (segments > 0 && segments + message.segments > budget) {
        outcomes.push({ kind: 'held', message, hold: { reason: 'later' }, at: this.deps.clock.now().toISOString() });
        continue;
      }
      const hold = await this.admit(name, limiter, message, () => inFlight < maxInFlight);
      if (hold) {
        outcomes.push({ kind: 'held', message, hold, at: this.deps.clock.now().toISOString() });
        continue;
      }
      inFlight += 1;
      segments += message.segments;
      running.push(
        this.sendOne(gateway, message).then((raw) => {
          inFlight -= 1;
          const result = this.boundRetryAfter(raw, maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS);
          const now = this.deps.clock.now().getTime();
          this.circuits?.record(name, result, now);
          this.log.sent(message.campaignId, name, result);
          if (!result.ok && result.error.code === 'throttled' && result.error.retryAfterMs) limiter.pause(now + result.error.retryAfterMs);
          outcomes.push({ kind: 'sent', message, result, at: new Date(now).toISOString() });
        }),
      );
    }
    await Promise.all(running);
  }

  /** Waits for the message's turn; returns why it may not go, if it may not. */
  private async admit(name: string, limiter: GatewayRateLimiter, message: OutboxMessage, slotFree: () => boolean): Promise<Hold | undefined> {
    for (;;) {
      const hold = await this.holdFor(name, limiter, message);
      if (hold) return hold;
      const wait = slotFree() ? limiter.tryTake(message.segments, this.deps.clock.now().getTime()) : 5;
      if (wait === 0) return undefined;
      await new Promise<void>((resolve) => this.deps.timers.setTimeout(resolve, Math.min(wait, MAX_WAIT_MS)));
    }
  }

  private async holdFor(name: string, limiter: GatewayRateLimiter, message: OutboxMessage): Promise<Hold | undefined> {
    if (this.halted) return { reason: 'halted' };
    const now = this.deps.clock.now().getTime();
    // Another instance may expire a lease that ran out (and ask the gateway, and queue the message
    // again): a claim is only sent while at least half its lease is left, so that cannot race a send.
    if (message.leaseUntil && Date.parse(message.leaseUntil) - now < (this.deps.leaseMs ?? DEFAULT_LEASE_MS) / 2) return { reason: 'later' };
    const pausedTill = limiter.pausedTill();
    if (pausedTill > now) return { reason: 'throttled', until: pausedTill };
    if (this.deps.failover && this.deps.failover.gateway !== name && this.circuits?.isOpen(name, now)) return { reason: 'circuit' };
    if (!(await this.activeCampaigns()).has(message.campaignId)) return { reason: 'inactive' };
    return undefined;
  }

  /** Retry-After beyond the gateway's bound is cut to it, so one answer cannot freeze sending for long. */
  private boundRetryAfter(result: SendResult, maxMs: number): SendResult {
    if (result.ok || result.error.retryAfterMs === undefined || result.error.retryAfterMs <= maxMs) return result;
    return { ok: false, error: { ...result.error, retryAfterMs: maxMs } };
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

  private limiterFor(gateway: string, rate: number): GatewayRateLimiter {
    let limiter = this.limiters.get(gateway);
    // A new share (instances joined or left) takes a new window; a pause the gateway asked for carries over.
    if (limiter && limiter.rate !== rate) {
      const paused = limiter.pausedTill();
      this.limiters.set(gateway, (limiter = new GatewayRateLimiter(rate)));
      if (paused > 0) limiter.pause(paused);
    }
    if (!limiter) this.limiters.set(gateway, (limiter = new GatewayRateLimiter(rate)));
    return limiter;
  }

  /** This process's share of a gateway's configured rate (whole segments, at least 1). */
  private share(gateway: string, configured: number): number {
    return Math.max(1, Math.floor(this.deps.rateShare?.(gateway, configured) ?? configured));
  }

  /** One write for the whole batch; a receipt that raced ahead of its send result keeps its later status. */
  private async record(outcomes: Outcome[]): Promise<OutboxMessage[]> {
    const current = await this.deps.store.outbox.getMany(outcomes.map((o) => o.message.id));
    const canceled = await this.canceledCampaigns(outcomes);
    const rows: OutboxMessage[] = [];
    for (const outcome of outcomes) {
      const { message, at } = outcome;
      const stored = current.get(message.id) ?? message;
      if (outcome.kind === 'held') {
        const row = putBack(stored, outcome.hold, at, canceled.has(message.campaignId));
        if (row) rows.push(row);
        continue;
      }
      const { result } = outcome;
      const now = { ...stored, gateway: message.gateway };
      if (result.ok) {
        const status = canMove(now.status, 'submitted') ? 'submitted' : now.status;
        // The gateway's own part count (when it says) is what its per-part receipts will add up to.
        rows.push({
          ...now, status, providerMessageId: result.providerMessageId, submittedAt: now.submittedAt ?? at, updatedAt: at,
          ...(result.cost !== undefined ? { cost: result.cost } : {}), ...(result.segments ? { segments: result.segments } : {}),
        });
        continue;
      }
      const decision = retryDecision(result.error, message.attempts, this.retry, this.deps.random());
      const failed = { ...now, errorCode: result.error.code, ...(result.error.providerCode ? { providerCode: result.error.providerCode } : {}), updatedAt: at };
      if (decision.retry) rows.push({ ...failed, status: 'queued', retryAt: new Date(Date.parse(at) + decision.waitMs).toISOString() });
      else if (decision.reason === 'outcome_unknown') rows.push({ ...failed, status: 'unknown', ...(result.error.providerMessageId ? { providerMessageId: result.error.providerMessageId } : {}) });
      else rows.push({ ...failed, status: decision.reason === 'permanent' ? 'rejected' : 'failed', finalAt: at });
      if (result.error.code === 'opted_out') await this.deps.onCarrierOptOut(message, result.error);
    }
    await this.deps.store.outbox.updateMany(rows);
    return rows;
  }

  /** Campaigns of held messages that were canceled meanwhile: their messages are canceled, not queued again. */
  private async canceledCampaigns(outcomes: Outcome[]): Promise<Set<string>> {
    const ids = new Set(outcomes.filter((o) => o.kind === 'held' && o.hold.reason === 'inactive').map((o) => o.message.campaignId));
    const canceled = new Set<string>();
    for (const id of ids) if ((await this.deps.store.campaigns.get(id))?.status === 'canceled') canceled.add(id);
    return canceled;
  }
}

/** A claimed message that was not sent goes back to `queued` as it was (its attempt not counted), or is canceled with its campaign. */
function putBack(row: OutboxMessage, hold: Hold, at: string, campaignCanceled: boolean): OutboxMessage | undefined {
  if (row.status !== 'sending') return undefined;
  const { attemptId: _attempt, leaseUntil: _lease, ...rest } = row;
  if (campaignCanceled) return { ...rest, status: 'canceled', attempts: Math.max(0, row.attempts - 1), finalAt: at, updatedAt: at };
  const back: OutboxMessage = { ...rest, status: 'queued', attempts: Math.max(0, row.attempts - 1), updatedAt: at };
  if (hold.reason === 'throttled') back.retryAt = new Date(hold.until).toISOString();
  return back;
}
