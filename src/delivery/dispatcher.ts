import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { Store } from '../store/port.js';
import { CircuitBreakers } from './circuit-breaker.js';
import { DispatchLog } from './dispatch-log.js';
import type { GatewayCapabilities, GatewayError, SendResult, SmsGateway, StatusEvent } from './gateway.js';
import { InFlightWindow } from './in-flight-window.js';
import type { OutboxMessage } from './outbox.js';
import { GatewayPacer } from './rate-limiter.js';
import type { Hold, Outcome } from './result-recorder.js';
import { ResultRecorder } from './result-recorder.js';
import type { RetryPolicy } from './retry.js';
import { DEFAULT_RETRY } from './retry.js';
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
   * The segments per second THIS process may send through `gateway` now (several instances share one
   * gateway's rate); read at every pacing decision, so it must be cheap. Default: the configured rate.
   */
  rateShare?: (gateway: string, configuredPerSecond: number) => number;
  /** Continuous sending (`run`): results are committed at least this often (default 200 ms)... */
  recordEveryMs?: number;
  /** ...or as soon as this many wait (default: a quarter second of the rate, at least 50). */
  recordMaxResults?: number;
  /** Continuous sending: how long to wait before claiming again when nothing was due (default 200 ms). */
  idleMs?: number;
}


/** The longest Retry-After honoured when a gateway does not say its own bound (`<GATEWAY>_MAX_RETRY_AFTER_S`). */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
/** How long a claim holds by default. */
const DEFAULT_LEASE_MS = 120_000;
/** A claim when no gateway's rate is known yet (before the first send). */
const FALLBACK_RATE = 10;
const MAX_BATCH = 2000;
/** The longest single wait for a rate slot or a free request: a stop or a pause is noticed within it. */
const MAX_WAIT_MS = 100;

/** One gateway's share of the claimed messages, sent in order as its pace and in-flight window allow. */
interface Lane {
  name: string;
  gateway: SmsGateway;
  capabilities: GatewayCapabilities;
  pacer: GatewayPacer;
  window: InFlightWindow;
  queue: OutboxMessage[];
  queuedSegments: number;
  inFlight: number;
  running: Set<Promise<void>>;
  pump: Promise<void> | undefined;
  /** Wakes the pump waiting for a request to finish. */
  freed: (() => void) | undefined;
}

/**
 * The outbox dispatcher, a pipeline: claimed messages are recorded as `sending` with an attempt id and
 * made durable BEFORE any gateway call; each gateway's lane sends them in order, paced evenly at its
 * rate (GatewayPacer: segments per second, a strict sliding window underneath) with as many requests
 * in flight as its rate and measured latency need (InFlightWindow, capped); results are recorded in
 * group commits (ResultRecorder). `run()` keeps it going: the next claim is made and made durable while
 * the current one is still sending, so the gateway never waits for a write; `runBatch()` does one claim
 * from start to end (the CLI, tests). Before each send it checks that the campaign is still sending,
 * the engine is not stopping, the gateway is not throttled and its circuit is closed; a message that
 * may not go is put back (`queued`, its attempt not counted) instead of being held. A crash before a
 * result is recorded leaves a `sending` row that becomes `unknown` and is never re-sent blindly.
 */
export class Dispatcher {
  private readonly lanes = new Map<string, Lane>();
  private readonly circuits: CircuitBreakers | undefined;
  private readonly retry: RetryPolicy;
  readonly log: DispatchLog;
  private halted = false;
  private active: { ids: ReadonlySet<string>; at: number } | undefined;
  private segmentsPerMessage = 1;
  private recorder: ResultRecorder;
  /** Messages claimed and not yet sent or held, over every lane. */
  private queued = 0;
  /** `sent` outcomes since the batch began (what runBatch returns). */
  private handled = 0;
  /** Wakes the claim loop (a lane ran low, or a halt). */
  private wakeClaimer: (() => void) | undefined;
  private continuous = false;

  constructor(private readonly deps: DispatcherDeps) {
    this.retry = deps.retry ?? DEFAULT_RETRY;
    this.log = new DispatchLog(deps.logger, deps.clock);
    this.circuits = deps.failover && new CircuitBreakers(deps.failover, (change) => {
      this.log.circuit(change);
      if (change.open && deps.failover) deps.onCircuitOpen?.(change.gateway, deps.failover.gateway, new Date(change.until));
    });
    this.recorder = this.newRecorder(false);
  }

