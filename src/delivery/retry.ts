import type { GatewayError } from './gateway.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 5 * 60_000 };

export type RetryDecision = { retry: true; waitMs: number } | { retry: false; reason: 'permanent' | 'exhausted' | 'outcome_unknown' };

/**
 * What to do after a failed attempt: a pure function of the error, the attempt number and a random
 * number (for jitter). Exponential backoff with full jitter, never shorter than the gateway's Retry-After;
 * an error whose outcome is unknown is never retried (a blind retry can send and bill twice).
 */
export function retryDecision(error: GatewayError, attempts: number, policy: RetryPolicy, random: number): RetryDecision {
  if (error.outcomeUnknown) return { retry: false, reason: 'outcome_unknown' };
  if (!error.retryable) return { retry: false, reason: 'permanent' };
  if (attempts >= policy.maxAttempts) return { retry: false, reason: 'exhausted' };
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
  const jittered = Math.round(ceiling / 2 + (random * ceiling) / 2);
  return { retry: true, waitMs: Math.max(jittered, error.retryAfterMs ?? 0) };
}
