import type { InboundRecord } from '../../campaigns/report.js';
import type { InboundRepository } from '../port.js';

/** Inbound messages in arrival order. */
export class MemoryInbound implements InboundRepository {
  private readonly records: InboundRecord[] = [];

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
  ) {}

  load(records: Iterable<InboundRecord>): void {
    this.records.push(...records);
  }

  all(): InboundRecord[] {
    return this.records;
  }

  async append(records: readonly InboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.beforeChange();
    this.records.push(...records.map((record) => ({ ...record })));
    this.afterChange();
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
