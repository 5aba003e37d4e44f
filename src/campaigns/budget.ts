import type { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import type { PriceTable } from '../messages/pricing.js';
import type { Store } from '../store/port.js';
import type { Campaign } from './campaign.js';

/** False when SMS_PRICES is unset (or all zero): every cost is then 0, and a budget means nothing. */
export function pricesConfigured(table: PriceTable): boolean {
  return Object.values(table).some((prices) => Object.values(prices).some((price) => price > 0));
}

/** At creation: a budget needs prices, and the preview's cost must fit in it. */
export function checkBudgetAtCreate(maxCost: number, previewCost: number, context: { prices: PriceTable; currency: string }): void {
  if (!pricesConfigured(context.prices)) {
    throw new AppError('VALIDATION_FAILED', 'A budget (max cost) needs prices: SMS_PRICES is not configured, so every message counts 0.', {
      hint: 'Set SMS_PRICES, e.g. {"default":{"RU":3.5,"default":6}}, or leave the budget out.',
    });
  }
  if (previewCost > maxCost) {
    throw new AppError('VALIDATION_FAILED', `The preview costs ${previewCost.toFixed(2)} ${context.currency}, over the budget of ${maxCost.toFixed(2)} ${context.currency}.`, {
      hint: 'Narrow the audience, shorten the text (see the encoding warning of campaign preview), or raise --max-cost.',
    });
  }
}

/**
 * Before the dispatcher claims messages: a sending campaign whose messages that left cost its budget
 * or more is paused with the reason `budget_reached` (the report says so) and sends nothing more.
 * Returns the campaigns that may still send. Retries and texts rendered longer than at the preview
 * count, since the cost is the outbox's actual one.
 */
export async function withinBudget(campaigns: readonly Campaign[], deps: { store: Store; clock: Clock }): Promise<Campaign[]> {
  const allowed: Campaign[] = [];
  for (const campaign of campaigns) {
    if (campaign.maxCost === undefined) {
      allowed.push(campaign);
      continue;
    }
    const spent = await deps.store.outbox.spent(campaign.id);
    // Nothing left to send: the campaign completes as usual rather than pausing.
    const queued = (await deps.store.outbox.countByStatus(campaign.id)).queued ?? 0;
    if (spent + 1e-9 < campaign.maxCost || queued === 0) {
      allowed.push(campaign);
      continue;
    }
    const at = deps.clock.now().toISOString();
    await deps.store.campaigns.put({ ...campaign, status: 'paused', stopReason: { code: 'budget_reached', spent, at }, updatedAt: at });
  }
  return allowed;
}
