import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, isAppError } from '../common/errors.js';
import { jsonNestingExceeds } from '../common/json-depth.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { GatewayEvent, SmsGateway, WebhookRequest } from '../delivery/gateway.js';
import type { Metrics } from './metrics.js';

export interface WebhookDeps {
  gateway(name: string): SmsGateway | undefined;
  /** Appends events durably; the webhook is acknowledged only after this resolves. */
  accept(events: GatewayEvent[]): Promise<void>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** The public base URL gateways call (signatures cover the full URL); else taken from the request. */
  publicUrl?: string;
}

const BODY_LIMIT = 64 * 1024;
/** Gateways send flat bodies; anything nested deeper than this is not a webhook (400). */
export const MAX_JSON_DEPTH = 16;
const ROUTE = /^\/webhooks\/([A-Za-z0-9_-]{1,40})\/(status|inbound)(?:\?|$)/;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reject(new HttpFailure(413, 'The webhook body is too large.'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function fieldsOf(contentType: string, url: string, raw: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  const add = (key: string, value: string): void => {
    const existing = fields[key];
    fields[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  };
  const query = url.indexOf('?');
  if (query >= 0) for (const [key, value] of new URLSearchParams(url.slice(query + 1))) add(key, value);
  if (contentType.startsWith('application/json') && raw.trim()) {
    if (jsonNestingExceeds(raw, MAX_JSON_DEPTH)) throw new AppError('VALIDATION_FAILED', `The webhook body nests deeper than ${MAX_JSON_DEPTH} levels.`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new AppError('VALIDATION_FAILED', 'The webhook body is not valid JSON.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new AppError('VALIDATION_FAILED', 'The webhook body must be a JSON object.');
    for (const [key, value] of Object.entries(parsed)) add(key, typeof value === 'string' ? value : JSON.stringify(value));
  } else if (raw) {
    for (const [key, value] of new URLSearchParams(raw)) add(key, value);
  }
  return fields;
}

/**
 * The request as gateways see it. `fields` is parsed on first use, not here: the signature is checked
 * on the raw body and URL first, so an unsigned body is never parsed at all.
 */
function toWebhookRequest(req: IncomingMessage, raw: string, publicUrl: string | undefined): WebhookRequest {
  const url = req.url ?? '/';
  // Without PUBLIC_URL: the URL as a TLS-terminating proxy on this host says it was called.
  const loopback = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? '');
  const forwarded = loopback ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() : '';
  const base = publicUrl ?? `${forwarded === 'https' ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
  const headers: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(req.headers)) headers[key] = Array.isArray(value) ? value.join(',') : value;
  let fields: Record<string, string | string[]> | undefined;
  return {
    method: req.method ?? 'GET',
    url: `${base.replace(/\/$/, '')}${url}`,
    headers,
    rawBody: raw,
    get fields() {
      fields ??= fieldsOf(headers['content-type'] ?? '', url, raw);
      return fields;
    },
  };
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The gateway's signature check; a body it cannot even read for that is malformed (400), not a crash. */
function verified(gateway: SmsGateway, request: WebhookRequest, now: Date): boolean {
  try {
    return gateway.verifyWebhook?.(request, now) ?? true;
  } catch (error) {
    throw isAppError(error) ? error : new AppError('VALIDATION_FAILED', 'The webhook body could not be read.', { cause: error });
  }
}

/** Whether a request is for the webhook handler (the hot path that bypasses the express app). */
export function isWebhookRequest(req: IncomingMessage): boolean {
  return (req.url ?? '').startsWith('/webhooks/');
}

/**
 * `POST|GET /webhooks/:gateway/status|inbound`, on plain node:http because it is the hot path (every
 * receipt of every message): read the raw body (413 past 64 KB), verify the signature on it (401 on a
 * bad or stale one) before anything is parsed, parse with a nesting limit (400 on a malformed or
 * deeply nested body), record durably, then answer 2xx. Duplicates are harmless downstream (dedupe by key,
 * status moves forward only). One bad webhook never stops the server.
 */
export function createWebhookHandler(deps: WebhookDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const route = ROUTE.exec(req.url ?? '');
    const name = route?.[1] ?? 'unknown';
    const kind = (route?.[2] ?? 'status') as 'status' | 'inbound';
    try {
      if (!route || (req.method !== 'POST' && req.method !== 'GET')) throw new HttpFailure(404, 'Not found.');
      const gateway = deps.gateway(name);
      const parse = kind === 'status' ? gateway?.parseStatus : gateway?.parseInbound;
      if (!gateway || !parse) {
        deps.metrics.webhook(name, kind, 'unknown_gateway');
        throw new HttpFailure(404, `No ${kind} webhook for gateway "${name}".`);
      }
      const request = toWebhookRequest(req, req.method === 'POST' ? await readBody(req) : '', deps.publicUrl);
      if (gateway.verifyWebhook && !verified(gateway, request, deps.clock.now())) {
        deps.metrics.webhook(name, kind, 'unauthorized');
        throw new HttpFailure(401, 'Bad or stale webhook signature.');
      }
      let events: GatewayEvent[];
      try {
        events = parse.call(gateway, request);
      } catch (error) {
        throw isAppError(error) ? error : new AppError('VALIDATION_FAILED', 'The webhook body could not be read.', { cause: error });
      }
      await deps.accept(events);
      deps.metrics.webhook(name, kind, 'accepted');
      const answer = gateway.webhookAnswer?.(kind);
      if (answer) reply(res, answer.status, answer.contentType, answer.body);
      else {
        res.writeHead(204);
        res.end();
      }
    } catch (error) {
      const status = error instanceof HttpFailure ? error.status : isAppError(error) && error.code === 'VALIDATION_FAILED' ? 400 : 500;
      if (status === 400 || status === 413) deps.metrics.webhook(name, kind, 'malformed');
      if (status === 500) {
        deps.metrics.webhook(name, kind, 'failed');
        deps.logger.error({ gateway: name, kind, error }, 'webhook could not be recorded');
      }
      const message = status === 500 ? 'The webhook could not be recorded; try again.' : error instanceof Error ? error.message : 'Bad request.';
      if (!res.headersSent) reply(res, status, 'application/json', JSON.stringify({ error: message }));
      else res.end();
    }
  };
}
