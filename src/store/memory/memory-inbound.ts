import type { InboundRecord } from '../../campaigns/report.js';
import type { InboundRepository } from '../port.js';

/** How many recent inbound event keys are remembered for de-duplication. */
export const INBOUND_KEYS_KEPT = 100_000;

/** Inbound messages in arrival order, and the keys of the most recent ones (a bounded index). */
export class MemoryInbound implements InboundRepository {
  private readonly records: InboundRecord[] = [];
  /** Insertion-ordered, so the oldest key is dropped first. */
  private readonly keys = new Set<string>();

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
  ) {}

  load(records: Iterable<InboundRecord>): void {
    for (const record of records) {
      this.records.push(record);
      this.remember(record.key);
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

  async recent(limit: number): Promise<InboundRecord[]> {
    return this.records.slice(-limit).map((record) => ({ ...record }));
  }
}
