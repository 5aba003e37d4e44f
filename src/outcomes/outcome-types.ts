import type { CampaignReport, VariantReport } from '../campaigns/report.js';
import type { AbVerdict } from './ab-verdict.js';
import type { Lift } from './lift.js';

/** What a variant brought, beside its delivery figures. Rates are over `reached`. */
export interface VariantOutcomes {
  reached: number;
  clicks: number;
  uniqueClicks: number;
  clickRate: number | null;
  conversions: number;
  customers: number;
  conversionRate: number | null;
  revenue: number;
}

/** Survey options with their tallies, the free-text replies, responders and voters (see campaigns/survey.ts). */
export type { SurveyTally } from '../campaigns/survey.js';
import type { SurveyTally } from '../campaigns/survey.js';

/**
 * The outcome keys of a campaign report. Rates are over `reached`: recipients a message reached
 * (delivered, or submitted and waiting for a receipt; see attribution.ts).
 */
export interface CampaignOutcomes {
  reached: number;
  /** Human clicks on the campaign's short links (link-preview fetchers and HEAD requests aside). */
  clicks: { total: number; unique: number; rate: number | null; fetchers: number };
  /** Distinct recipients who clicked or replied. */
  response: { recipients: number; rate: number | null };
  /** Orders credited to the campaign (its holdout group aside). */
  conversions: { count: number; customers: number; rate: number | null; holdout: number };
  /** Revenue of those orders in `currency` (SMS_CURRENCY); orders in other currencies are summed apart. */
  revenue: { total: number; currency: string; perRecipient: number | null; perCustomer: number | null; otherCurrencies: Record<string, number> };
  /** Revenue ÷ cost; null when nothing cost anything. */
  roi: { cost: number; revenue: number; ratio: number | null };
  /** Customers with two or more credited orders, of all customers. */
  repeatPurchase: { customers: number; rate: number | null };
  abTests: { conversion?: AbVerdict; replies?: AbVerdict };
  lift?: Lift;
  survey?: SurveyTally;
  attribution: { windowDays: number; rule: string };
}

/** The campaign report with the outcome keys attached: see attachOutcomes. */
export type OutcomeReport = Omit<CampaignReport, 'variants'> & CampaignOutcomes & { variants: Array<VariantReport & VariantOutcomes> };

/** Time series for the report page's charts (not part of the JSON report). */
export interface OutcomeSeries {
  bucket: 'minute' | 'hour' | 'day';
  /** Bucket start times (ISO). */
  times: string[];
  submitted: number[];
  delivered: number[];
  clicks: number[];
  conversions: number[];
  timeToDelivery: { labels: string[]; counts: number[] };
}
