import type { DurationHistogram, MessageTally, OutboxAggregate } from '../../campaigns/report-aggregate.js';
import { EXACT_DURATIONS, durationBucket, emptyAggregate, newTally } from '../../campaigns/report-aggregate.js';
import type { MessageStatus } from '../../delivery/outbox.js';
import type { Db } from './db.js';

/**
 * A campaign's totals (the same figures as applyRow in report-aggregate.ts) computed by PostgreSQL with
 * GROUP BY: the rows never leave the database, only one line per variant, status and failure code, and
 * one per distinct time to delivery. Test sends are left out.
 */
export async function aggregateCampaign(db: Db, campaignId: string): Promise<OutboxAggregate> {
  const [groups, sent, durations, reached] = await Promise.all([
    db.query<{ variant: string; status: MessageStatus; accepted: boolean; failure: string | null; n: string; segments: number; cost: number; spent: number | null; partial: string }>(
      `SELECT data ->> 'variant' AS variant, status,
              (status IN ('submitted', 'delivered', 'undelivered', 'expired') OR submitted_at IS NOT NULL OR provider_message_id IS NOT NULL) AS accepted,
              CASE WHEN status = 'expired' THEN 'expired'
                   WHEN status IN ('failed', 'rejected') THEN
                     CASE WHEN data ->> 'errorCode' IS NOT NULL AND data ->> 'errorCode' <> 'unknown' THEN data ->> 'errorCode'
                          ELSE coalesce(data ->> 'providerCode', data ->> 'errorCode', status) END
              END AS failure,
              count(*) AS n, sum((data ->> 'segments')::float8) AS segments, sum(cost) AS cost,
              sum(cost) FILTER (WHERE submitted_at IS NOT NULL OR status = 'unknown') AS spent,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM jsonb_each(data -> 'parts') p WHERE p.value ->> 'status' = 'delivered')
                                 AND EXISTS (SELECT 1 FROM jsonb_each(data -> 'parts') p WHERE p.value ->> 'status' IS DISTINCT FROM 'delivered')) AS partial
       FROM outbox WHERE campaign_id = $1 AND NOT test
       GROUP BY 1, 2, 3, 4`,
      [campaignId],
    ),
    db.query<{ first: string | null; last: string | null }>(
      `SELECT (SELECT data ->> 'submittedAt' FROM outbox WHERE campaign_id = $1 AND NOT test AND submitted_at IS NOT NULL ORDER BY submitted_at, id LIMIT 1) AS first,
              (SELECT data ->> 'submittedAt' FROM outbox WHERE campaign_id = $1 AND NOT test AND submitted_at IS NOT NULL ORDER BY submitted_at DESC, id LIMIT 1) AS last`,
      [campaignId],
    ),
    db.query<{ ms: string; n: string }>(
      `SELECT greatest(0, round(extract(epoch FROM ((data ->> 'finalAt')::timestamptz - submitted_at)) * 1000))::bigint AS ms, count(*) AS n
       FROM outbox WHERE campaign_id = $1 AND NOT test AND status = 'delivered' AND data ? 'finalAt' AND submitted_at IS NOT NULL
       GROUP BY 1`,
      [campaignId],
    ),
    db.query<{ variant: string; n: string }>(
      `SELECT data ->> 'variant' AS variant, count(*) AS n FROM outbox
       WHERE campaign_id = $1 AND NOT test AND submitted_at IS NOT NULL AND status IN ('delivered', 'submitted')
       GROUP BY 1`,
      [campaignId],
    ),
  ]);
  const aggregate = emptyAggregate();
  for (const row of reached.rows) {
    aggregate.reached.byVariant[row.variant] = Number(row.n);
    aggregate.reached.total += Number(row.n);
  }
  for (const group of groups.rows) {
    const n = Number(group.n);
    const variant = (aggregate.variants[group.variant] ??= newTally());
    for (const tally of [aggregate.total, variant]) countGroup(tally, group.status, group.accepted, n, Number(group.segments), Number(group.cost));
    aggregate.byStatus[group.status] = (aggregate.byStatus[group.status] ?? 0) + n;
    aggregate.spent += Number(group.spent ?? 0);
    if (group.failure !== null) aggregate.failedByCode[group.failure] = (aggregate.failedByCode[group.failure] ?? 0) + n;
    aggregate.partiallyDelivered += Number(group.partial);
  }
  aggregate.firstSentAt = sent.rows[0]?.first ?? null;
  aggregate.lastSentAt = sent.rows[0]?.last ?? null;
  aggregate.timeToDelivery = histogram(durations.rows.map((r) => [Number(r.ms), Number(r.n)]));
  return aggregate;
}

/** What countInto (report-aggregate.ts) adds for `n` rows of one status. */
function countGroup(tally: MessageTally, status: MessageStatus, accepted: boolean, n: number, segments: number, cost: number): void {
  tally.audience += n;
  if (accepted) {
    tally.submitted += n;
    tally.segments += segments;
    tally.cost += cost;
  }
  switch (status) {
    case 'queued': case 'sending': case 'submitted': tally.pending += n; break;
    case 'delivered': tally.delivered += n; break;
    case 'undelivered': tally.undelivered += n; break;
    case 'failed': case 'rejected': case 'expired': tally.failed += n; break;
    case 'unknown': tally.unknown += n; break;
    case 'canceled': tally.canceled += n; break;
  }
}

/** Exact while there are at most EXACT_DURATIONS distinct values, else 2% buckets (as addDuration does). */
function histogram(values: ReadonlyArray<readonly [number, number]>): DurationHistogram {
  const coarse = values.length > EXACT_DURATIONS;
  const counts: Record<string, number> = {};
  let samples = 0;
  for (const [ms, n] of values) {
    const key = String(coarse ? durationBucket(ms) : ms);
    counts[key] = (counts[key] ?? 0) + n;
    samples += n;
  }
  return { coarse, counts, samples };
}
