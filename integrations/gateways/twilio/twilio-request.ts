import type { GatewayError } from '../../../src/delivery/gateway.js';
import type { TwilioFetch, TwilioResponse } from './http-transport.js';

export interface TwilioHttp {
  apiBase: string;
  accountSid: string;
  authToken: string;
  timeoutMs: number;
  /** Keep-alive node:http(s) requests (`createHttpTransport`), or what a test gives (the global fetch fits). */
  fetch: TwilioFetch;
}

export type TwilioAnswer =
  | { kind: 'answer'; status: number; headers: TwilioResponse['headers']; body: unknown }
  /** No answer: `error` says whether the request may have reached Twilio (`outcomeUnknown`). */
  | { kind: 'no-answer'; error: GatewayError };

// Failures that happen before a byte of the request is sent: nothing can have been created.
const BEFORE_SEND = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || depth > 3) return;
    const { code, cause, errors } = value as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    visit(cause, depth + 1);
    // Node's happy-eyeballs connect reports one error per address tried.
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return codes;
}

/** The port's error for a request that got no HTTP answer. */
export function networkError(error: unknown): GatewayError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { code: 'timeout', retryable: false, outcomeUnknown: true, message: 'Twilio did not answer in time; the message may have been sent' };
  }
  const codes = errorCodes(error);
  if (codes.length > 0 && codes.every((code) => BEFORE_SEND.has(code))) {
    return { code: 'unavailable', retryable: true, providerCode: codes[0], message: `Could not connect to Twilio (${codes[0]})` };
  }
  // A connection dropped mid-request (ECONNRESET, a socket error): Twilio may have created the message.
  return {
    code: 'unknown',
    retryable: false,
    outcomeUnknown: true,
    ...(codes[0] ? { providerCode: codes[0] } : {}),
    message: `The connection to Twilio failed mid-request${codes[0] ? ` (${codes[0]})` : ''}; the message may have been sent`,
  };
}

/** Retry-After as milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * One call to Twilio's REST API, HTTP Basic with the Account SID and Auth Token.
 * https://www.twilio.com/docs/usage/requests-to-twilio
 */
export async function twilioRequest(http: TwilioHttp, path: string, form?: URLSearchParams): Promise<TwilioAnswer> {
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${http.accountSid}:${http.authToken}`).toString('base64')}`,
    accept: 'application/json',
  };
  if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
  // A timer cleared once the answer is read: AbortSignal.timeout's own timer would fire for every
  // request long after its answer (measured: ~10% of the service's CPU while sending 500/s).
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('Twilio did not answer in time', 'TimeoutError')), http.timeoutMs);
  try {
    const response = await http.fetch(`${http.apiBase}${path}`, {
      method: form ? 'POST' : 'GET',
      headers,
      ...(form ? { body: form.toString() } : {}),
      signal: controller.signal,
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined; // an HTML error page from a proxy: the status says enough
    }
    return { kind: 'answer', status: response.status, headers: response.headers, body };
  } catch (error) {
    return { kind: 'no-answer', error: networkError(error) };
  } finally {
    clearTimeout(timer);
  }
}
