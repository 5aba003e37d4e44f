import type { FilterNode } from '../segments/filter.js';
import type { Variant } from './variants.js';

/** draft → scheduled → sending ⇄ paused → completed | canceled. */
export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'completed' | 'canceled';

export type CampaignSchedule =
  | { type: 'now' }
  | { type: 'at'; at: string }
  /** Recurring: each run plans the audience anew (a cron expression, in a time zone). */
  | { type: 'cron'; cron: string; timezone: string };

/**
 * Where a campaign came from: an operator (CLI, REST, Slack), one transactional SMS of
 * `POST /api/v1/messages`, a double opt-in consent request, or a birthday automation. Lists show
 * operator campaigns unless asked for the others, so one campaign per API message does not flood them.
 */
export type CampaignSource = 'operator' | 'message' | 'consent_request' | 'automation';
export const CAMPAIGN_SOURCES: readonly CampaignSource[] = ['operator', 'message', 'consent_request', 'automation'];

export interface SurveyOption {
  key: string;
  label: string;
}

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
  /** Absent: `operator` (campaigns created before sources were recorded). */
  source?: CampaignSource;
  /** Archived campaigns are hidden from lists unless asked for. */
  archivedAt?: string;
  /** The most this campaign may cost (SMS_CURRENCY); sending stops once the actual cost reaches it. */
  maxCost?: number;
  /** Why sending stopped before every message went: `budget_reached` (with the cost then). */
  stopReason?: { code: 'budget_reached'; spent: number; at: string };
  /** Reply options of a survey: replies are tallied into them by key ("1") or label ("Отлично"). */
  survey?: { options: SurveyOption[] };
  /** Links in the text are sent as they are, not as tracked short links (default: tracked). */
  trackLinks?: boolean;
  /** Percent of the eligible audience held out (never sent), to measure lift. */
  holdoutPercent?: number;
  /** Seeds the holdout choice: the campaign's own id, inherited by the runs of a recurring campaign. */
  holdoutSeed?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
}
