import type { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import type { Store } from '../store/port.js';
import type { Campaign, CampaignSource } from './campaign.js';

export interface CampaignListFilter {
  /** Only campaigns from this source; absent: operator campaigns (unless `all`). */
  source?: CampaignSource;
  /** Every source, archived ones included. */
  all?: boolean;
  /** Include archived campaigns (hidden by default). */
  archived?: boolean;
}

/**
 * The campaigns a list shows: by default the operator's own, not archived. One campaign per
 * transactional API message, consent requests and automation runs are listed with `source` or `all`.
 */
export async function listCampaigns(store: Store, filter: CampaignListFilter = {}): Promise<Campaign[]> {
  const all = await store.campaigns.list();
  if (filter.all) return all;
  const source = filter.source ?? 'operator';
  return all.filter((c) => (c.source ?? 'operator') === source && (filter.archived || !c.archivedAt));
}

const ARCHIVABLE: ReadonlySet<Campaign['status']> = new Set(['draft', 'completed', 'canceled']);

/** Archives one campaign (a draft, or one that finished); a campaign that may still send is refused. */
export async function archiveCampaign(store: Store, clock: Clock, id: string): Promise<Campaign> {
  const campaign = await store.campaigns.get(id);
  if (!campaign) throw new AppError('NOT_FOUND', `No campaign with id ${id}.`, { hint: 'List them with: smsbridge campaign list --all.' });
  if (!ARCHIVABLE.has(campaign.status)) {
    throw new AppError('CONFLICT', `Campaign ${id} is ${campaign.status}; only a draft or a finished campaign can be archived.`, {
      hint: `Cancel it first (smsbridge campaign cancel ${id}) if it must not send.`,
    });
  }
  if (campaign.archivedAt) return campaign;
  const archived = { ...campaign, archivedAt: clock.now().toISOString(), updatedAt: clock.now().toISOString() };
  await store.campaigns.put(archived);
  // Its messages take their compact form on disk now; the report, the results and exports read them from it.
  await store.compactCampaign?.(id);
  return archived;
}

/** Archives every finished campaign (any source) that finished, or was last changed, more than `days` days ago. */
export async function archiveOlderThan(store: Store, clock: Clock, days: number): Promise<string[]> {
  const cutoff = new Date(clock.now().getTime() - days * 86_400_000).toISOString();
  const archived: string[] = [];
  for (const campaign of await store.campaigns.list()) {
    if (campaign.archivedAt || (campaign.status !== 'completed' && campaign.status !== 'canceled')) continue;
    if ((campaign.finishedAt ?? campaign.updatedAt) > cutoff) continue;
    await archiveCampaign(store, clock, campaign.id);
    archived.push(campaign.id);
  }
  return archived;
}
