/**
 * Marketing frequency cap: at most `max` marketing messages to one contact in any rolling window of
 * `days` × 24 hours, counting messages already sent and already planned (a product rule, not a
 * statute; CONTRACTS.md Part B §6.1 asks the call-to-action to state the message frequency).
 *
 * The rule, exactly: windows are half-open, [s, s + days × 24 h). A new message at T is allowed
 * when, after adding it, no such window holds more than `max` messages. Windows that do not contain
 * T are unchanged by it, so only windows containing T matter: T is refused when some `max` earlier
 * or later messages together with T span less than `days` × 24 h. Messages exactly `days` × 24 h
 * apart never share a window. This is looser than "count everything within ±days of T" (which
 * would refuse day 0, 6, 12 under 2 per 7 days although every 7-day window holds only 2) and never
 * lets a window exceed the cap.
 */

export interface FrequencyCap {
  max: number;
  days: number;
}

const DAY_MS = 86_400_000;

export function frequencyCapExceeded(previous: readonly Date[], at: Date, cap: FrequencyCap): boolean {
  const t = at.getTime();
  const span = cap.days * DAY_MS;
  if (cap.max < 1) return true;
  // Only messages less than one window away from T can share a window with it.
  const near: number[] = [];
  for (const date of previous) {
    const ms = date.getTime();
    if (ms > t - span && ms < t + span) near.push(ms);
  }
  if (near.length < cap.max) return false;
  near.sort((a, b) => a - b);
  // The tightest group of `max` messages around T is always a run of neighbours in time order.
  for (let i = 0; i + cap.max <= near.length; i++) {
    const first = Math.min(near[i] as number, t);
    const last = Math.max(near[i + cap.max - 1] as number, t);
    if (last - first < span) return true;
  }
  return false;
}
