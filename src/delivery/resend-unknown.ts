import { AppError } from '../common/errors.js';
import type { OutboxMessage } from './outbox.js';
import type { ReconcileDeps, Verdict } from './reconcile.js';
import { askGateways, confirmSent, requeue, unknownRows } from './reconcile.js';

export interface ResendUnknownPlan {
  campaignId: string;
  /** Messages whose send outcome is unknown. */
  unknown: number;
  /** The gateway has them: marked submitted, never sent again. */
  confirmedSent: number;
  /** The gateway says it never received them: sending them again cannot double them. */
  notReceived: number;
  /** Nobody can tell: sending them again may give these recipients a second SMS. */
  atRisk: number;
  /** Why the gateway could not tell, with counts. */
  reasons: Record<string, number>;
}

/** Asks the gateways about every unknown message of a campaign and says what resending would do; changes nothing. */
export async function planResendUnknown(deps: ReconcileDeps, campaignId: string): Promise<{ plan: ResendUnknownPlan; verdicts: Verdict[] }> {
  const verdicts = await askGateways(deps, await unknownRows(deps.store, campaignId));
  const plan: ResendUnknownPlan = { campaignId, unknown: verdicts.length, confirmedSent: 0, notReceived: 0, atRisk: 0, reasons: {} };
  for (const { lookup } of verdicts) {
    if (lookup.found === 'sent') plan.confirmedSent += 1;
    else if (lookup.found === 'not_received') plan.notReceived += 1;
    else {
      plan.atRisk += 1;
      plan.reasons[lookup.reason] = (plan.reasons[lookup.reason] ?? 0) + 1;
    }
  }
  return { plan, verdicts };
}

/**
 * The operator's decision: messages the gateway has become `submitted`; all the others (never received,
 * and those nobody can tell about: the risk the operator accepted) are queued again. A finished campaign
 * is reopened so they go out; a canceled one is refused (cancel meant stop).
 */
export async function applyResendUnknown(deps: ReconcileDeps, campaignId: string, verdicts: readonly Verdict[]): Promise<{ submitted: number; requeued: number }> {
  const campaign = await deps.store.campaigns.get(campaignId);
  if (!campaign) throw new AppError('NOT_FOUND', `No campaign ${campaignId}.`, { hint: 'List campaigns with: smsbridge campaign list' });
  if (campaign.status === 'canceled') {
    throw new AppError('CONFLICT', `Campaign ${campaignId} was canceled; its unknown messages are not sent again.`, { hint: 'Create a new campaign for those recipients if they should still get the message.' });
  }
  const at = deps.clock.now().toISOString();
  const rows: OutboxMessage[] = verdicts.map(({ row, lookup }) => (lookup.found === 'sent' ? confirmSent(row, lookup, at) : requeue(row, at)));
  await deps.store.outbox.updateMany(rows);
  const requeued = rows.filter((row) => row.status === 'queued').length;
  if (requeued > 0 && campaign.status === 'completed') {
    const { finishedAt: _finished, ...open } = campaign;
    await deps.store.campaigns.put({ ...open, status: 'sending', updatedAt: at });
  }
  await deps.store.flush();
  return { submitted: rows.length - requeued, requeued };
}
