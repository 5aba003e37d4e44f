import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { Store } from '../store/port.js';
import type { SentLookup, SmsGateway, StatusEvent } from './gateway.js';
import type { OutboxMessage } from './outbox.js';
import { canMove } from './outbox.js';
import { applyStatusEvent } from './status-events.js';

export interface ReconcileDeps {
  store: Store;
  gateway(name: string): SmsGateway;
  clock: Clock;
  logger: Logger;
}

export interface Verdict {
  row: OutboxMessage;
  lookup: SentLookup;
}

export interface ReconcileSummary {
  checked: number;
  /** The gateway has them: now `submitted` (or further). */
  sent: number;
  /** The gateway never got them: queued again (or, without `requeue`, only counted). */
  notReceived: number;
  /** Still `unknown`: the gateway cannot tell. */
  unresolved: number;
}

const ASK_CONCURRENCY = 8;
/** Finished campaigns are asked about for this long after they finish; later, only `resend-unknown` asks. */
const FINISHED_CAMPAIGN_WINDOW_MS = 24 * 60 * 60_000;

/** How far before the end of its lease an attempt may have started (longest lease, plus clock skew). */
const ATTEMPT_WINDOW_MS = 10 * 60_000;

/** Every `unknown` row of a campaign, in pages (the store keeps counts, so campaigns without any cost nothing). */
export async function unknownRows(store: Store, campaignId: string): Promise<OutboxMessage[]> {
  if (((await store.outbox.countByStatus(campaignId)).unknown ?? 0) === 0) return [];
  const found: OutboxMessage[] = [];
  for (let afterId: string | undefined; ; ) {
    const page = await store.outbox.listByCampaign(campaignId, afterId === undefined ? { limit: 2000 } : { limit: 2000, afterId });
    if (page.length === 0) break;
    for (const row of page) if (row.status === 'unknown' && !row.test) found.push(row);
    afterId = page[page.length - 1]?.id;
  }
  return found;
}

/**
 * Asks each row's gateway what became of it: by provider id where one was recorded (`lookup`), else by
 * recipient, sender, text and time (`findSent`). One row's failure (a gateway that is not configured
 * any more, a timeout) is that row's `cannot_tell`, never the others'.
 */
