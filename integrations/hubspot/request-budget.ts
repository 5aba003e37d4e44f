import type { Clock } from '../../src/common/clock.js';
import type { Timers } from '../../src/delivery/timers.js';
import { SlidingWindow } from './sliding-window.js';
import { retryDecision } from './retry-decision.js';

export type RequestKind = 'default' | 'search';

/**
 * The one budget every HubSpot call goes through (sync, lists, write-back, workflow callbacks), so
 * the account's limit is shared instead of each caller keeping its own count. Requests wait for a
 * free slot instead of collecting 429s; a 429 that still comes is honoured (Retry-After) and counted.
 */
export interface RequestBudget {
  /** Runs `call` when the budget has room, retrying 429s, 5xx and network failures a bounded number of times. */
  run<T>(kind: RequestKind, call: () => Promise<T>): Promise<T>;
  /** Requests started (retries included) and 429s received. */
  stats(): { requests: number; rateLimited: number };
}

export interface RequestBudgetOptions {
  /** HUBSPOT_REQUESTS_PER_10S: 100 on Free/Starter, 190 on Professional/Enterprise. */
  requestsPerWindow: number;
  /** Default 10,000 ms: HubSpot's burst limit is per rolling 10 seconds. */
  windowMs?: number;
  /** Search has its own limit: 5 requests per second per account. */
  searchPerSecond?: number;
  /**
   * Added to every window so that a request the server sees a little later than we sent it still
   * lands outside the window it would otherwise overfill. Default 100 ms.
   */
  marginMs?: number;
  /** Attempts after the first one, for 429s, 5xx and network failures. Default 5. */
  maxRetries?: number;
  /** The longest Retry-After honoured before giving up (a daily-limit 429 asks for hours). Default 60 s. */
  maxRetryAfterMs?: number;
}

export interface RequestBudgetDeps {
  clock: Clock;
  timers: Timers;
  /** For backoff jitter; Math.random in production. */
  random?: () => number;
  /** Tells an error's HTTP status and Retry-After; the client passes the SDK's reading. */
  describeError?: (error: unknown) => { status?: number; retryAfterMs?: number; network?: boolean };
}

/** Reads the shape of the SDK's ApiException ({ code, headers }) and of Node's network errors. */
export function describeHttpError(error: unknown): { status?: number; retryAfterMs?: number; network?: boolean } {
  if (typeof error !== 'object' || error === null) return {};
  const { code, headers } = error as { code?: unknown; headers?: Record<string, string | undefined> };
  if (typeof code === 'string') return { network: ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET'].includes(code) };
  if (typeof code !== 'number') return {};
  const header = headers?.['retry-after'] ?? headers?.['Retry-After'];
  const seconds = header === undefined ? Number.NaN : Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return { status: code, retryAfterMs: seconds * 1000 };
  const policyWait = code === 429 ? waitForPolicy((error as { body?: unknown }).body) : undefined;
  return { status: code, ...(policyWait === undefined ? {} : { retryAfterMs: policyWait }) };
}

/**
 * A 429 without Retry-After, by the limit it names (the body fields the SDK's own retry keys on,
 * CONTRACTS Part A §7): the rolling 10 s window, the per-second search limit, or the daily quota,
 * which no retry within a run can help.
 */
function waitForPolicy(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { policyName, message } = body as { policyName?: unknown; message?: unknown };
  if (policyName === 'DAILY') return 24 * 3600_000;
  if (policyName === 'SECONDLY' || (typeof message === 'string' && message.includes('secondly limit'))) return 1000;
  if (policyName === 'TEN_SECONDLY_ROLLING') return 10_000;
  return undefined;
}

export function createRequestBudget(options: RequestBudgetOptions, deps: RequestBudgetDeps): RequestBudget {
  const margin = options.marginMs ?? 100;
  const all = new SlidingWindow(options.requestsPerWindow, (options.windowMs ?? 10_000) + margin);
  const search = new SlidingWindow(options.searchPerSecond ?? 5, 1000 + margin);
  const maxRetries = options.maxRetries ?? 5;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const describe = deps.describeError ?? describeHttpError;
  const random = deps.random ?? Math.random;
  let requests = 0;
  let rateLimited = 0;
  /** After a 429 nothing starts before this instant, whoever asks. */
  let pausedUntil = 0;
  /** Callers waiting for a slot, served in arrival order. */
  let queue: Promise<void> = Promise.resolve();

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => void deps.timers.setTimeout(resolve, ms));

  type Ticket = () => void;
  const acquire = (kind: RequestKind): Promise<Ticket> => {
    const turn = queue.then(async (): Promise<Ticket> => {
      for (;;) {
        const now = deps.clock.now().getTime();
        const wait = Math.max(pausedUntil - now, all.waitMs(now), kind === 'search' ? search.waitMs(now) : 0);
        if (wait <= 0) {
          const allTicket = all.record(now);
          const searchTicket = kind === 'search' ? search.record(now) : undefined;
          requests += 1;
          return () => {
            const done = deps.clock.now().getTime();
            all.settle(allTicket, done);
            if (searchTicket) search.settle(searchTicket, done);
          };
        }
        await sleep(wait);
      }
    });
    queue = turn.then(() => undefined, () => undefined);
    return turn;
  };

  return {
    async run<T>(kind: RequestKind, call: () => Promise<T>): Promise<T> {
      for (let attempt = 0; ; attempt += 1) {
        const settle = await acquire(kind);
        try {
          const result = await call();
          settle();
          return result;
        } catch (error) {
          settle();
          const seen = describe(error);
          if (seen.status === 429) rateLimited += 1;
          const decision = retryDecision(seen, { attempt, maxRetries, maxRetryAfterMs, random });
          if (!decision.retry) throw error;
          if (seen.status === 429) pausedUntil = Math.max(pausedUntil, deps.clock.now().getTime() + decision.waitMs);
          await sleep(decision.waitMs);
        }
      }
    },
    stats: () => ({ requests, rateLimited }),
  };
}
