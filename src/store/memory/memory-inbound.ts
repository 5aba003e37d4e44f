import type { InboundRecord } from '../../campaigns/report.js';
import type { InboundTally, MessageLookup, Responder } from '../../campaigns/report-aggregate.js';
import { responderKey, tallyResponders } from '../../campaigns/report-aggregate.js';
import type { InboundRepository } from '../port.js';

/** Per campaign: who replied and who opted out (distinct), kept as records arrive. */
interface Responders {
  replies: Map<string, Responder>;
  optOuts: Map<string, Responder>;
}

/** How many recent inbound event keys are remembered for de-duplication. */
export const INBOUND_KEYS_KEPT = 100_000;

/** Inbound messages in arrival order, and the keys of the most recent ones (a bounded index). */
export class MemoryInbound implements InboundRepository {
  private readonly records: InboundRecord[] = [];
  /** Insertion-ordered, so the oldest key is dropped first. */
  private readonly keys = new Set<string>();
  private readonly responders = new Map<string, Responders>();

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
    /** Tells the variant of the message a reply answers (the outbox). */
    private readonly lookup: MessageLookup = () => undefined,
  ) {}

  load(records: Iterable<InboundRecord>): void {
    for (const record of records) {
      this.records.push(record);
      this.remember(record.key);
      this.respond(record);
    }
  }

  async tally(campaignId: string): Promise<InboundTally> {
    const responders = this.responders.get(campaignId);
    return {
      replies: tallyResponders(responders?.replies.values() ?? [], this.lookup),
      optOuts: tallyResponders(responders?.optOuts.values() ?? [], this.lookup),
    };
  }

  /** Counts a reply or an opt-out once per recipient (see responderKey); later records fill what is missing. */
  private respond(record: InboundRecord): void {
    if (record.campaignId === undefined || (record.kind !== 'reply' && record.kind !== 'opt_out')) return;
    let responders = this.responders.get(record.campaignId);
    if (!responders) this.responders.set(record.campaignId, (responders = { replies: new Map(), optOuts: new Map() }));
    const map = record.kind === 'reply' ? responders.replies : responders.optOuts;
    const who = responderKey(record);
    const seen = map.get(who);
    if (!seen) map.set(who, { variant: record.variant, messageId: record.messageId });
    else {
      seen.variant ??= record.variant;
      seen.messageId ??= record.messageId;
    }
  }

  all(): InboundRecord[] {
    return this.records;
  }

  async append(records: readonly InboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.beforeChange();
    for (const record of records) {
      this.records.push({ ...record });
      this.remember(record.key);
      this.respond(record);
    }
    this.afterChange();
  }

  async seenKeys(keys: readonly string[]): Promise<Set<string>> {
    return new Set(keys.filter((key) => this.keys.has(key)));
  }

  private remember(key: string | undefined): void {
    if (key === undefined) return;
    this.keys.add(key);
    if (this.keys.size > INBOUND_KEYS_KEPT) this.keys.delete(this.keys.values().next().value as string);
  }

  async listByCampaign(campaignId: string): Promise<InboundRecord[]> {
    return this.records.filter((record) => record.campaignId === campaignId).map((record) => ({ ...record }));
  }

  async erase(match: { contactId?: string; phone: string }, redactedFrom: string): Promise<number> {
    const hits = this.records.filter((r) => r.from === match.phone || (match.contactId !== undefined && r.contactId === match.contactId));
    if (hits.length === 0) return 0;
    this.beforeChange();
    for (const record of hits) {
      record.from = redactedFrom;
      record.text = '';
      delete record.contactId;
    }
    this.afterChange();
    return hits.length;
  }

  async since(at: string, limit: number): Promise<InboundRecord[]> {
    const found: InboundRecord[] = [];
    for (const record of this.records) {
      if (record.at > at) found.push({ ...record });
    }
    found.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return found.slice(0, limit);
  }

  async recent(limit: number): Promise<InboundRecord[]> {
    return this.records.slice(-limit).map((record) => ({ ...record }));
  }
}
