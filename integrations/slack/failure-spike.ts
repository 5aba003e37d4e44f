import type { MessageStatus } from '../../src/delivery/outbox.js';

export type StatusCounts = Partial<Record<MessageStatus, number>>;

/** A spike: at least `minFailures` new failures since the last look, and at least `ratio` of what became final. */
export const SPIKE = { minFailures: 20, ratio: 0.2, quietMs: 15 * 60_000 } as const;

const failedOf = (c: StatusCounts): number => (c.failed ?? 0) + (c.rejected ?? 0) + (c.undelivered ?? 0) + (c.expired ?? 0);
const finalOf = (c: StatusCounts): number => failedOf(c) + (c.delivered ?? 0) + (c.submitted ?? 0);

/** Failures between two looks at a campaign's counts, when they are a spike worth a warning. */
export function failureSpike(before: StatusCounts, after: StatusCounts, limits: { minFailures: number; ratio: number } = SPIKE): { failed: number; of: number } | undefined {
  const failed = failedOf(after) - failedOf(before);
  const of = finalOf(after) - finalOf(before);
  if (failed < limits.minFailures || of <= 0 || failed / of < limits.ratio) return undefined;
  return { failed, of };
}

/**
 * Looks at each sending campaign's counts every so often and reports spikes, at most one warning per
 * campaign per quiet period.
 */
export class FailureWatch {
  private readonly last = new Map<string, StatusCounts>();
  private readonly warnedAt = new Map<string, number>();

  observe(campaignId: string, counts: StatusCounts, nowMs: number): { failed: number; of: number } | undefined {
    const before = this.last.get(campaignId);
    this.last.set(campaignId, { ...counts });
    if (!before) return undefined;
    const spike = failureSpike(before, counts);
    if (!spike) return undefined;
    const warned = this.warnedAt.get(campaignId);
    if (warned !== undefined && nowMs - warned < SPIKE.quietMs) return undefined;
    this.warnedAt.set(campaignId, nowMs);
    return spike;
  }
}
