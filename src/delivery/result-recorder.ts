import type { Logger } from '../common/logger.js';
import type { Store } from '../store/port.js';
import type { GatewayError, SendResult } from './gateway.js';
import type { OutboxMessage } from './outbox.js';
import { canMove } from './outbox.js';
import type { RetryPolicy } from './retry.js';
import { retryDecision } from './retry.js';
import type { Timers } from './timers.js';

/** Why a claimed message goes back without being sent: it never reached the gateway, so nothing is lost or doubled. */
export type Hold = { reason: 'halted' | 'circuit' | 'inactive' | 'later' } | { reason: 'throttled'; until: number };

export type Outcome =
  | { kind: 'sent'; message: OutboxMessage; result: SendResult; at: string }
  | { kind: 'held'; message: OutboxMessage; hold: Hold; at: string };

export interface ResultRecorderDeps {
  store: Store;
  timers: Timers;
  logger: Logger;
  random(): number;
  retry: RetryPolicy;
  onCarrierOptOut(message: OutboxMessage, error: GatewayError): Promise<void>;
  onRecorded?(rows: readonly OutboxMessage[]): Promise<void>;
  /** After each durable commit (the dispatch log writes its due lines). */
  afterCommit?(): void;
}

export interface GroupCommitOptions {
  /** Commit at least this often while results come in (ms). */
  everyMs: number;
  /** Commit at once when this many results wait (read at each result: it follows the rate). */
  maxResults(): number;
}

/**
 * Records send results and held messages in group commits: results gather for up to `everyMs` (or
 * `maxResults` of them), then one `updateMany` and one durable flush record them all, while sending
 * goes on. One commit runs at a time; results that arrive meanwhile go into the next. A row stays
 * `sending` (with its attempt id) until its result is durable, so a crash before the commit leaves it
 * to become `unknown`, never re-sent blindly.
 */
export class ResultRecorder {
  private buffer: Outcome[] = [];
  private committing: Promise<void> | undefined;
  private timer: unknown;
  /** Durable commits made (for tests and logs). */
  commits = 0;

  constructor(
    private readonly deps: ResultRecorderDeps,
    /** Without it, results wait for `drain()` (one commit per batch). */
    private readonly grouping?: GroupCommitOptions,
  ) {}

  /** Results not yet committed. */
  pending(): number {
    return this.buffer.length;
  }

  add(outcome: Outcome): void {
    this.buffer.push(outcome);
    if (!this.grouping || this.committing) return;
    if (this.buffer.length >= this.grouping.maxResults()) this.start();
    else this.timer ??= this.deps.timers.setTimeout(() => this.start(), this.grouping.everyMs);
  }

  /** Commits everything added so far; rejects if a commit of it failed. */
  async drain(): Promise<void> {
    this.clearTimer();
    await this.committing;
    while (this.buffer.length > 0) {
      const outcomes = this.buffer;
      this.buffer = [];
      await this.commit(outcomes);
    }
  }

  private start(): void {
    this.clearTimer();
    if (this.committing || this.buffer.length === 0) return;
    const outcomes = this.buffer;
    this.buffer = [];
    this.committing = this.commit(outcomes)
      .catch((error: unknown) => {
        // The rows stay `sending` and become `unknown` when their lease ends: the safe side of a lost write.
        this.deps.logger.error({ error, results: outcomes.length }, 'could not record send results; those messages will show as unknown');
      })
      .finally(() => {
        this.committing = undefined;
        if (this.buffer.length > 0 && this.grouping) {
          if (this.buffer.length >= this.grouping.maxResults()) this.start();
          else this.timer ??= this.deps.timers.setTimeout(() => this.start(), this.grouping.everyMs);
        }
      });
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    this.deps.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async commit(outcomes: Outcome[]): Promise<void> {
    const rows = await this.rowsFor(outcomes);
    await this.deps.store.outbox.updateMany(rows);
    await this.deps.store.flush();
    this.commits += 1;
    await this.deps.onRecorded?.(rows);
    this.deps.afterCommit?.();
  }

  /** The new rows; a receipt that raced ahead of its send result keeps its later status. */
  private async rowsFor(outcomes: Outcome[]): Promise<OutboxMessage[]> {
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
      const decision = retryDecision(result.error, message.attempts, this.deps.retry, this.deps.random());
      const failed = { ...now, errorCode: result.error.code, ...(result.error.providerCode ? { providerCode: result.error.providerCode } : {}), updatedAt: at };
      if (decision.retry) rows.push({ ...failed, status: 'queued', retryAt: new Date(Date.parse(at) + decision.waitMs).toISOString() });
      else if (decision.reason === 'outcome_unknown') rows.push({ ...failed, status: 'unknown', ...(result.error.providerMessageId ? { providerMessageId: result.error.providerMessageId } : {}) });
      else rows.push({ ...failed, status: decision.reason === 'permanent' ? 'rejected' : 'failed', finalAt: at });
      if (result.error.code === 'opted_out') await this.deps.onCarrierOptOut(message, result.error);
    }
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
