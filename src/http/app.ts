import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../app.js';
import type { DeliveryEngine } from '../engine.js';
import { apiRouter } from './api/index.js';
import { reportRoutes } from '../reports/report-routes.js';
import { errorHandler } from './errors.js';
import { Metrics } from './metrics.js';
import { createWebhookHandler, isWebhookRequest } from './webhooks.js';
import type { ClickRecorder } from '../clicks/redirect.js';
import { createRedirectHandler, isShortLinkRequest } from '../clicks/redirect.js';

export interface HttpDeps {
  app: AppContext;
  engine: DeliveryEngine;
  metrics?: Metrics;
  startedAt?: number;
}

/** Constant-time bearer check: the REST API answers 401 to anyone without API_KEY. */
export function bearerAuth(apiKey: string | undefined) {
  const expected = Buffer.from(apiKey ?? '');
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
    if (!apiKey || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'Missing or wrong API key.', hint: 'Send Authorization: Bearer <API_KEY>.' });
      return;
    }
    next();
  };
}

/** The service's request handler, and a listen() that serves it on node:http. */
export type HttpApp = ((req: IncomingMessage, res: ServerResponse) => void) & {
  listen(port: number, host: string, callback?: () => void): Server;
  /** Clicks on short links, written in the background; flush it before the store closes. */
  clicks: ClickRecorder;
};

/** Webhooks on a lean handler (the hot path); the REST API, health and metrics on express. */
export function createHttpApp(deps: HttpDeps): HttpApp {
  const { app, engine } = deps;
  const metrics = deps.metrics ?? new Metrics();
  const startedAt = deps.startedAt ?? performance.now();
  const server = express();
  server.disable('x-powered-by');
  server.set('trust proxy', 'loopback');
  server.use((req, res, next) => {
    res.on('finish', () => metrics.request(req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched', res.statusCode));
    next();
  });

  const webhooks = createWebhookHandler({
    gateway: (name) => {
      try {
        return app.gateway(name);
      } catch {
        return undefined;
      }
    },
    accept: (events) => engine.accept(events),
    clock: app.clock,
    logger: app.logger,
    metrics,
    ...(app.config.PUBLIC_URL ? { publicUrl: app.config.PUBLIC_URL } : {}),
  });

  // Short links (GET /s/<code>): public, on the lean path like webhooks; clicks are written in the background.
  const redirects = createRedirectHandler({
    store: app.store, clock: app.clock, logger: app.logger, queueMax: app.config.CLICK_QUEUE_MAX, onAnswer: (status) => metrics.request('/s/:code', status),
  });

  server.get('/healthz', async (_req, res) => {
    const checks: Record<string, { ok: boolean; detail: string }> = {};
    try {
      checks.store = { ok: true, detail: `${app.store.describe().kind}: ${await app.store.contacts.count()} contacts` };
    } catch (error) {
      checks.store = { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
    try {
      const gateway = app.gateway('default');
      checks.gateway = { ok: true, detail: `${gateway.id}: ${gateway.capabilities().maxSegmentsPerSecond} segments/s` };
    } catch (error) {
      checks.gateway = { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
    checks.engine = { ok: engine.isRunning(), detail: engine.isRunning() ? 'dispatching' : 'stopped' };
    const ok = Object.values(checks).every((check) => check.ok);
    res.status(ok ? 200 : 503).json({ ok, checks });
  });

  server.get('/metrics', async (_req, res) => {
    const messagesByStatus: Record<string, number> = {};
    for (const campaign of await app.store.campaigns.list()) {
      for (const [status, n] of Object.entries(await app.store.outbox.countByStatus(campaign.id))) messagesByStatus[status] = (messagesByStatus[status] ?? 0) + (n ?? 0);
    }
    const clusterSlots = app.clusterSlots?.();
    const submittedTotal = ['submitted', 'delivered', 'undelivered', 'expired'].reduce((sum, s) => sum + (messagesByStatus[s] ?? 0), 0);
    res.type('text/plain; version=0.0.4').send(metrics.render({
      messagesByStatus, outboxDepth: (messagesByStatus.queued ?? 0) + (messagesByStatus.sending ?? 0), submittedTotal, uptimeSeconds: (performance.now() - startedAt) / 1000,
      ...(clusterSlots ? { clusterSlots } : {}),
    }));
  });

  // HubSpot workflow actions: each request is authenticated by its own signature or shared secret.
  if (app.hubspotActions.routes) server.use(app.hubspotActions.routes);
  // Slack (HTTP mode): POST /slack/events, verified and handed to bolt's receiver before any body parser.
  app.slack?.mount(server);

  server.use('/api/v1', apiRouter({ app, engine, apiKey: bearerAuth(app.config.API_KEY) }));
  server.use('/reports', reportRoutes(app));
  server.use((_req, res) => {
    res.status(404).json({ error: 'Not found.' });
  });
  server.use(errorHandler(app.logger));
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (isWebhookRequest(req)) void webhooks(req, res);
    else if (isShortLinkRequest(req)) void redirects.handle(req, res);
    else server(req, res);
  };
  return Object.assign(handler, {
    listen: (port: number, host: string, callback?: () => void): Server => http.createServer(handler).listen(port, host, callback),
    clicks: redirects.recorder,
  });
}
