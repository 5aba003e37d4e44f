import type { Clock } from './common/clock.js';
import type { Logger } from './common/logger.js';
import type { CampaignService } from './campaigns/campaign-service.js';
import { recordConsent } from './consent/record-consent.js';
import { Dispatcher } from './delivery/dispatcher.js';
import type { GatewayEvent, SmsGateway } from './delivery/gateway.js';
import { EventIngestor } from './delivery/ingest-events.js';
import { Reconciler } from './delivery/reconcile.js';
import { sendResultEvents } from './delivery/send-events.js';
import type { EventSink } from './delivery/sinks.js';
import type { OutboxMessage } from './delivery/outbox.js';
import type { Timers } from './delivery/timers.js';
import type { EventInbox } from './store/lowdb/event-inbox.js';
import type { Store } from './store/port.js';
import type { ConsentRequestSettings } from './consent/consent-request.js';

export interface EngineDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  newId(): string;
  random(): number;
  gateway(name: string): SmsGateway;
  campaigns: CampaignService;
  /** Durable inbox for receipts and replies; events are acknowledged once appended to it. */
  inbox: EventInbox<GatewayEvent>;
  batchSize?: number;
  /** A gateway to use while another keeps failing. */
  failoverGateway?: string;
  /** Told when a gateway's circuit opens (notifications). */
  onCircuitOpen?(gateway: string, failover: string, until: Date): void;
  /** How often the running engine asks gateways about `unknown` rows (default 30 s). */
  reconcileEveryMs?: number;
  /** Sinks besides the store, each with its own durable inbox (see EventSink). */
  sinks?: Array<{ sink: EventSink; inbox: EventInbox<GatewayEvent> }>;
  /** Double opt-in replies (CONSENT_YES_KEYWORDS, CONSENT_REQUEST_WINDOW_HOURS). */
  consentRequests?: ConsentRequestSettings;
  /**
   * How often the running engine expires leases (rows left `sending` by a process that died), besides
   * at start: with a shared database another instance's crash is found on this beat.
   */
  leaseCheckMs?: number;
  /** How long a claimed batch is leased (DELIVERY_LEASE_SECONDS); default the dispatcher's. */
  leaseMs?: number;
  /**
   * Several instances: whether this one may ask the gateways about `unknown` rows now (the leader
   * only), since a verdict written late by a second reconciler could queue again a row that another
   * instance has just claimed and is sending. Default: always (one process).
   */
  mayReconcile?: () => boolean;
  /** This process's share of a gateway's rate when several instances send (see DispatcherDeps). */
  rateShare?: (gateway: string, configuredPerSecond: number) => number;
}

/**
 * The sending engine in one process: the dispatcher drains the outbox, receipts and replies go through
 * the durable inbox to the store, and campaigns complete when nothing is left to send.
 */
