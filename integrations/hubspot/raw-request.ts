import type { Client } from '@hubspot/api-client';

/** A non-2xx answer, shaped like the SDK's ApiException ({ code, body, headers }) so one reader serves both. */
export class HubSpotHttpError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super(`HubSpot answered HTTP ${code}${typeof body === 'object' && body !== null && 'message' in body ? `: ${String((body as { message: unknown }).message)}` : ''}`);
    this.name = 'HubSpotHttpError';
  }
}

/**
 * An endpoint the SDK has no wrapper for (or whose generated models would drop fields we read, such
 * as list filters), through the SDK's own `apiRequest` (same auth, same basePath). Returns the JSON body.
 */
export async function rawRequest(sdk: Client, options: { method: 'GET' | 'POST' | 'PATCH' | 'PUT'; path: string; body?: unknown }): Promise<unknown> {
  const response = await sdk.apiRequest({ method: options.method, path: options.path, ...(options.body === undefined ? {} : { body: options.body }) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Kept as text: an HTML error page from a proxy says more than a parse error.
  }
  if (!response.ok) {
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    throw new HubSpotHttpError(response.status, body, headers);
  }
  return body;
}
