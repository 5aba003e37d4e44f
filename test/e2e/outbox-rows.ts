import { openApp } from '../../src/app.js';
import type { CampaignReport } from '../../src/campaigns/report.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { runBuiltCli } from '../helpers/service-process.js';

/** Every outbox row of a campaign, read through a read-only open of the store (the service must be stopped). */
export async function campaignRows(dataDir: string, campaignId: string): Promise<{ rows: OutboxMessage[]; counts: Record<string, number> }> {
  const app = await openApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { readOnly: true, logger: silentLogger });
  try {
    const rows: OutboxMessage[] = [];
    for (;;) {
      const page = await app.store.outbox.listByCampaign(campaignId, { limit: 500, ...(rows.length ? { afterId: rows[rows.length - 1]!.id } : {}) });
      rows.push(...page);
      if (page.length < 500) break;
    }
    return { rows: rows.filter((row) => !row.test), counts: (await app.store.outbox.countByStatus(campaignId)) as Record<string, number> };
  } finally {
    await app.close();
  }
}

const SUBMITTED = new Set(['submitted', 'delivered', 'undelivered', 'expired']);

/** The report's counts recomputed from the rows alone, by the definitions CampaignReport documents. */
export function recount(rows: readonly OutboxMessage[]): Pick<CampaignReport, 'submitted' | 'delivered' | 'undelivered' | 'failed' | 'unknown' | 'pending' | 'canceled'> & { byStatus: Record<string, number> } {
  const byStatus: Record<string, number> = {};
  for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
  const n = (status: string): number => byStatus[status] ?? 0;
  return {
    byStatus,
    submitted: rows.filter((row) => SUBMITTED.has(row.status) || row.submittedAt !== undefined || row.providerMessageId !== undefined).length,
    delivered: n('delivered'),
    undelivered: n('undelivered'),
    failed: n('failed') + n('rejected') + n('expired'),
    unknown: n('unknown'),
    pending: n('queued') + n('sending') + n('submitted'),
    canceled: n('canceled'),
  };
}

/** `smsbridge campaign report <id> --json`, through the built CLI (a read-only command). */
export function cliReport(dataDir: string, campaignId: string): CampaignReport {
  const result = runBuiltCli(dataDir, ['campaign', 'report', campaignId, '--json']);
  if (result.status !== 0) throw new Error(`campaign report failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as CampaignReport;
}