export async function askGateways(deps: ReconcileDeps, rows: readonly OutboxMessage[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = new Array<Verdict>(rows.length);
  let next = 0;
  // A few questions at a time: thousands of unknown rows after a crash should not take an hour.
  const worker = async (): Promise<void> => {
    for (let i = next++; i < rows.length; i = next++) verdicts[i] = { row: rows[i] as OutboxMessage, lookup: await askOne(deps, rows[i] as OutboxMessage) };
  };
  await Promise.all(Array.from({ length: Math.min(ASK_CONCURRENCY, rows.length) }, worker));
  return verdicts;
}

async function askOne(deps: ReconcileDeps, row: OutboxMessage): Promise<SentLookup> {
  let gateway: SmsGateway;
  try {
    gateway = deps.gateway(row.gateway);
  } catch (error) {
    return { found: 'cannot_tell', reason: `gateway ${row.gateway} is not configured (${error instanceof Error ? error.message : String(error)})` };
  }
  try {
    if (row.providerMessageId && gateway.lookup) {
      const status = await gateway.lookup(row.providerMessageId);
      return status ? { found: 'sent', providerMessageId: row.providerMessageId, status } : { found: 'cannot_tell', reason: 'the gateway does not know the provider id' };
    }
    if (!gateway.findSent) return { found: 'cannot_tell', reason: `${row.gateway} cannot be asked what it received` };
    const end = Date.parse(row.leaseUntil ?? row.updatedAt);
    return await gateway.findSent({
      messageId: row.id, to: row.phone, from: row.sender, text: row.text, since: new Date((Number.isNaN(end) ? deps.clock.now().getTime() : end) - ATTEMPT_WINDOW_MS),
      ...(row.providerMessageId ? { providerMessageId: row.providerMessageId } : {}),
    });
  } catch (error) {
    return { found: 'cannot_tell', reason: `${row.gateway} did not answer (${error instanceof Error ? error.message : String(error)})` };
  }
}

/**
 * The row changes the verdicts call for. `sent`: `submitted` with the provider id (and the gateway's
 * status applied like a receipt). `not_received`, with `requeue`: back to `queued` (`requeuedAt` set;
 * its earlier attempt never reached the gateway, so sending it cannot double it). The rest stay.
 */
export function resolveVerdicts(verdicts: readonly Verdict[], at: string, options: { requeue: boolean }): { rows: OutboxMessage[]; summary: ReconcileSummary } {
  const summary: ReconcileSummary = { checked: verdicts.length, sent: 0, notReceived: 0, unresolved: 0 };
  const rows: OutboxMessage[] = [];
  for (const { row, lookup } of verdicts) {
    if (lookup.found === 'sent') {
      summary.sent += 1;
      rows.push(confirmSent(row, lookup, at));
    } else if (lookup.found === 'not_received') {
      summary.notReceived += 1;
      if (options.requeue) rows.push(requeue(row, at));
    } else summary.unresolved += 1;
  }
  return { rows, summary };
}

export function confirmSent(row: OutboxMessage, lookup: Extract<SentLookup, { found: 'sent' }>, at: string): OutboxMessage {
  let updated: OutboxMessage = { ...row, providerMessageId: lookup.providerMessageId, updatedAt: at };
  if (canMove(updated.status, 'submitted')) updated = { ...updated, status: 'submitted', submittedAt: updated.submittedAt ?? at };
  const status: StatusEvent | undefined = lookup.status;
  if (status && status.status !== 'submitted') {
    const applied = applyStatusEvent(updated, { ...status, messageId: row.id }, at);
    if (applied.outcome === 'applied') updated = applied.row;
  }
  return updated;
}

/** The one backward move the lifecycle allows: an attempt the gateway says it never received. */
export function requeue(row: OutboxMessage, at: string): OutboxMessage {
  const { attemptId: _attempt, leaseUntil: _lease, retryAt: _retry, errorCode: _code, providerCode: _provider, ...rest } = row;
  return { ...rest, status: 'queued', requeuedAt: at, updatedAt: at };
}

/**
 * Reconciliation on the engine's beat: the `unknown` rows of campaigns that have some are put to their
 * gateways; each row is asked at most once per `retryMs` (a gateway that cannot tell now will not know
 * better a second later). Rows the gateway never received are queued again only where their campaign
 * is still sending or paused (a finished campaign is the operator's call: `campaign resend-unknown`).
 */
export class Reconciler {
  private readonly nextCheck = new Map<string, number>();

  constructor(
    private readonly deps: ReconcileDeps,
    private readonly options: { retryMs?: number } = {},
  ) {}

  async run(): Promise<ReconcileSummary> {
    const total: ReconcileSummary = { checked: 0, sent: 0, notReceived: 0, unresolved: 0 };
    const now = this.deps.clock.now();
    if (this.nextCheck.size > 100_000) this.nextCheck.clear();
    for (const campaign of await this.deps.store.campaigns.list()) {
      if (campaign.status === 'draft' || campaign.status === 'scheduled') continue;
      if (campaign.finishedAt && now.getTime() - Date.parse(campaign.finishedAt) > FINISHED_CAMPAIGN_WINDOW_MS) continue;
      const rows = (await unknownRows(this.deps.store, campaign.id)).filter((row) => (this.nextCheck.get(row.id) ?? 0) <= now.getTime());
      if (rows.length === 0) continue;
      const verdicts = await askGateways(this.deps, rows);
      const { rows: changed, summary } = resolveVerdicts(verdicts, now.toISOString(), { requeue: campaign.status === 'sending' || campaign.status === 'paused' });
      for (const row of rows) this.nextCheck.set(row.id, now.getTime() + (this.options.retryMs ?? 5 * 60_000));
      await this.deps.store.outbox.updateMany(changed);
      for (const key of Object.keys(summary) as Array<keyof ReconcileSummary>) total[key] += summary[key];
      if (summary.sent + summary.notReceived > 0) {
        this.deps.logger.info({ campaignId: campaign.id, ...summary, requeued: changed.filter((r) => r.status === 'queued').length }, 'unknown messages reconciled with the gateway');
      }
    }
    if (total.checked > 0) await this.deps.store.flush();
    return total;
  }
}
