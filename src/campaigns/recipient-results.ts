import { maskPhone } from '../common/mask.js';
import type { MessageStatus, OutboxMessage } from '../delivery/outbox.js';
import type { Store } from '../store/port.js';

/** One recipient's message in a campaign, as `campaign messages` and the REST API list it. */
export interface RecipientResult {
  messageId: string;
  phone: string;
  name: string;
  variant: string;
  status: MessageStatus;
  errorCode: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  cost: number;
  /** The recipient's last reply to this message (STOP and START included), if any. */
  reply: string | null;
}

export const RESULT_COLUMNS = ['messageId', 'phone', 'name', 'variant', 'status', 'errorCode', 'sentAt', 'deliveredAt', 'cost', 'reply'] as const satisfies ReadonlyArray<keyof RecipientResult>;

export interface ResultQuery {
  statuses?: ReadonlySet<MessageStatus>;
  /** Show whole numbers; masked (`+7912***6789`) by default. */
  unmasked?: boolean;
  /** Rows per store read. */
  pageSize?: number;
}

/**
 * The campaign's messages (test sends aside), in message id order, a page at a time: each page of
 * the outbox is joined with its contacts' names and the campaign's replies, then yielded, so a caller
 * writing rows as they come holds one page in memory, whatever the campaign's size. `cursor` is the
 * last message id read (the next call's `after`).
 */
export async function* recipientResults(
  store: Store,
  campaignId: string,
  query: ResultQuery & { after?: string } = {},
): AsyncGenerator<{ rows: RecipientResult[]; cursor: string }> {
  const replies = new Map<string, string>();
  for (const record of await store.inbound.listByCampaign(campaignId)) if (record.messageId) replies.set(record.messageId, record.text);
  const pageSize = query.pageSize ?? 1000;
  for (let after = query.after; ; ) {
    const page = await store.outbox.listByCampaign(campaignId, after === undefined ? { limit: pageSize } : { limit: pageSize, afterId: after });
    if (page.length === 0) return;
    after = (page[page.length - 1] as OutboxMessage).id;
    const wanted = page.filter((row) => !row.test && (!query.statuses || query.statuses.has(row.status)));
    const contacts = await store.contacts.getMany([...new Set(wanted.map((row) => row.contactId))]);
    const rows = wanted.map((row): RecipientResult => {
      const contact = contacts.get(row.contactId);
      return {
        messageId: row.id,
        phone: query.unmasked ? row.phone : maskPhone(row.phone),
        name: [contact?.firstName, contact?.middleName, contact?.lastName].filter(Boolean).join(' '),
        variant: row.variant,
        status: row.status,
        errorCode: row.errorCode ?? null,
        sentAt: row.submittedAt ?? null,
        deliveredAt: row.status === 'delivered' ? (row.finalAt ?? null) : null,
        cost: row.cost,
        reply: replies.get(row.id) ?? null,
      };
    });
    yield { rows, cursor: after };
  }
}

/** One page for an API: up to `limit` rows after the cursor, and the cursor to ask for the next (null: the end). */
export async function resultsPage(store: Store, campaignId: string, query: ResultQuery & { after?: string; limit: number }): Promise<{ items: RecipientResult[]; next: string | null }> {
  const items: RecipientResult[] = [];
  let next: string | null = null;
  for await (const { rows, cursor } of recipientResults(store, campaignId, { ...query, pageSize: query.limit })) {
    // Page sizes equal the limit, so one read fills at most the rest of the page; the cursor is exact.
    const room = query.limit - items.length;
    if (rows.length > room) {
      items.push(...rows.slice(0, room));
      next = (rows[room - 1] as RecipientResult).messageId;
      return { items, next };
    }
    items.push(...rows);
    next = cursor;
    if (items.length === query.limit) return { items, next };
  }
  return { items, next: null };
}

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvLine(values: ReadonlyArray<string | number | null>): string {
  return values
    .map((value) => {
      const text = value === null ? '' : String(value);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',');
}
