import type { AppContext } from '../app.js';
import { attachOutcomes } from '../outcomes/attach-outcomes.js';
import type { OutcomeDeps } from '../outcomes/campaign-outcomes.js';
import { gatherOutcomes } from '../outcomes/campaign-outcomes.js';
import type { ConversionInput, ConversionSource } from '../outcomes/conversion.js';
import type { OutcomeReport, OutcomeSeries } from '../outcomes/outcome-types.js';
import type { RecordConversionsResult } from '../outcomes/record-conversions.js';
import { recordConversions } from '../outcomes/record-conversions.js';

/** What outcome reports read, from the app's store and config. */
export function outcomeDeps(app: AppContext): OutcomeDeps {
  return { store: app.store, windowDays: app.config.ATTRIBUTION_WINDOW_DAYS, currency: app.config.SMS_CURRENCY };
}

/**
 * The campaign report (CLI, REST, the report page) with its outcome keys, and the page's series:
 * the delivery report as the campaign service builds it, the outcomes attached in one place. The
 * series are empty unless asked for (`series: true`, the report page).
 */
export async function reportWithOutcomes(app: AppContext, id: string, options: { series?: boolean } = {}): Promise<{ report: OutcomeReport; series: OutcomeSeries }> {
  const campaign = await app.campaigns.get(id);
  const report = await app.campaigns.report(id);
  // The series (the page's charts) read every row; the report alone reads running totals only.
  const gathered = await gatherOutcomes(campaign, report, outcomeDeps(app), { series: options.series ?? false });
  return { report: attachOutcomes(report, gathered.outcomes, gathered.byVariant), series: gathered.series };
}

/** Records conversions from any entry point (REST, a file, HubSpot deals) and makes them durable. */
export async function recordAppConversions(app: AppContext, inputs: readonly ConversionInput[], source: ConversionSource): Promise<RecordConversionsResult> {
  const result = await recordConversions(inputs, source, {
    store: app.store, clock: app.clock, windowDays: app.config.ATTRIBUTION_WINDOW_DAYS, defaultCountry: app.config.DEFAULT_COUNTRY, currency: app.config.SMS_CURRENCY,
  });
  await app.store.flush();
  return result;
}
