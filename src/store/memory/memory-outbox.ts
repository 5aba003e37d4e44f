import type { MessageStatus, OutboxMessage } from '../../delivery/outbox.js';
import type { OutboxAggregate } from '../../campaigns/report-aggregate.js';
import { applyRow, copyAggregate, emptyAggregate } from '../../campaigns/report-aggregate.js';
import type { OutboxRepository } from '../port.js';
import { DueHeap } from './due-heap.js';

/** Statuses that count against a marketing frequency cap: everything that was or will be sent. */
const NOT_COUNTED: ReadonlySet<MessageStatus> = new Set(['canceled', 'rejected', 'failed']);

/**
 * The outbox in memory, partitioned per campaign, with the indexes the hot paths need: due messages
 * (a heap on send time), provider ids (receipts), the last message to a number (replies) and each
 * contact's marketing messages (frequency caps).
 */
export class MemoryOutbox implements OutboxRepository {
  private readonly byCampaign = new Map<string, Map<string, OutboxMessage>>();
  private readonly campaignOf = new Map<string, string>();
  /** Gateway → provider message id → message id. */
  private readonly byProvider = new Map<string, Map<string, string>>();
  private readonly lastByPhone = new Map<string, string>();
  /** Contact → its marketing message ids: one id as a plain string (the common case), more as a set. */
  private readonly marketingByContact = new Map<string, string | Set<string>>();
  /** One copy of each repeated value (campaign, sender, times a batch shares, a text sent alike to many). */
  private readonly strings = new StringPool();
  private readonly due = new DueHeap();
  /** Per campaign: the running totals of its rows (test sends excluded), kept as rows change. */
  private readonly aggregates = new Map<string, OutboxAggregate>();
  /** Per campaign: ids in order, for paging; rebuilt after an insert. */
  private readonly sortedIds = new Map<string, string[]>();

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: (campaignIds: ReadonlySet<string>, rows: readonly OutboxMessage[]) => void,
  ) {}

  /** Loads persisted rows without scheduling writes. */
  load(rows: Iterable<OutboxMessage>): void {
    for (const row of rows) this.put(row);
  }

  campaigns(): string[] {
    return [...this.byCampaign.keys()];
  }

  rowsOf(campaignId: string): OutboxMessage[] {
    return [...(this.byCampaign.get(campaignId)?.values() ?? [])];
  }

  async insertMany(rows: readonly OutboxMessage[]): Promise<void> {
    await this.updateMany(rows);
  }

  async updateMany(rows: readonly OutboxMessage[]): Promise<void> {
    if (rows.length === 0) return;
    this.beforeChange();
    const touched = new Set<string>();
    const copies = rows.map((row) => ({ ...row }));
    for (const row of copies) {
      this.put(row);
      touched.add(row.campaignId);
    }
    this.afterChange(touched, copies);
  }

  async claimDue(options: { now: Date; limit: number; leaseMs: number; attemptId: string; campaignIds: ReadonlySet<string> }): Promise<OutboxMessage[]> {
    const now = options.now.toISOString();
    const claimed: OutboxMessage[] = [];
    const skipped: Array<{ due: string; key: string }> = [];
    while (claimed.length < options.limit) {
      const top = this.due.peek();
      if (!top || top.due > now) break;
      this.due.pop();
      const row = this.find(top.key);
      if (!row || row.status !== 'queued' || dueOf(row) !== top.due) continue;
      if (!options.campaignIds.has(row.campaignId)) {
        skipped.push(top);
        continue;
      }
      claimed.push({
        ...row,
        status: 'sending',
        attempts: row.attempts + 1,
        attemptId: options.attemptId,
        leaseUntil: new Date(options.now.getTime() + options.leaseMs).toISOString(),
        updatedAt: now,
      });
    }
    for (const entry of skipped) this.due.push(entry.due, entry.key);
    await this.updateMany(claimed);
    return claimed.map((row) => ({ ...row }));
  }

  async expireLeases(now: Date): Promise<OutboxMessage[]> {
    const at = now.toISOString();
    const expired: OutboxMessage[] = [];
    for (const rows of this.byCampaign.values()) {
      for (const row of rows.values()) {
        if (row.status === 'sending' && (row.leaseUntil ?? '') < at) expired.push({ ...row, status: 'unknown', updatedAt: at });
      }
    }
    await this.updateMany(expired);
    return expired;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, OutboxMessage>> {
    const found = new Map<string, OutboxMessage>();
    for (const id of ids) {
      const row = this.find(id);
      if (row) found.set(id, { ...row });
    }
    return found;
  }

  async getByProviderIds(gateway: string, providerIds: readonly string[]): Promise<Map<string, OutboxMessage>> {
    const found = new Map<string, OutboxMessage>();
    for (const providerId of providerIds) {
      const id = this.byProvider.get(gateway)?.get(providerId);
      const row = id === undefined ? undefined : this.find(id);
      if (row) found.set(providerId, { ...row });
    }
    return found;
  }

  async lastToPhone(phone: string): Promise<OutboxMessage | undefined> {
    const id = this.lastByPhone.get(phone);
    const row = id === undefined ? undefined : this.find(id);
    return row && { ...row };
  }

  async listByCampaign(campaignId: string, options: { limit: number; afterId?: string }): Promise<OutboxMessage[]> {
    const rows = this.byCampaign.get(campaignId);
    if (!rows) return [];
    let ids = this.sortedIds.get(campaignId);
    if (!ids) this.sortedIds.set(campaignId, (ids = [...rows.keys()].sort()));
    let start = 0;
    if (options.afterId !== undefined) {
      // First id greater than afterId (binary search): paging a large campaign stays linear.
      let high = ids.length;
      while (start < high) {
        const mid = (start + high) >>> 1;
        if ((ids[mid] as string) <= options.afterId) start = mid + 1;
        else high = mid;
      }
    }
    return ids.slice(start, start + options.limit).map((id) => ({ ...(rows.get(id) as OutboxMessage) }));
  }

  async countByStatus(campaignId: string): Promise<Partial<Record<MessageStatus, number>>> {
    return { ...this.aggregates.get(campaignId)?.byStatus };
  }

  async spent(campaignId: string): Promise<number> {
    return this.aggregates.get(campaignId)?.spent ?? 0;
  }

  async aggregate(campaignId: string): Promise<OutboxAggregate> {
    const aggregate = this.aggregates.get(campaignId);
    return aggregate ? copyAggregate(aggregate) : emptyAggregate();
  }

  /** Nothing queued, sending or awaiting a receipt (test sends aside). */
  settled(campaignId: string): boolean {
    const counts = this.aggregates.get(campaignId)?.byStatus ?? {};
    return (counts.queued ?? 0) + (counts.sending ?? 0) + (counts.submitted ?? 0) === 0;
  }

  /** The variant of a message, and whether it is a test send (replies are attributed with it). */
  variantOf(id: string): { variant: string; test: boolean } | undefined {
    const row = this.find(id);
    return row && { variant: row.variant, test: Boolean(row.test) };
  }

  async marketingSendTimes(contactIds: readonly string[], since: Date): Promise<Map<string, Date[]>> {
    const from = since.toISOString();
    const found = new Map<string, Date[]>();
    for (const contactId of contactIds) {
      const entry = this.marketingByContact.get(contactId);
      if (entry === undefined) continue;
      const ids = typeof entry === 'string' ? [entry] : entry;
      const times: Date[] = [];
      for (const id of ids) {
        const row = this.find(id);
        if (!row || row.test || NOT_COUNTED.has(row.status)) continue;
        const at = row.submittedAt ?? row.sendAfter;
        if (at >= from) times.push(new Date(at));
      }
      if (times.length > 0) found.set(contactId, times);
    }
    return found;
  }

  async marketingSentTo(contactIds: readonly string[], since: Date): Promise<Map<string, OutboxMessage[]>> {
    const from = since.toISOString();
    const found = new Map<string, OutboxMessage[]>();
    for (const contactId of contactIds) {
      const rows: OutboxMessage[] = [];
      const entry = this.marketingByContact.get(contactId);
      for (const id of entry === undefined ? [] : typeof entry === 'string' ? [entry] : entry) {
        const row = this.find(id);
        if (row && !row.test && row.submittedAt !== undefined && row.submittedAt >= from) rows.push({ ...row });
      }
      if (rows.length > 0) found.set(contactId, rows);
    }
    return found;
  }

  async erase(match: { contactId?: string; phone: string }, redacted: { phone: string; contactId: string; text: string }): Promise<number> {
    const hits: OutboxMessage[] = [];
    for (const rows of this.byCampaign.values()) {
      for (const row of rows.values()) {
        if (row.phone === match.phone || (match.contactId !== undefined && row.contactId === match.contactId)) hits.push({ ...row, ...redacted });
      }
    }
    if (this.lastByPhone.has(match.phone)) this.lastByPhone.delete(match.phone);
    if (match.contactId !== undefined) this.marketingByContact.delete(match.contactId);
    await this.updateMany(hits);
    return hits.length;
  }

  private find(id: string): OutboxMessage | undefined {
    const campaignId = this.campaignOf.get(id);
    return campaignId === undefined ? undefined : this.byCampaign.get(campaignId)?.get(id);
  }

  private count(campaignId: string, row: OutboxMessage | undefined, sign: 1 | -1): void {
    if (!row || row.test) return;
    let aggregate = this.aggregates.get(campaignId);
    if (!aggregate) this.aggregates.set(campaignId, (aggregate = emptyAggregate()));
    applyRow(aggregate, row, sign);
  }

  private put(row: OutboxMessage): void {
    this.strings.share(row);
    let rows = this.byCampaign.get(row.campaignId);
    if (!rows) this.byCampaign.set(row.campaignId, (rows = new Map()));
    const previous = rows.get(row.id);
    rows.set(row.id, row);
    if (!previous) this.sortedIds.delete(row.campaignId);
    this.count(row.campaignId, previous, -1);
    this.count(row.campaignId, row, 1);
    this.campaignOf.set(row.id, row.campaignId);
    if (row.providerMessageId) {
      let ids = this.byProvider.get(row.gateway);
      if (!ids) this.byProvider.set(row.gateway, (ids = new Map()));
      ids.set(row.providerMessageId, row.id);
    }
    if (row.status === 'queued' && (!previous || previous.status !== 'queued' || dueOf(previous) !== dueOf(row))) this.due.push(dueOf(row), row.id);
    if (row.status === 'submitted' || row.status === 'sending') this.lastByPhone.set(row.phone, row.id);
    if (row.kind === 'marketing') {
      const ids = this.marketingByContact.get(row.contactId);
      if (ids === undefined) this.marketingByContact.set(row.contactId, row.id);
      else if (typeof ids === 'string') {
        if (ids !== row.id) this.marketingByContact.set(row.contactId, new Set([ids, row.id]));
      } else ids.add(row.id);
    }
  }
}

