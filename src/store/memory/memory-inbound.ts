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

  async recent(limit: number): Promise<InboundRecord[]> {
    return this.records.slice(-limit).map((record) => ({ ...record }));
  }
}
