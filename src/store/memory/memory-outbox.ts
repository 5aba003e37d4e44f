import type { MessageStatus, OutboxMessage } from '../../delivery/outbox.js';
import type { OutboxAggregate } from '../../campaigns/report-aggregate.js';
import { applyRow, copyAggregate, emptyAggregate } from '../../campaigns/report-aggregate.js';
import type { OutboxRepository } from '../port.js';
import { DueHeap } from './due-heap.js';
import type { OutboxSlot } from './outbox-slot.js';
import { isoOf, SlotPacker } from './outbox-slot.js';

/** Statuses that count against a marketing frequency cap: everything that was or will be sent. */
const NOT_COUNTED: ReadonlySet<MessageStatus> = new Set(['canceled', 'rejected', 'failed']);

/**
 * The outbox in memory, partitioned per campaign, each row a compact OutboxSlot (outbox-slot.ts), with
 * the indexes the hot paths need: due messages (a heap on send time), provider ids (receipts), the last
 * message to a number (replies) and each contact's marketing messages (frequency caps). Reads give
 * fresh OutboxMessage objects; a change rewrites the row's slot in place.
 */
export class MemoryOutbox implements OutboxRepository {
  private readonly slots = new Map<string, OutboxSlot>();
  /** Per campaign: its rows in insertion order. */
  private readonly byCampaign = new Map<string, OutboxSlot[]>();
  /** Gateway → provider message id → message id. */
  private readonly byProvider = new Map<string, Map<string, string>>();
  private readonly lastByPhone = new Map<string, string>();
  /** Contact → its marketing message ids: one id as a plain string (the common case), more as a set. */
  private readonly marketingByContact = new Map<string, string | Set<string>>();
  private readonly packer = new SlotPacker();
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
    return [...this.eachRow(campaignId)];
  }

  /** The campaign's rows one at a time, each made when reached (a snapshot streams them without holding all). */
  *eachRow(campaignId: string): Generator<OutboxMessage> {
    for (const slot of this.byCampaign.get(campaignId) ?? []) yield slot.row();
  }

  /** How many rows the campaign has. */
  countOf(campaignId: string): number {
    return this.byCampaign.get(campaignId)?.length ?? 0;
  }

  async insertMany(rows: readonly OutboxMessage[]): Promise<void> {
    await this.updateMany(rows);
  }

  async updateMany(rows: readonly OutboxMessage[]): Promise<void> {
    if (rows.length === 0) return;
    this.beforeChange();
    const touched = new Set<string>();
    for (const row of rows) {
      this.put(row);
      touched.add(row.campaignId);
    }
    this.afterChange(touched, rows);
  }

  async claimDue(options: { now: Date; limit: number; leaseMs: number; attemptId: string; campaignIds: ReadonlySet<string> }): Promise<OutboxMessage[]> {
    const now = options.now.toISOString();
    const leaseUntil = new Date(options.now.getTime() + options.leaseMs).toISOString();
    const claimed: OutboxMessage[] = [];
    const skipped: Array<{ due: string; key: string }> = [];
    while (claimed.length < options.limit) {
      const top = this.due.peek();
      if (!top || top.due > now) break;
      this.due.pop();
      const slot = this.slots.get(top.key);
      if (!slot || slot.status !== 'queued') continue;
      const row = slot.row();
      if (dueOf(row) !== top.due) continue;
      if (!options.campaignIds.has(row.campaignId)) {
        skipped.push(top);
        continue;
      }
      claimed.push({ ...row, status: 'sending', attempts: row.attempts + 1, attemptId: options.attemptId, leaseUntil, updatedAt: now });
    }
    for (const entry of skipped) this.due.push(entry.due, entry.key);
    await this.updateMany(claimed);
    return claimed.map((row) => ({ ...row }));
  }

  async expireLeases(now: Date): Promise<OutboxMessage[]> {
    const at = now.toISOString();
    const expired: OutboxMessage[] = [];
    for (const slot of this.slots.values()) {
      if (slot.status !== 'sending') continue;
      const row = slot.row();
      if ((row.leaseUntil ?? '') < at) expired.push({ ...row, status: 'unknown', updatedAt: at });
    }
    await this.updateMany(expired);
    return expired;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, OutboxMessage>> {
    const found = new Map<string, OutboxMessage>();
    for (const id of ids) {
      const slot = this.slots.get(id);
      if (slot) found.set(id, slot.row());
    }
    return found;
  }

  async getByProviderIds(gateway: string, providerIds: readonly string[]): Promise<Map<string, OutboxMessage>> {
    const found = new Map<string, OutboxMessage>();
    const ids = this.byProvider.get(gateway);
    for (const providerId of providerIds) {
      const id = ids?.get(providerId);
      const slot = id === undefined ? undefined : this.slots.get(id);
      if (slot) found.set(providerId, slot.row());
    }
    return found;
  }

  async lastToPhone(phone: string): Promise<OutboxMessage | undefined> {
    const id = this.lastByPhone.get(phone);
    return id === undefined ? undefined : this.slots.get(id)?.row();
  }

  async listByCampaign(campaignId: string, options: { limit: number; afterId?: string }): Promise<OutboxMessage[]> {
    const slots = this.byCampaign.get(campaignId);
    if (!slots) return [];
    let ids = this.sortedIds.get(campaignId);
    if (!ids) this.sortedIds.set(campaignId, (ids = slots.map((slot) => slot.id).sort()));
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
    return ids.slice(start, start + options.limit).map((id) => (this.slots.get(id) as OutboxSlot).row());
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
    const slot = this.slots.get(id);
    return slot && { variant: slot.common.variant, test: Boolean(slot.rest?.test) };
  }

  async marketingSendTimes(contactIds: readonly string[], since: Date): Promise<Map<string, Date[]>> {
    const from = since.toISOString();
    const found = new Map<string, Date[]>();
    for (const contactId of contactIds) {
      const times: Date[] = [];
      // Read from the slots as they are: planning asks this for every contact of an audience.
      for (const slot of this.marketingSlots(contactId)) {
        if (slot.rest?.test || NOT_COUNTED.has(slot.status)) continue;
        const at = slot.submittedAt === undefined ? slot.common.sendAfter : isoOf(slot.submittedAt);
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
      const rows = this.marketingSlots(contactId).map((slot) => slot.row()).filter((row) => !row.test && row.submittedAt !== undefined && row.submittedAt >= from);
      if (rows.length > 0) found.set(contactId, rows);
    }
    return found;
  }

  async erase(match: { contactId?: string; phone: string }, redacted: { phone: string; contactId: string; text: string }): Promise<number> {
    const hits: OutboxMessage[] = [];
    for (const slot of this.slots.values()) {
      if (slot.phone === match.phone || (match.contactId !== undefined && slot.contactId === match.contactId)) hits.push({ ...slot.row(), ...redacted });
    }
    if (this.lastByPhone.has(match.phone)) this.lastByPhone.delete(match.phone);
    if (match.contactId !== undefined) this.marketingByContact.delete(match.contactId);
    await this.updateMany(hits);
    return hits.length;
  }

  private marketingSlots(contactId: string): OutboxSlot[] {
    const entry = this.marketingByContact.get(contactId);
    const slots: OutboxSlot[] = [];
    for (const id of entry === undefined ? [] : typeof entry === 'string' ? [entry] : entry) {
      const slot = this.slots.get(id);
      if (slot) slots.push(slot);
    }
    return slots;
  }

  private count(campaignId: string, row: OutboxMessage | undefined, sign: 1 | -1): void {
    if (!row || row.test) return;
    let aggregate = this.aggregates.get(campaignId);
    if (!aggregate) this.aggregates.set(campaignId, (aggregate = emptyAggregate()));
    applyRow(aggregate, row, sign);
  }

  private put(row: OutboxMessage): void {
    const slot = this.slots.get(row.id);
    const previous = slot?.row();
    if (slot && previous && previous.campaignId !== row.campaignId) {
      const members = this.byCampaign.get(previous.campaignId) ?? [];
      members.splice(members.indexOf(slot), 1);
      this.sortedIds.delete(previous.campaignId);
    }
    const packed = this.packer.pack(row, slot);
    if (!slot || previous?.campaignId !== row.campaignId) {
      let members = this.byCampaign.get(row.campaignId);
      if (!members) this.byCampaign.set(row.campaignId, (members = []));
      members.push(packed);
      this.slots.set(row.id, packed);
      this.sortedIds.delete(row.campaignId);
    }
    if (previous) this.count(previous.campaignId, previous, -1);
    this.count(row.campaignId, row, 1);
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
