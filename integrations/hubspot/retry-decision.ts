/**
 * Whether a failed HubSpot call is worth another attempt, and after how long. A pure function, so the
 * rules are table-tested: 429 honours Retry-After (HubSpot's own 10-second window when absent) and is
 * given up when the wait is longer than we are willing to hold a caller (a daily-limit 429); 5xx and
 * network failures back off exponentially with jitter; anything else is final.
 */
export function retryDecision(
  seen: { status?: number; retryAfterMs?: number; network?: boolean },
  context: { attempt: number; maxRetries: number; maxRetryAfterMs: number; random: () => number },
): { retry: boolean; waitMs: number; reason: string } {
  if (context.attempt >= context.maxRetries) return { retry: false, waitMs: 0, reason: 'retries exhausted' };
  if (seen.status === 429) {
    const waitMs = seen.retryAfterMs ?? 10_000;
    if (waitMs > context.maxRetryAfterMs) return { retry: false, waitMs, reason: `Retry-After of ${Math.round(waitMs / 1000)} s is past the limit` };
    return { retry: true, waitMs: Math.max(waitMs, 100), reason: 'rate limited' };
  }
  if (seen.network || (seen.status !== undefined && seen.status >= 500)) {
    const base = 500 * 2 ** context.attempt;
    return { retry: true, waitMs: Math.round(base / 2 + context.random() * (base / 2)), reason: seen.network ? 'network failure' : `HTTP ${seen.status}` };
  }
  return { retry: false, waitMs: 0, reason: seen.status === undefined ? 'not an HTTP failure' : `HTTP ${seen.status}` };
}