  /** Stops sending: claimed messages not yet sent go back, sends under way finish, and run() / runBatch() return. */
  halt(): void {
    this.halted = true;
    this.wakeClaimer?.();
    for (const lane of this.lanes.values()) lane.freed?.();
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
      const gateway = this.gatewayIfConfigured(row.gateway, row.id);
      if (!gateway?.lookup) continue;
      const found = await gateway.lookup(row.providerMessageId).catch(() => undefined);
      if (found) reconciled.push({ ...found, messageId: row.id });
    }
    return { unknown, reconciled };
  }

  /** A row's gateway, or none (logged) when it is no longer configured: the row stays `unknown`. */
  private gatewayIfConfigured(name: string, messageId: string): SmsGateway | undefined {
    try {
      return this.deps.gateway(name);
    } catch (error) {
      this.deps.logger.warn({ gateway: name, messageId, error: error instanceof Error ? error.message : String(error) }, 'the gateway of a message in flight at the last stop is no longer configured; the message stays unknown');
      return undefined;
    }
  }

  /**
   * Sends continuously until halt(): claims about `batchSeconds` of the rate whenever less than half of
   * that is left to send, so the next claim is durable before the lanes run dry. Resolves once what was
   * claimed is sent or put back and every result is recorded.
   */
  async run(): Promise<void> {
    this.continuous = true;
    this.recorder = this.newRecorder(true);
    const idleMs = this.deps.idleMs ?? 200;
    while (!this.halted) {
      try {
        if (this.queued > this.claimLimit() / 2) await this.claimerWait();
        else if (this.everyKnownGatewayThrottled() || (await this.claim()) === 0) await this.pause(idleMs);
      } catch (error) {
        this.deps.logger.error({ error }, 'could not claim messages to send; retrying');
        await this.pause(idleMs);
      }
    }
    await this.settle();
    await this.recorder.drain().catch((error: unknown) => this.deps.logger.error({ error }, 'could not record the last send results; those messages will show as unknown'));
    this.continuous = false;
  }

  /** Claims and sends one batch; returns how many messages it handed to a gateway (0: nothing due, or nothing could go). */
  async runBatch(): Promise<number> {
    if (this.halted || this.continuous) return 0;
    if (this.everyKnownGatewayThrottled()) return 0;
    this.handled = 0;
    if ((await this.claim()) === 0) return 0;
    await this.settle();
    await this.recorder.drain();
    return this.handled;
  }

  private newRecorder(grouped: boolean): ResultRecorder {
    const maxResults = (): number => {
      if (this.deps.recordMaxResults) return this.deps.recordMaxResults;
      return Math.max(50, Math.round(Math.max(0, ...[...this.lanes.values()].map((lane) => lane.pacer.rate)) / 4));
    };
    const grouping = grouped ? { everyMs: this.deps.recordEveryMs ?? 200, maxResults } : undefined;
    return new ResultRecorder(
      {
        store: this.deps.store, timers: this.deps.timers, logger: this.deps.logger, random: this.deps.random, retry: this.retry,
        onCarrierOptOut: this.deps.onCarrierOptOut, afterCommit: () => this.log.flush(), ...(this.deps.onRecorded ? { onRecorded: this.deps.onRecorded } : {}),
      },
      grouping,
    );
  }

  /** Claims what is due (durable before anything is sent) and hands it to the lanes; returns how many. */
  private async claim(): Promise<number> {
    const campaignIds = await this.activeCampaigns(true);
    if (campaignIds.size === 0) return 0;
    const batch = await this.deps.store.outbox.claimDue({
      now: this.deps.clock.now(), limit: this.claimLimit(), leaseMs: this.deps.leaseMs ?? DEFAULT_LEASE_MS, attemptId: this.deps.newId(), campaignIds,
    });
    if (batch.length === 0) return 0;
    this.segmentsPerMessage = batch.reduce((sum, row) => sum + Math.max(1, row.segments), 0) / batch.length;
    // The claim must be on disk before any gateway sees a message: that is what makes a crash safe.
    await this.deps.store.flush();
    this.distribute(batch);
    return batch.length;
  }

  /** About `batchSeconds` of the fastest gateway known (its share, with rateShare), in messages of the size last seen. */
  private claimLimit(): number {
    if (this.deps.batchSize) return this.deps.batchSize;
    let rate = Math.max(0, ...[...this.lanes.values()].map((lane) => lane.pacer.rate));
    if (rate === 0) {
      try {
        const gateway = this.deps.gateway('default');
        const configured = gateway.capabilities().maxSegmentsPerSecond;
        rate = this.deps.rateShare?.(gateway.id, configured) ?? configured;
      } catch {
        rate = FALLBACK_RATE;
      }
    }
    return Math.min(MAX_BATCH, Math.max(1, Math.round((rate * (this.deps.batchSeconds ?? 1)) / this.segmentsPerMessage)));
  }

  /** Nothing to claim while every gateway in use asked us to wait: the rows stay queued, not `sending`. */
  private everyKnownGatewayThrottled(): boolean {
    if (this.lanes.size === 0) return false;
    const now = this.deps.clock.now().getTime();
    return [...this.lanes.values()].every((lane) => lane.pacer.pausedTill() > now);
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

  private addOutcome(outcome: Outcome): void {
    if (outcome.kind === 'sent') this.handled += 1;
    this.recorder.add(outcome);
  }

  /** Queues each message on its gateway's lane; a lane holds about `batchSeconds` of its own rate (twice that when sending continuously), the rest goes back. */
  private distribute(batch: readonly OutboxMessage[]): void {
    const at = this.deps.clock.now().toISOString();
    const touched = new Set<Lane>();
    const unusable = new Map<string, SendResult>();
    for (const claimed of batch) {
      const message = { ...claimed, gateway: this.route(claimed.gateway) };
      const failed = unusable.get(message.gateway);
      const lane = failed ? undefined : this.laneFor(message.gateway, unusable);
      if (!lane) {
        this.addOutcome({ kind: 'sent', message, result: unusable.get(message.gateway) as SendResult, at });
        continue;
      }
      const budget = lane.pacer.rate * (this.deps.batchSeconds ?? 1) * (this.continuous ? 2 : 1);
      if (lane.queuedSegments > 0 && lane.queuedSegments + message.segments > budget) {
        this.addOutcome({ kind: 'held', message, hold: { reason: 'later' }, at });
        continue;
      }
      lane.queue.push(message);
      lane.queuedSegments += message.segments;
      this.queued += 1;
      touched.add(lane);
    }
    for (const lane of touched) this.startPump(lane);
  }

  /** The lane of a gateway (its capabilities read afresh on each claim), or none when it cannot be opened. */
  private laneFor(name: string, unusable: Map<string, SendResult>): Lane | undefined {
    let gateway: SmsGateway;
    try {
      gateway = this.deps.gateway(name);
    } catch (error) {
      // A gateway that is not configured (any more): nothing was sent; retried with backoff, then failed.
      unusable.set(name, { ok: false, error: { code: 'unavailable', retryable: true, message: `Gateway ${name} cannot be used: ${error instanceof Error ? error.message : String(error)}` } });
      return undefined;
    }
    let lane = this.lanes.get(name);
    if (!lane) {
      const capabilities = gateway.capabilities();
      const configured = (): number => this.lanes.get(name)?.capabilities.maxSegmentsPerSecond ?? capabilities.maxSegmentsPerSecond;
      lane = {
        name, gateway, capabilities, queue: [], queuedSegments: 0, inFlight: 0, running: new Set(), pump: undefined, freed: undefined,
        pacer: new GatewayPacer(() => this.deps.rateShare?.(name, configured()) ?? configured()),
        window: new InFlightWindow({ cap: capabilities.maxInFlight }),
      };
      this.lanes.set(name, lane);
    } else if (!lane.pump) {
      lane.gateway = gateway;
      lane.capabilities = gateway.capabilities();
      lane.window.setCap(lane.capabilities.maxInFlight);
    }
    return lane;
  }

  private startPump(lane: Lane): void {
    lane.pump ??= this.pump(lane).finally(() => {
      lane.pump = undefined;
    });
  }

  /** Sends the lane's queue in order, each message when its pace and the in-flight window allow. */
  private async pump(lane: Lane): Promise<void> {
    for (let message = lane.queue.shift(); message; message = lane.queue.shift()) {
      lane.queuedSegments -= message.segments;
      this.queued -= 1;
      if (this.queued <= this.claimLimit() / 2) this.wakeClaimer?.();
      let hold: Hold | undefined;
      try {
        hold = await this.admit(lane, message);
      } catch (error) {
        // The campaign status could not be read (a store error): the message goes back, not out.
        this.deps.logger.error({ gateway: lane.name, error }, 'could not check a message before sending; it goes back to the queue');
        hold = { reason: 'later' };
      }
      if (hold) this.addOutcome({ kind: 'held', message, hold, at: this.deps.clock.now().toISOString() });
      else this.launch(lane, message);
    }
  }

  /** Waits for the message's turn; returns why it may not go, if it may not. */
  private async admit(lane: Lane, message: OutboxMessage): Promise<Hold | undefined> {
    for (;;) {
      const hold = await this.holdFor(lane, message);
      if (hold) return hold;
      if (lane.inFlight >= lane.window.size(lane.pacer.rate / this.segmentsPerMessage)) {
        await this.requestFreed(lane);
        continue;
      }
      const wait = lane.pacer.tryTake(message.segments, this.deps.clock.now().getTime());
      if (wait === 0) return undefined;
      await new Promise<void>((resolve) => this.deps.timers.setTimeout(resolve, Math.min(wait, MAX_WAIT_MS)));
    }
  }

  private async holdFor(lane: Lane, message: OutboxMessage): Promise<Hold | undefined> {
    if (this.halted) return { reason: 'halted' };
    const now = this.deps.clock.now().getTime();
    const pausedTill = lane.pacer.pausedTill();
    if (pausedTill > now) return { reason: 'throttled', until: pausedTill };
    if (this.deps.failover && this.deps.failover.gateway !== lane.name && this.circuits?.isOpen(lane.name, now)) return { reason: 'circuit' };
    if (!(await this.activeCampaigns()).has(message.campaignId)) return { reason: 'inactive' };
    // Another instance (or this one's lease check) may expire a lease that ran out, ask the gateway and
    // queue the message again: a claim is only sent while at least half its lease is left.
    if (message.leaseUntil !== undefined && Date.parse(message.leaseUntil) - now < (this.deps.leaseMs ?? DEFAULT_LEASE_MS) / 2) return { reason: 'later' };
    return undefined;
  }

  /** Resolves when one of the lane's requests finishes, or after MAX_WAIT_MS (so stops are noticed). */
  private requestFreed(lane: Lane): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.deps.timers.setTimeout(() => {
        lane.freed = undefined;
        resolve();
      }, MAX_WAIT_MS);
      lane.freed = () => {
        this.deps.timers.clearTimeout(timer);
        lane.freed = undefined;
        resolve();
      };
    });
  }

  /** Starts one send; its answer is counted (latency, circuit, throttling) and handed to the recorder. */
  private launch(lane: Lane, message: OutboxMessage): void {
    lane.inFlight += 1;
    const started = this.deps.clock.now().getTime();
    const maxRetryAfterMs = lane.capabilities.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    const sending = this.sendOne(lane.gateway, message).then((raw) => {
      lane.inFlight -= 1;
      const result = boundRetryAfter(raw, maxRetryAfterMs);
      const now = this.deps.clock.now().getTime();
      lane.window.observe(now - started);
      // How evenly requests reach the gateway, for the pacer's margin: accepted sends only (a refused
      // connection or a rejected sender answers at once, a time-out says nothing).
      if (result.ok) lane.pacer.observeLatency(now - started);
      this.circuits?.record(lane.name, result, now);
      this.log.sent(message.campaignId, lane.name, result);
      if (!result.ok && result.error.code === 'throttled' && result.error.retryAfterMs) lane.pacer.pause(now + result.error.retryAfterMs);
      this.addOutcome({ kind: 'sent', message, result, at: new Date(now).toISOString() });
      lane.freed?.();
    });
    lane.running.add(sending);
    void sending.finally(() => lane.running.delete(sending));
  }

  /** Resolves once every lane has sent or put back what it holds and every request has its answer. */
  private async settle(): Promise<void> {
    for (;;) {
      const work = [...this.lanes.values()].flatMap((lane) => [...(lane.pump ? [lane.pump] : []), ...lane.running]);
      if (work.length === 0) return;
      await Promise.all(work);
    }
  }

  private claimerWait(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeClaimer = () => {
        this.wakeClaimer = undefined;
        resolve();
      };
      if (this.halted || this.queued <= this.claimLimit() / 2) this.wakeClaimer();
    });
  }

  /** Waits `ms`, or less if halted meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.deps.timers.setTimeout(() => {
        this.wakeClaimer = undefined;
        resolve();
      }, ms);
      this.wakeClaimer = () => {
        this.deps.timers.clearTimeout(timer);
        this.wakeClaimer = undefined;
        resolve();
      };
      if (this.halted) this.wakeClaimer();
    });
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
}

/** Retry-After beyond the gateway's bound is cut to it, so one answer cannot freeze sending for long. */
function boundRetryAfter(result: SendResult, maxMs: number): SendResult {
  if (result.ok || result.error.retryAfterMs === undefined || result.error.retryAfterMs <= maxMs) return result;
  return { ok: false, error: { ...result.error, retryAfterMs: maxMs } };
}
