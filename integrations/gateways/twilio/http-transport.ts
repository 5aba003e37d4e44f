import http from 'node:http';
import https from 'node:https';

/** The part of a fetch Response the Twilio client reads. */
export interface TwilioResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface TwilioRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** A fetch-shaped call: the global fetch fits it, and so does `createHttpTransport`'s. */
export type TwilioFetch = (url: string, init: TwilioRequestInit) => Promise<TwilioResponse>;

function headerGetter(headers: http.IncomingHttpHeaders): TwilioResponse['headers'] {
  return {
    get: (name) => {
      const value = headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

export interface HttpTransport {
  request: TwilioFetch;
  /** Closes the idle keep-alive sockets (requests still in flight finish). */
  close(): void;
}

/**
 * An idle keep-alive socket is closed after this long, or a second before the server's
 * `Keep-Alive: timeout=` hint (Node applies the hint only when the Agent has a timeout). Otherwise a
 * request may go out on a socket the server is closing at that moment: an ECONNRESET that leaves a
 * send's outcome unknown.
 */
const IDLE_SOCKET_MS = 4000;

/**
 * Requests over node:http / node:https with keep-alive Agents, one socket per request in flight (up to
 * `maxSockets`), each answer read whole. The global fetch (undici and its web streams) took about a
 * quarter of the service's CPU while sending 1,000 messages a second. Errors keep the shape fetch
 * gives them where the caller looks (`code` on the error, the signal's reason on an abort), so they
 * are told apart the same way.
 */
export function createHttpTransport(options: { maxSockets: number }): HttpTransport {
  const settings = { keepAlive: true, maxSockets: options.maxSockets, timeout: IDLE_SOCKET_MS };
  const agents = { 'http:': new http.Agent(settings), 'https:': new https.Agent(settings) };
  // Parsed once per origin (the API base, a callback host): a URL parse per request showed in profiles.
  const origins = new Map<string, { client: typeof http | typeof https; options: http.RequestOptions }>();
  const target = (url: string): { client: typeof http | typeof https; options: http.RequestOptions; path: string } => {
    const slash = url.indexOf('/', url.indexOf('//') + 2);
    const origin = slash < 0 ? url : url.slice(0, slash);
    let known = origins.get(origin);
    if (!known) {
      const parsed = new URL(origin);
      const protocol = parsed.protocol === 'https:' ? 'https:' : 'http:';
      known = {
        client: protocol === 'https:' ? https : http,
        options: { protocol, hostname: parsed.hostname.replace(/^\[|\]$/g, ''), port: parsed.port || undefined, agent: agents[protocol], ...(parsed.username ? { auth: decodeURIComponent(`${parsed.username}:${parsed.password}`) } : {}) },
      };
      origins.set(origin, known);
    }
    return { ...known, path: slash < 0 ? '/' : url.slice(slash) };
  };
  const request: TwilioFetch = (url, init) =>
    new Promise<TwilioResponse>((resolve, reject) => {
      const { signal } = init;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const { client, options, path } = target(url);
      const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
      const req = client.request({ ...options, path, method: init.method, headers });
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = (): void => {
        fail(signal.reason);
        req.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // An error before the answer (refused, reset, a mocked replyWithError) arrives here.
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        // The body is read whole before resolving, so the socket goes back to the pool at once.
        res.on('end', () => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: headerGetter(res.headers), text: () => Promise.resolve(text) });
        });
        res.on('error', fail);
        // The connection closed mid-body: Twilio answered, but we cannot read what.
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('The connection closed before the whole answer arrived'), { code: 'ECONNRESET' }));
        });
      });
      req.end(init.body);
    });
  return {
    request,
    close: () => {
      for (const agent of Object.values(agents)) agent.destroy();
    },
  };
}
