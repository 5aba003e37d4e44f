import type { CampaignSchedule } from '../campaigns/campaign.js';

/**
 * One-off campaigns whose time came while the service was down, split at start-up: `fire` are still
 * within `graceMs` of their time (`now - at <= graceMs`, both ends inclusive) and start now; `expired`
 * are older and must not go out — the caller marks them and says so, since a marketing blast hours
 * late is worse than none. Only `scheduled` campaigns with `{ type: 'at' }` are considered; those
 * still in the future are in neither list (arm them as usual). An `at` that does not parse as a date
 * can never fire on time, so it is reported as expired rather than silently kept. Input order is kept.
 */
export function missedOneOffs<T extends { id: string; schedule: CampaignSchedule; status: string }>(
  campaigns: readonly T[],
  now: Date,
  graceMs: number,
): { fire: T[]; expired: T[] } {
  const fire: T[] = [];
  const expired: T[] = [];
  const nowMs = now.getTime();
  for (const campaign of campaigns) {
    if (campaign.status !== 'scheduled' || campaign.schedule.type !== 'at') continue;
    const at = Date.parse(campaign.schedule.at);
    if (Number.isNaN(at)) expired.push(campaign);
    else if (at > nowMs) continue;
    else if (nowMs - at <= graceMs) fire.push(campaign);
    else expired.push(campaign);
  }
  return { fire, expired };
}
