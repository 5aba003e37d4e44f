import { maskPhone } from '../common/mask.js';
import type { InboundRecord } from './report.js';
import type { Store } from '../store/port.js';

export interface ReplyRow {
  at: string;
  phone: string;
  name: string;
  campaignId: string | null;
  variant: string | null;
  /** reply, opt_out (STOP), opt_in (START, YES to a consent request), help. */
  kind: InboundRecord['kind'];
  text: string;
}

export interface ReplyQuery {
  campaignId?: string;
  /** ISO time; only replies received after it. */
  since?: string;
  limit: number;
  unmasked?: boolean;
}

/**
 * Replies (and opt-outs, opt-ins, help requests), oldest first, with the sender's name. `next` is
 * the time of the last one, to pass as `since` for the following page (null: nothing more).
 */
export async function listReplies(store: Store, query: ReplyQuery): Promise<{ items: ReplyRow[]; next: string | null }> {
  const since = query.since ?? '';
  const records = query.campaignId !== undefined
    ? (await store.inbound.listByCampaign(query.campaignId)).filter((r) => r.at > since).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(0, query.limit + 1)
    : await store.inbound.since(since, query.limit + 1);
  const page = records.slice(0, query.limit);
  const contacts = await store.contacts.getMany([...new Set(page.flatMap((r) => (r.contactId ? [r.contactId] : [])))]);
  const items = page.map((r): ReplyRow => {
    const contact = r.contactId ? contacts.get(r.contactId) : undefined;
    return {
      at: r.at, phone: query.unmasked ? r.from : maskPhone(r.from), name: [contact?.firstName, contact?.lastName].filter(Boolean).join(' '),
      campaignId: r.campaignId ?? null, variant: r.variant ?? null, kind: r.kind, text: r.text,
    };
  });
  return { items, next: records.length > query.limit ? (page[page.length - 1]?.at ?? null) : null };
}
