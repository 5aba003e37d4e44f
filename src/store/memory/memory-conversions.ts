import type { ConversionRecord } from '../../outcomes/conversion.js';
import type { ConversionRepository } from '../port.js';

/** Conversions by order id, indexed by the campaign they are credited to. */
export class MemoryConversions implements ConversionRepository {
  private readonly byId = new Map<string, ConversionRecord>();
  private readonly byCampaign = new Map<string, Set<string>>();

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
  ) {}

  load(records: Iterable<ConversionRecord>): void {
    for (const record of records) this.put(record);
  }

  all(): ConversionRecord[] {
    return [...this.byId.values()];
  }

  async insertNew(records: readonly ConversionRecord[]): Promise<Set<string>> {
    const taken = new Set<string>();
    const fresh = records.filter((record) => !this.byId.has(record.id) && !taken.has(record.id) && taken.add(record.id));
    if (fresh.length === 0) return new Set();
    this.beforeChange();
    for (const record of fresh) this.put(copy(record));
    this.afterChange();
    return new Set(fresh.map((record) => record.id));
  }

  async getMany(ids: readonly string[]): Promise<Map<string, ConversionRecord>> {
    const found = new Map<string, ConversionRecord>();
    for (const id of ids) {
      const record = this.byId.get(id);
      if (record) found.set(id, copy(record));
    }
    return found;
  }

  async listByCampaign(campaignId: string): Promise<ConversionRecord[]> {
    const records: ConversionRecord[] = [];
    for (const id of this.byCampaign.get(campaignId) ?? []) {
      const record = this.byId.get(id);
      if (record) records.push(copy(record));
    }
    return records.sort(byTime);
  }

  async listByContact(contactId: string): Promise<ConversionRecord[]> {
    const records: ConversionRecord[] = [];
    for (const record of this.byId.values()) if (record.contactId === contactId) records.push(copy(record));
    return records.sort(byTime);
  }

  async between(from: string, to: string): Promise<ConversionRecord[]> {
    const records: ConversionRecord[] = [];
    for (const record of this.byId.values()) if (record.at >= from && record.at < to) records.push(copy(record));
    return records.sort(byTime);
  }

  async erase(contactId: string, redactedContactId: string): Promise<number> {
    const hits = [...this.byId.values()].filter((record) => record.contactId === contactId);
    if (hits.length === 0) return 0;
    this.beforeChange();
    for (const record of hits) record.contactId = redactedContactId;
    this.afterChange();
    return hits.length;
  }

  private put(record: ConversionRecord): void {
    this.byId.set(record.id, record);
    const campaignId = record.attribution?.campaignId;
    if (campaignId === undefined) return;
    let ids = this.byCampaign.get(campaignId);
    if (!ids) this.byCampaign.set(campaignId, (ids = new Set()));
    ids.add(record.id);
  }
}

/** A record is flat but for its attribution: two spreads copy it (structuredClone costs ten times more). */
function copy(record: ConversionRecord): ConversionRecord {
  return record.attribution ? { ...record, attribution: { ...record.attribution } } : { ...record };
}

function byTime(a: ConversionRecord, b: ConversionRecord): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
