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
  private readonly byProvider = new Map<string, string>();
  private readonly lastByPhone = new Map<string, string>();
  private readonly marketingByContact = new Map<string, Set<string>>();
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
      const id = this.byProvider.get(`${gateway}\n${providerId}`);
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
      const ids = this.marketingByContact.get(contactId);
      if (!ids) continue;
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
    let rows = this.byCampaign.get(row.campaignId);
    if (!rows) this.byCampaign.set(row.campaignId, (rows = new Map()));
    const previous = rows.get(row.id);
    rows.set(row.id, row);
    if (!previous) this.sortedIds.delete(row.campaignId);
    this.count(row.campaignId, previous, -1);
    this.count(row.campaignId, row, 1);
    this.campaignOf.set(row.id, row.campaignId);
    if (row.providerMessageId) this.byProvider.set(`${row.gateway}\n${row.providerMessageId}`, row.id);
    if (row.status === 'queued' && (!previous || previous.status !== 'queued' || dueOf(previous) !== dueOf(row))) this.due.push(dueOf(row), row.id);
    if (row.status === 'submitted' || row.status === 'sending') this.lastByPhone.set(row.phone, row.id);
    if (row.kind === 'marketing') {
      let ids = this.marketingByContact.get(row.contactId);
      if (!ids) this.marketingByContact.set(row.contactId, (ids = new Set()));
      ids.add(row.id);
    }
  }
}

/** When a queued message may go: its retry time, else its send-after time. */
function dueOf(row: OutboxMessage): string {
  return row.retryAt ?? row.sendAfter;
}
