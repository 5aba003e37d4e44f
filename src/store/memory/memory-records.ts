import type { InboundRecord } from '../../campaigns/report.js';
import type { InboundRepository, RecordRepository } from '../port.js';

/** Records by id (campaigns, automations), copied on the way in and out. */
export class MemoryRecords<T extends { id: string }> implements RecordRepository<T> {
  private readonly byId = new Map<string, T>();

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
  ) {}

  load(items: Iterable<T>): void {
    for (const item of items) this.byId.set(item.id, item);
  }

  all(): T[] {
    return [...this.byId.values()];
  }

  async put(item: T): Promise<void> {
    this.beforeChange();
    this.byId.set(item.id, structuredClone(item));
    this.afterChange();
  }

  async get(id: string): Promise<T | undefined> {
    const item = this.byId.get(id);
    return item && structuredClone(item);
  }

  async list(): Promise<T[]> {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((item) => structuredClone(item));
  }
}

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
