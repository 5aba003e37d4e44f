/** The fetch the adapter uses: the global one unless a test or a proxy-aware caller passes another. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * One HTTP exchange with SMS.ru, reduced to what decides the outcome:
 * - `answer`: an HTTP response arrived (any status), with its body;
 * - `not_sent`: the connection failed before the request left (refused, no DNS, no route, TLS):
 *   SMS.ru cannot have acted on it, so it is safe to retry;
 * - `no_answer`: the request may have reached SMS.ru (timeout, reset mid-way): the outcome is unknown.
 */
export type SmsRuExchange =
  | { kind: 'answer'; httpStatus: number; body: string; retryAfter: string | null }
  | { kind: 'not_sent'; reason: string }
  | { kind: 'no_answer'; reason: string; timedOut: boolean };

/** Error codes raised before any byte of the request is written. */
const CONNECT_PHASE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The first `code` on the error or its causes (undici wraps: TypeError('fetch failed', { cause })). */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects fail with an AggregateError holding one error per address tried.
  if (Array.isArray(errors) && errors.length > 0) return errorCode(errors[0], depth + 1);
  return errorCode(cause, depth + 1);
}

function isTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ['TimeoutError', 'AbortError'].includes((error as { name?: string }).name ?? '');
}

/**
 * POSTs a form. Credentials travel in the body, never in the URL, so no proxy or access log ever
 * holds the api_id (SMS.ru takes GET or POST for every method). Never throws: every failure is one of
 * the exchange kinds above. The reasons name error codes only, never the URL or the body.
 */
export async function postForm(fetchImpl: FetchLike, url: string, form: URLSearchParams, timeoutMs: number): Promise<SmsRuExchange> {
  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
      body: form.toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text();
    return { kind: 'answer', httpStatus: response.status, body, retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    if (isTimeout(error)) return { kind: 'no_answer', reason: `no answer within ${timeoutMs} ms`, timedOut: true };
    const code = errorCode(error);
    if (code !== undefined && CONNECT_PHASE.has(code)) return { kind: 'not_sent', reason: code };
    return { kind: 'no_answer', reason: code ?? (error instanceof Error ? error.name : 'network error'), timedOut: false };
  }
}
