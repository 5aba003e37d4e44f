import type { CampaignReport } from '../campaigns/report.js';
import type { CampaignOutcomes, OutcomeReport, VariantOutcomes } from './outcome-types.js';

const NONE: VariantOutcomes = { reached: 0, clicks: 0, uniqueClicks: 0, clickRate: null, conversions: 0, customers: 0, conversionRate: null, revenue: 0 };

/**
 * The one place the outcome keys meet the delivery report: every key of the report stays as it is,
 * the outcome keys are added beside them, and each variant gets its outcome figures.
 */
export function attachOutcomes(report: CampaignReport, outcomes: CampaignOutcomes, byVariant: ReadonlyMap<string, VariantOutcomes>): OutcomeReport {
  return {
    ...report,
    ...outcomes,
    variants: report.variants.map((variant) => ({ ...variant, ...(byVariant.get(variant.name) ?? NONE) })),
  };
}
