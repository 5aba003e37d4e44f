import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { realTimers } from '../../../src/delivery/timers.js';
import { createRequestBudget, describeHttpError } from '../../../integrations/hubspot/request-budget.js';
import { retryDecision } from '../../../integrations/hubspot/retry-decision.js';

const httpError = (code: number, headers: Record<string, string> = {}): Error => Object.assign(new Error(`HTTP ${code}`), { code, headers });

describe('HubSpot request budget (fake time)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-05-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const start = (): number => Date.now();

  it('never starts more than the limit in any sliding window, and waits instead of failing', async () => {
    const budget = createRequestBudget({ requestsPerWindow: 3, windowMs: 1000, marginMs: 0 }, { clock: systemClock, timers: realTimers });
    const t0 = start();
    const starts: number[] = [];
    const calls = Array.from({ length: 7 }, () => budget.run('default', async () => void starts.push(Date.now() - t0)));
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(calls);
    expect(starts).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
    expect(budget.stats()).toEqual({ requests: 7, rateLimited: 0 });
  });

  it('holds search to its own limit per second, counted in the shared window too', async () => {
    const budget = createRequestBudget({ requestsPerWindow: 100, windowMs: 10_000, searchPerSecond: 5, marginMs: 0 }, { clock: systemClock, timers: realTimers });
    const t0 = start();
    const searches: number[] = [];
    const calls = Array.from({ length: 12 }, () => budget.run('search', async () => void searches.push(Date.now() - t0)));
    const plain = budget.run('default', async () => Date.now() - t0);
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(calls);
    expect(searches).toEqual([0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 2000, 2000]);
    expect(await plain).toBe(2000); // served in arrival order
    expect(budget.stats().requests).toBe(13);
  });

  it('honours Retry-After on a 429, counts it, and holds every caller meanwhile', async () => {
    const budget = createRequestBudget({ requestsPerWindow: 100, marginMs: 0 }, { clock: systemClock, timers: realTimers });
    const t0 = start();
    let attempts = 0;
    const limited = budget.run('default', async () => {
      attempts += 1;
      if (attempts === 1) throw httpError(429, { 'retry-after': '3' });
      return Date.now() - t0;
    });
    await vi.advanceTimersByTimeAsync(1);
    const other = budget.run('default', async () => Date.now() - t0);
    await vi.advanceTimersByTimeAsync(4000);
    expect(await limited).toBe(3000);
    expect(await other).toBeGreaterThanOrEqual(3000);
    expect(budget.stats()).toEqual({ requests: 3, rateLimited: 1 });
  });

  it('retries 5xx with backoff, gives up after maxRetries, and never retries a 4xx', async () => {
    const budget = createRequestBudget({ requestsPerWindow: 100, maxRetries: 2 }, { clock: systemClock, timers: realTimers, random: () => 0.5 });
    let calls = 0;
    const failing = budget.run('default', async () => {
      calls += 1;
      throw httpError(503);
    });
    const settled = failing.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await settled).toMatchObject({ code: 503 });
    expect(calls).toBe(3);
    let bad = 0;
    await expect(budget.run('default', async () => {
      bad += 1;
      throw httpError(400);
    })).rejects.toMatchObject({ code: 400 });
    expect(bad).toBe(1);
  });
});

describe('reading a 429', () => {
  it.each([
    [{ 'retry-after': '3' }, { policyName: 'DAILY' }, 3000],
    [{}, { policyName: 'TEN_SECONDLY_ROLLING' }, 10_000],
    [{}, { message: 'You have reached your secondly limit.' }, 1000],
    [{}, { policyName: 'DAILY' }, 86_400_000],
  ])('headers %j, body %j → wait %i ms', (headers, body, wait) => {
    expect(describeHttpError(Object.assign(new Error('429'), { code: 429, headers, body }))).toEqual({ status: 429, retryAfterMs: wait });
  });
  it('gives up on a daily-limit 429 instead of holding the caller for a day', () => {
    const seen = describeHttpError(Object.assign(new Error('429'), { code: 429, headers: {}, body: { policyName: 'DAILY' } }));
    expect(retryDecision(seen, { attempt: 0, maxRetries: 5, maxRetryAfterMs: 60_000, random: () => 0 }).retry).toBe(false);
  });
});

describe('retryDecision', () => {
  const context = { attempt: 0, maxRetries: 5, maxRetryAfterMs: 60_000, random: () => 0 };
  it.each([
    [{ status: 429, retryAfterMs: 2000 }, true, 2000],
    [{ status: 429 }, true, 10_000],
    [{ status: 429, retryAfterMs: 3_600_000 }, false, 3_600_000],
    [{ status: 502 }, true, 250],
    [{ network: true }, true, 250],
    [{ status: 401 }, false, 0],
    [{ status: 404 }, false, 0],
  ])('%j → retry %s after %i ms', (seen, retry, waitMs) => {
    expect(retryDecision(seen, context)).toMatchObject({ retry, waitMs });
  });
  it('stops when the attempts are used up', () => {
    expect(retryDecision({ status: 503 }, { ...context, attempt: 5 }).retry).toBe(false);
  });
});
