import type { GatewayError } from '../../../src/delivery/gateway.js';

export type Fetch = typeof fetch;

export type HttpOutcome =
  | { ok: true; status: number; headers: Headers; body: string }
  | { ok: false; error: GatewayError };

/** Failures that happen before a request leaves this machine: nothing can have been sent. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The port's error for a request that got no HTTP answer. Refused connections and failed DNS look-ups
 * sent nothing, so they are retryable outages; a timeout or a dropped connection may come after Vonage
 * accepted the message, so the outcome is unknown and the caller must not retry blindly.
 */
export function classifyFetchError(error: unknown): GatewayError {
  const name = typeof error === 'object' && error !== null ? String((error as { name?: unknown }).name ?? '') : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { code: 'timeout', retryable: false, outcomeUnknown: true, message: 'Vonage did not answer in time; the message may have been accepted' };
  }
  const code = causeCode(error);
  if (code !== undefined && NOT_SENT.has(code)) {
    return { code: 'unavailable', retryable: true, providerCode: code, message: `Could not reach Vonage (${code})` };
  }
  return {
    code: 'unknown',
    retryable: false,
    outcomeUnknown: true,
    ...(code ? { providerCode: code } : {}),
    message: `The connection to Vonage failed${code ? ` (${code})` : ''}; the message may have been accepted`,
  };
}

/** Retry-After as seconds (fractions tolerated) or an HTTP date, relative to `nowMs`; never negative. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** One request with a deadline; never throws. Credentials travel in the body or query, never in errors. */
export async function request(fetchImpl: Fetch, url: string, init: RequestInit & { timeoutMs: number }): Promise<HttpOutcome> {
  const { timeoutMs, ...rest } = init;
  try {
    const response = await fetchImpl(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return { ok: true, status: response.status, headers: response.headers, body };
  } catch (error) {
    return { ok: false, error: classifyFetchError(error) };
  }
}
