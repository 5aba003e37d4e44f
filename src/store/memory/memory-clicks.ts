import type { ClickRecord, ClickRepository, LinkRepository, ShortLink } from '../port.js';

/** Short links by code: the redirect's lookup, a map read. */
export class MemoryLinks implements LinkRepository {
  private readonly byCode = new Map<string, ShortLink>();

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
  ) {}

  load(links: Iterable<ShortLink>): void {
    for (const link of links) this.byCode.set(link.code, link);
  }

  all(): ShortLink[] {
    return [...this.byCode.values()];
  }

  async insertMany(links: readonly ShortLink[]): Promise<void> {
    if (links.length === 0) return;
    this.beforeChange();
    for (const link of links) this.byCode.set(link.code, { ...link });
    this.afterChange();
  }

  async erase(contactId: string, redactedContactId: string): Promise<number> {
    const hits = [...this.byCode.values()].filter((link) => link.contactId === contactId);
    if (hits.length === 0) return 0;
    this.beforeChange();
    for (const link of hits) link.contactId = redactedContactId;
    this.afterChange();
    return hits.length;
  }

  async getMany(codes: readonly string[]): Promise<Map<string, ShortLink>> {
    const found = new Map<string, ShortLink>();
    for (const code of codes) {
      const link = this.byCode.get(code);
      if (link) found.set(code, { ...link });
    }
    return found;
  }
}

/** How a store that keeps clicks in a journal learns of them: appended records, or a rewrite (erasure). */
export interface ClickJournalHooks {
  appended(records: readonly ClickRecord[]): void;
  rewritten(): void;
}

/** Clicks in arrival order, indexed by campaign. */
export class MemoryClicks implements ClickRepository {
  private readonly byCampaign = new Map<string, ClickRecord[]>();

  constructor(
    private readonly beforeChange: () => void,
    private readonly afterChange: () => void,
    private readonly journal?: ClickJournalHooks,
  ) {}

  load(records: Iterable<ClickRecord>): void {
    for (const record of records) this.put(record);
  }

  all(): ClickRecord[] {
    return [...this.byCampaign.values()].flat();
  }

  async append(records: readonly ClickRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.beforeChange();
    const copies = records.map((record) => ({ ...record }));
    for (const record of copies) this.put(record);
    if (this.journal) this.journal.appended(copies);
    else this.afterChange();
  }

  async listByCampaign(campaignId: string): Promise<ClickRecord[]> {
    const records = (this.byCampaign.get(campaignId) ?? []).map((record) => ({ ...record }));
    return records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async erase(contactId: string, redactedContactId: string): Promise<number> {
    const hits = this.all().filter((record) => record.contactId === contactId);
    if (hits.length === 0) return 0;
    this.beforeChange();
    for (const record of hits) {
      record.contactId = redactedContactId;
      delete record.userAgent;
    }
    if (this.journal) this.journal.rewritten();
    else this.afterChange();
    return hits.length;
  }

  private put(record: ClickRecord): void {
    const list = this.byCampaign.get(record.campaignId);
    if (list) list.push(record);
    else this.byCampaign.set(record.campaignId, [record]);
  }
}
