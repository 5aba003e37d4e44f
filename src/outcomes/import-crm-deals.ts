import type { CrmPort } from '../crm/port.js';
import type { ConversionInput } from './conversion.js';
import type { RecordConversionsDeps } from './record-conversions.js';
import { recordConversions } from './record-conversions.js';

export interface DealImportReport {
  deals: number;
  recorded: number;
  /** Deals recorded by an earlier import: counted once. */
  duplicates: number;
  conflicts: number;
  /** Won deals without an amount, or none of whose contacts is synced here. */
  skipped: Array<{ dealId: string; reason: string }>;
}

/**
 * Won deals of the CRM as conversions: order id `<crm>-deal-<id>` (so importing again counts each deal
 * once), the deal's amount and currency, its close date as the order time, and its first associated
 * contact that is synced here. Runs through every page since `since`.
 */
export async function importCrmDeals(crm: CrmPort, since: string, deps: RecordConversionsDeps): Promise<DealImportReport> {
  if (!crm.closedWonDeals) throw new Error(`The ${crm.system} adapter cannot read deals.`);
  const local = new Map<string, string>();
  for await (const page of deps.store.contacts.scan({ batchSize: 5000 })) {
    for (const contact of page) if (contact.crm?.system === crm.system) local.set(contact.crm.id, contact.id);
  }
  const report: DealImportReport = { deals: 0, recorded: 0, duplicates: 0, conflicts: 0, skipped: [] };
  for (let after: string | undefined; ; ) {
    const page = await crm.closedWonDeals({ since, limit: 100, ...(after ? { after } : {}) });
    const inputs: ConversionInput[] = [];
    for (const deal of page.deals) {
      report.deals += 1;
      const amount = Number(deal.amount);
      const contactId = deal.contactIds.map((id) => local.get(id)).find((id) => id !== undefined);
      const at = deal.closedAt === null ? Number.NaN : /^\d+$/.test(deal.closedAt) ? Number(deal.closedAt) : Date.parse(deal.closedAt);
      if (deal.amount === null || deal.amount === '' || !Number.isFinite(amount) || amount < 0) report.skipped.push({ dealId: deal.id, reason: 'no amount' });
      else if (contactId === undefined) report.skipped.push({ dealId: deal.id, reason: deal.contactIds.length === 0 ? 'no associated contact' : 'its contacts are not synced here (run hubspot sync)' });
      else {
        inputs.push({
          contactId, orderId: `${crm.system}-deal-${deal.id}`, amount,
          ...(deal.currency ? { currency: deal.currency.toUpperCase() } : {}), ...(Number.isFinite(at) ? { at: new Date(at).toISOString() } : {}),
        });
      }
    }
    const result = await recordConversions(inputs, 'hubspot', deps);
    report.recorded += result.recorded;
    report.duplicates += result.duplicates;
    report.conflicts += result.conflicts;
    if (!page.next) break;
    after = page.next;
  }
  return report;
}
