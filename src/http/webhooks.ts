import express from 'express';
import type { Request, Response, Router } from 'express';
import { AppError } from '../common/errors.js';
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

const BODY_LIMIT = '64kb';

function fieldsOf(req: Request, raw: string): Record<string, string | string[]> {
  const type = req.headers['content-type'] ?? '';
  const fields: Record<string, string | string[]> = {};
  const add = (key: string, value: string): void => {
    const existing = fields[key];
    fields[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  };
  for (const [key, value] of new URLSearchParams(req.url.split('?')[1] ?? '')) add(key, value);
  if (type.startsWith('application/json') && raw.trim()) {
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

function toWebhookRequest(req: Request, raw: string, publicUrl: string | undefined): WebhookRequest {
  const base = publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const headers: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(req.headers)) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  return { method: req.method, url: `${base.replace(/\/$/, '')}${req.originalUrl}`, headers, rawBody: raw, fields: fieldsOf(req, raw) };
}

/**
 * `POST|GET /webhooks/:gateway/status|inbound`: verify (401 on a bad or stale signature), parse (400 on
 * a malformed body), record durably, then answer 2xx — duplicates are harmless downstream (dedupe by
 * key, status moves forward only). One bad webhook never stops the server.
 */
export function webhookRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  const raw = express.text({ type: () => true, limit: BODY_LIMIT });
  const handle = (kind: 'status' | 'inbound') => async (req: Request, res: Response): Promise<void> => {
    const name = String(req.params.gateway);
    const gateway = deps.gateway(name);
    const parse = kind === 'status' ? gateway?.parseStatus : gateway?.parseInbound;
    if (!gateway || !parse) {
      deps.metrics.webhook(name, kind, 'unknown_gateway');
      res.status(404).json({ error: `No ${kind} webhook for gateway "${name}".` });
      return;
    }
    const body = typeof req.body === 'string' ? req.body : '';
    let request: WebhookRequest;
    try {
      request = toWebhookRequest(req, body, deps.publicUrl);
    } catch (error) {
      deps.metrics.webhook(name, kind, 'malformed');
      throw error;
    }
    if (gateway.verifyWebhook && !gateway.verifyWebhook(request, deps.clock.now())) {
      deps.metrics.webhook(name, kind, 'unauthorized');
      res.status(401).json({ error: 'Bad or stale webhook signature.' });
      return;
    }
    let events: GatewayEvent[];
    try {
      events = parse.call(gateway, request);
    } catch (error) {
      deps.metrics.webhook(name, kind, 'malformed');
      throw error instanceof AppError ? error : new AppError('VALIDATION_FAILED', 'The webhook body could not be read.', { cause: error });
    }
    await deps.accept(events);
    deps.metrics.webhook(name, kind, 'accepted');
    const answer = gateway.webhookAnswer?.(kind);
    if (answer) res.status(answer.status).type(answer.contentType).send(answer.body);
    else res.status(204).end();
  };
  for (const kind of ['status', 'inbound'] as const) {
    router.post(`/webhooks/:gateway/${kind}`, raw, handle(kind));
    router.get(`/webhooks/:gateway/${kind}`, handle(kind));
  }
  return router;
}
