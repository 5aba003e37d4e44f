import type { FilterNode } from '../segments/filter.js';
import type { Variant } from './variants.js';

/** draft → scheduled → sending ⇄ paused → completed | canceled. */
export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'completed' | 'canceled';

export type CampaignSchedule =
  | { type: 'now' }
  | { type: 'at'; at: string }
  /** Recurring: each run plans the audience anew (a cron expression, in a time zone). */
  | { type: 'cron'; cron: string; timezone: string };

export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  kind: 'marketing' | 'transactional';
  audience: { segment?: string; filter: FilterNode } | { phones: string[] };
  variants: Variant[];
  campaignVariables: Record<string, string>;
  sender: string;
  gateway: string;
  schedule: CampaignSchedule;
  /** Set when a test send of this campaign succeeded; large sends need it. */
  testSentAt?: string;
  /** What planning decided when the campaign started: recipients queued and exclusions by reason. */
  planned?: { recipients: number; excluded: Record<string, number> };
  /** Per-run bookkeeping for recurring campaigns. */
  lastRunAt?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
}
