import type { MessageStatus, OutboxMessage } from '../../delivery/outbox.js';

/** An ISO time kept as epoch ms when it reads back the same (12 bytes, not a 40-byte string), else as given. */
export type Time = number | string;

/** What many rows share (campaign, variant, sender, cost, send time …): one object for all of them. */
interface Common {
  campaignId: string;
  kind: OutboxMessage['kind'];
  variant: string;
  encoding: OutboxMessage['encoding'];
  segments: number;
  cost: number;
  sender: string;
  gateway: string;
  sendAfter: string;
  createdAt: string;
}

/** Fields an OutboxSlot keeps in a field of its own; anything else a row carries goes to `rest`. */
const OWN: ReadonlySet<string> = new Set([
  'id', 'campaignId', 'contactId', 'phone', 'kind', 'variant', 'text', 'encoding', 'segments', 'cost', 'sender', 'gateway', 'sendAfter', 'status',
  'attempts', 'attemptId', 'leaseUntil', 'providerMessageId', 'createdAt', 'submittedAt', 'finalAt', 'updatedAt',
]);

/**
 * One outbox row in memory, compact: the fields most rows of a campaign share are one interned Common
 * object, times are numbers, strings repeated across rows are pooled, and the rarely set fields
 * (retries, error codes, parts, test flag) live in a `rest` object only on the rows that have them.
 * About half the heap of the row as a plain object. `row()` gives the OutboxMessage back.
 */
export class OutboxSlot {
  contactId = '';
  phone = '';
  text = '';
  status: MessageStatus = 'queued';
  attempts = 0;
  attemptId: string | undefined = undefined;
  leaseUntil: Time | undefined = undefined;
  providerMessageId: string | undefined = undefined;
  submittedAt: Time | undefined = undefined;
  finalAt: Time | undefined = undefined;
  updatedAt: Time = 0;
  rest: Record<string, unknown> | undefined = undefined;

  constructor(
    readonly id: string,
    public common: Common,
  ) {}

  get campaignId(): string {
    return this.common.campaignId;
  }

  row(): OutboxMessage {
    const c = this.common;
    const row: OutboxMessage = {
      id: this.id, campaignId: c.campaignId, contactId: this.contactId, phone: this.phone, kind: c.kind, variant: c.variant, text: this.text,
      encoding: c.encoding, segments: c.segments, cost: c.cost, sender: c.sender, gateway: c.gateway, sendAfter: c.sendAfter, status: this.status,
      attempts: this.attempts, createdAt: c.createdAt, updatedAt: isoOf(this.updatedAt),
    };
    if (this.attemptId !== undefined) row.attemptId = this.attemptId;
    if (this.leaseUntil !== undefined) row.leaseUntil = isoOf(this.leaseUntil);
    if (this.providerMessageId !== undefined) row.providerMessageId = this.providerMessageId;
    if (this.submittedAt !== undefined) row.submittedAt = isoOf(this.submittedAt);
    if (this.finalAt !== undefined) row.finalAt = isoOf(this.finalAt);
    return this.rest ? Object.assign(row, this.rest) : row;
  }
}

const POOL_LIMIT = 50_000;
const TEXTS_PER_POOL = 2_000;

/**
 * Packs rows into slots, keeping one copy of each repeated value: parsed JSON and per-row ISO times
 * are separate strings even when equal, and a 100,000-message campaign would hold 100,000 copies of
 * its sender or its send time. Texts are pooled only while few are distinct (one text sent to many);
 * the pools start over once large, so they never grow with the outbox.
 */
export class SlotPacker {
  private strings = new Map<string, string>();
  private commons = new Map<string, Common>();
  private texts = 0;

  /** Writes the row into the slot (a new one when none is given) and returns it. */
  pack(row: OutboxMessage, slot?: OutboxSlot): OutboxSlot {
    const common = this.common(row);
    const target = slot ?? new OutboxSlot(row.id, common);
    target.common = common;
    target.contactId = row.contactId;
    target.phone = row.phone;
    target.text = this.text(row.text);
    target.status = row.status;
    target.attempts = row.attempts;
    target.attemptId = row.attemptId === undefined ? undefined : this.one(row.attemptId);
    target.leaseUntil = timeOf(row.leaseUntil);
    target.providerMessageId = row.providerMessageId;
    target.submittedAt = timeOf(row.submittedAt);
    target.finalAt = timeOf(row.finalAt);
    target.updatedAt = timeOf(row.updatedAt) ?? row.updatedAt;
    let rest: Record<string, unknown> | undefined;
    for (const key in row) {
      if (OWN.has(key)) continue;
      const value = (row as unknown as Record<string, unknown>)[key];
      if (value === undefined) continue;
      (rest ??= {})[key] = typeof value === 'string' ? this.one(value) : value;
    }
    target.rest = rest;
    return target;
  }

  private common(row: OutboxMessage): Common {
    const key = `${row.campaignId}\u0000${row.kind}\u0000${row.variant}\u0000${row.encoding}\u0000${row.segments}\u0000${row.cost}\u0000${row.sender}\u0000${row.gateway}\u0000${row.sendAfter}\u0000${row.createdAt}`;
    let common = this.commons.get(key);
    if (!common) {
      if (this.commons.size >= POOL_LIMIT) this.commons = new Map();
      common = {
        campaignId: this.one(row.campaignId), kind: row.kind, variant: this.one(row.variant), encoding: row.encoding, segments: row.segments, cost: row.cost,
        sender: this.one(row.sender), gateway: this.one(row.gateway), sendAfter: this.one(row.sendAfter), createdAt: this.one(row.createdAt),
      };
      this.commons.set(key, common);
    }
    return common;
  }

  private text(text: string): string {
    if (this.texts >= TEXTS_PER_POOL && !this.strings.has(text)) return text;
    if (!this.strings.has(text)) this.texts += 1;
    return this.one(text);
  }

  private one(value: string): string {
    const seen = this.strings.get(value);
    if (seen !== undefined) return seen;
    if (this.strings.size >= POOL_LIMIT) {
      this.strings = new Map();
      this.texts = 0;
    }
    this.strings.set(value, value);
    return value;
  }
}

/** Epoch ms when the ISO string reads back exactly so (what toISOString wrote), else the string itself. */
function timeOf(iso: string | undefined): Time | undefined {
  if (iso === undefined) return undefined;
  if (iso.length !== 24) return iso;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && new Date(ms).toISOString() === iso ? ms : iso;
}

export function isoOf(time: Time): string {
  return typeof time === 'number' ? new Date(time).toISOString() : time;
}