/** When a queued message may go: its retry time, else its send-after time. */
function dueOf(row: OutboxMessage): string {
  return row.retryAt ?? row.sendAfter;
}

const POOLED = ['campaignId', 'kind', 'variant', 'encoding', 'sender', 'gateway', 'sendAfter', 'createdAt', 'updatedAt', 'attemptId', 'leaseUntil', 'submittedAt', 'finalAt', 'errorCode', 'providerCode'] as const;
const POOL_LIMIT = 50_000;
const TEXTS_PER_POOL = 2_000;

/**
 * Keeps one copy of string values that many rows repeat: parsed JSON and per-row ISO times are
 * separate strings even when equal, and a 100,000-message campaign would hold 100,000 copies of its
 * sender or its send time. Texts are pooled only while few are distinct (one text sent to many); the
 * pool starts over once it is large, so it never grows with the outbox.
 */
class StringPool {
  private pool = new Map<string, string>();
  private texts = 0;

  share(row: OutboxMessage): void {
    const record = row as unknown as Record<string, unknown>;
    for (const key of POOLED) {
      const value = record[key];
      if (typeof value === 'string') record[key] = this.one(value);
    }
    if (this.texts < TEXTS_PER_POOL || this.pool.has(row.text)) {
      if (!this.pool.has(row.text)) this.texts += 1;
      row.text = this.one(row.text);
    }
  }

  private one(value: string): string {
    const seen = this.pool.get(value);
    if (seen !== undefined) return seen;
    if (this.pool.size >= POOL_LIMIT) {
      this.pool = new Map();
      this.texts = 0;
    }
    this.pool.set(value, value);
    return value;
  }
}
