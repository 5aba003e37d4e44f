import type { PlanDeps, PlanRequest } from './plan.js';
import { planPages } from './plan.js';
import type { PlanSummary } from './plan-summary.js';
import { PlanSummarizer } from './plan-summary.js';
import type { PreviewNotes } from './preview-notes.js';
import { previewNotes } from './preview-notes.js';

/**
 * What a campaign would do, without doing it: the function the CLI, the REST API and Slack call
 * before a send. Streams the plan and keeps only the summary and three samples.
 */
export async function previewCampaign(request: PlanRequest, deps: PlanDeps & { currency: string }): Promise<PlanSummary & PreviewNotes> {
  const summarizer = new PlanSummarizer(deps.currency, request.variants.map((v) => v.name), 3, { holdout: Boolean(request.holdout) });
  for await (const decisions of planPages(request, deps)) for (const decision of decisions) summarizer.add(decision);
  const summary = summarizer.result();
  return { ...summary, ...previewNotes(summary, request.variants, deps.prices, { shortLinks: Boolean(deps.shortLinks), ...(request.trackLinks === false ? { trackLinks: false } : {}) }) };
}