export class DeliveryEngine {
  readonly dispatcher: Dispatcher;
  private readonly ingestor: EventIngestor;
  private readonly reconciler: Reconciler;
  private nextReconcileAt = 0;
  /** Campaigns seen sending by this process (for the start and finish log lines). */
  private readonly sending = new Set<string>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastLeaseCheck = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: EngineDeps) {
    this.dispatcher = new Dispatcher({
      store: deps.store, gateway: deps.gateway, clock: deps.clock, timers: deps.timers, logger: deps.logger, newId: deps.newId, random: deps.random,
      activeCampaigns: () => deps.campaigns.activeIds(),
      onCarrierOptOut: async (message, error) => {
        if (message.contactId.startsWith('test:') || message.contactId.startsWith('phone:')) return;
        await recordConsent(
          { contactId: message.contactId, status: 'opted_out', scope: 'all', origin: 'carrier', source: `${message.gateway} refused: recipient opted out`, evidence: `${message.gateway}:${error.providerCode ?? error.code}` },
          { store: deps.store, clock: deps.clock, newId: deps.newId },
        ).catch((cause: unknown) => deps.logger.warn({ error: cause }, 'could not record a carrier opt-out'));
      },
      // Sinks hear of sends too (a send has no receipt of its own); the main inbox needs no copy.
      ...(deps.sinks?.length ? { onRecorded: async (rows: readonly OutboxMessage[]) => this.toSinks(sendResultEvents(rows)) } : {}),
      ...(deps.batchSize ? { batchSize: deps.batchSize } : {}),
      ...(deps.failoverGateway ? { failover: { gateway: deps.failoverGateway, afterFailures: 5, cooldownMs: 60_000 } } : {}),
      ...(deps.onCircuitOpen ? { onCircuitOpen: deps.onCircuitOpen } : {}),
      ...(deps.leaseMs ? { leaseMs: deps.leaseMs } : {}),
      ...(deps.rateShare ? { rateShare: deps.rateShare } : {}),
    });
    this.ingestor = new EventIngestor({
      store: deps.store, clock: deps.clock, logger: deps.logger, newId: deps.newId, gateway: deps.gateway, ...(deps.consentRequests ? { consentRequests: deps.consentRequests } : {}),
    });
    this.reconciler = new Reconciler({ store: deps.store, gateway: deps.gateway, clock: deps.clock, logger: deps.logger });
  }

  /** Where gateways hand receipts and replies: resolves once they are durable (then they are processed). */
  async accept(events: GatewayEvent[]): Promise<void> {
    if (events.length === 0) return;
    // No wake-up per event: the loop applies the inbox in batches on its own beat, so a burst of
    // webhooks costs a few store writes, not one per request.
    await Promise.all([
      this.deps.inbox.append(events),
      ...(this.deps.sinks ?? []).map(({ sink, inbox }) => {
        const kept = sink.wants ? events.filter((event) => sink.wants?.(event)) : events;
        return kept.length > 0 ? inbox.append(kept) : undefined;
      }),
    ]);
  }

  private async toSinks(events: GatewayEvent[]): Promise<void> {
    if (events.length === 0) return;
    await Promise.all((this.deps.sinks ?? []).map(({ inbox }) => inbox.append(events)));
  }

  /** Feeds each sink what it has not had yet; a sink that fails keeps its place and tries again next round. */
  async feedSinks(): Promise<void> {
    for (const { sink, inbox } of this.deps.sinks ?? []) {
      if (sink.ready && !sink.ready()) continue;
      try {
        for (;;) {
          const entries = await inbox.readAfter(inbox.cursor(), 500);
          if (entries.length === 0) break;
          await sink.handle(entries.map((entry) => entry.event));
          await inbox.commit((entries[entries.length - 1] as { seq: number }).seq);
        }
        // Drops the handled prefix once it is big (the inbox decides: ≥ 1 MiB and at least half the file).
        await inbox.compact();
      } catch (error) {
        this.deps.logger.warn({ sink: sink.name, error }, 'event sink is failing; it will catch up later');
      }
    }
  }

  /** Applies what the inbox holds beyond its cursor, a batch at a time; returns how many events. */
  async processInbox(): Promise<number> {
    let total = 0;
    for (;;) {
      const entries = await this.deps.inbox.readAfter(this.deps.inbox.cursor(), 1000);
      if (entries.length === 0) break;
      await this.ingestor.ingest(entries.map((entry) => entry.event));
      await this.deps.store.flush();
      await this.deps.inbox.commit((entries[entries.length - 1] as { seq: number }).seq);
      total += entries.length;
    }
    // The applied prefix is only history: drop it once it is big (≥ 1 MiB and at least half the file),
    // so the inbox holds what is not applied yet, not every receipt ever received.
    if (total > 0) await this.deps.inbox.compact();
    return total;
  }

  /** After a crash: unknown rows, and what the gateways can tell about them (applied like receipts). */
  async recover(): Promise<void> {
    await this.expireLeases();
    await this.reconcile();
  }

  /** Rows left `sending` by a process that died become `unknown`; receipts the gateways still hold are applied. */
  private async expireLeases(): Promise<void> {
    this.lastLeaseCheck = this.deps.clock.now().getTime();
    const { unknown, reconciled } = await this.dispatcher.recover();
    if (reconciled.length > 0) await this.accept(reconciled);
    await this.processInbox();
    if (unknown.length > 0 && this.deps.mayReconcile) await this.reconcile();
  }

  /** Asks the gateways about `unknown` rows (see Reconciler); a failure is logged and tried on a later beat. */
  async reconcile(): Promise<void> {
    this.nextReconcileAt = this.deps.clock.now().getTime() + (this.deps.reconcileEveryMs ?? 30_000);
    if (this.deps.mayReconcile && !this.deps.mayReconcile()) return;
    try {
      await this.reconciler.run();
    } catch (error) {
      this.deps.logger.warn({ error }, 'could not reconcile unknown messages; trying again later');
    }
  }

  /**
   * Expires leases on the engine's own beat. The dispatcher sends what it claimed within seconds, far
   * inside a lease (default 120 s), and never sends a message whose lease has run out.
   */
  private async checkLeases(): Promise<void> {
    if (this.deps.clock.now().getTime() - this.lastLeaseCheck < (this.deps.leaseCheckMs ?? 5_000)) return;
    // Several instances: the leader expires leases, and asks the gateways about them at once (below),
    // before a campaign could complete on rows the gateway never received.
    if (this.deps.mayReconcile && !this.deps.mayReconcile()) return;
    await this.expireLeases();
  }

  /** One round: send a batch, apply receipts, complete finished campaigns. Returns messages sent. */
  async step(): Promise<number> {
    await this.checkLeases();
    const sent = await this.dispatcher.runBatch();
    await this.housekeeping();
    return sent;
  }

  /** Everything but sending: receipts, sinks, reconciliation, campaign start and finish. */
  private async housekeeping(): Promise<void> {
    await this.processInbox();
    await this.feedSinks();
    if (this.ingestor.pendingOrphans() > 0) await this.ingestor.ingest([]);
    if (this.deps.clock.now().getTime() >= this.nextReconcileAt) await this.reconcile();
    const active = await this.deps.campaigns.activeIds();
    for (const id of active) {
      if (!this.sending.has(id)) await this.logStart(id);
      if (await this.deps.campaigns.completeIfDone(id)) await this.logFinish(id, 'campaign finished');
    }
    for (const id of this.sending) if (!active.has(id)) await this.logFinish(id, 'campaign stopped sending');
  }

  private async logStart(id: string): Promise<void> {
    this.sending.add(id);
    const counts = await this.deps.store.outbox.countByStatus(id);
    this.deps.logger.info({ campaignId: id, total: Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0), messages: counts }, 'campaign sending');
  }

  private async logFinish(id: string, message: string): Promise<void> {
    if (!this.sending.delete(id)) return;
    this.dispatcher.log.forget(id);
    const campaign = await this.deps.store.campaigns.get(id);
    this.deps.logger.info({ campaignId: id, status: campaign?.status, messages: await this.deps.store.outbox.countByStatus(id) }, message);
  }

  /**
   * Runs until stop(): the service's background worker. The dispatcher sends continuously (claiming
   * ahead, recording in group commits); beside it, every `pollMs`, receipts are applied, sinks fed,
   * leases checked and finished campaigns completed.
   */
  start(pollMs = 200): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      await this.recover().catch((error: unknown) => this.deps.logger.error({ error }, 'recovery after a restart failed; the engine retries it on its beat'));
      const sending = this.running ? this.dispatcher.run() : Promise.resolve();
      while (this.running) {
        try {
          await this.checkLeases();
          await this.housekeeping();
        } catch (error) {
          this.deps.logger.error({ error }, 'delivery step failed; retrying');
        }
        if (this.running) await this.sleep(pollMs);
      }
      await sending;
    })();
  }

  isRunning(): boolean {
    return this.running;
  }

  async stop(): Promise<void> {
    this.running = false;
    // The batch in flight puts back what it has not sent, so a stop waits for sends under way only.
    this.dispatcher.halt();
    this.wake?.();
    await this.loop;
  }

  /**
   * For the CLI: sends a campaign's due messages and, with `receipts`, waits until every message is
   * final or unknown (or `timeoutMs` passes). Messages deferred by quiet hours stay queued for the service.
   */
  async runCampaign(id: string, options: { receipts: boolean; timeoutMs: number; pollMs?: number }): Promise<void> {
    await this.recover();
    const deadline = this.deps.clock.now().getTime() + options.timeoutMs;
    for (;;) {
      const sent = await this.step();
      // Without receipts: done once a round found nothing due and nothing is still being sent.
      const done = options.receipts ? await this.deps.campaigns.settled(id) : sent === 0 && ((await this.deps.store.outbox.countByStatus(id)).sending ?? 0) === 0;
      if (done || this.deps.clock.now().getTime() > deadline) return;
      if (sent === 0) await this.sleep(options.pollMs ?? 100);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.deps.timers.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        this.deps.timers.clearTimeout(handle);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
