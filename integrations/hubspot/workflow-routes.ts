import { createHash, timingSafeEqual } from 'node:crypto';
import express from 'express';
import type { Request, Response, Router } from 'express';
import { ZodError } from 'zod';
import type { Clock } from '../../src/common/clock.js';
import { isAppError } from '../../src/common/errors.js';
import type { Logger } from '../../src/common/logger.js';
import { maskPhonesInText } from '../../src/common/mask.js';
import type { ActionOutput } from './action-fields.js';
import { SEND_SMS_ACTION_PATH, WEBHOOK_ACTION_PATH } from './action-fields.js';
import type { ActionRequest } from './action-request.js';
import { parseActionRequest, parseWebhookAction } from './action-request.js';
import type { SendSmsActionDeps } from './send-sms-action.js';
import { runSendSmsAction } from './send-sms-action.js';
import { verifyHubSpotSignature } from './signature.js';

export interface WorkflowRoutesDeps extends SendSmsActionDeps {
  clock: Clock;
  logger: Logger;
  /** HUBSPOT_CLIENT_SECRET: signs custom workflow action requests. Absent: the action endpoint answers 503. */
  clientSecret: string | undefined;
  /** HUBSPOT_WEBHOOK_SECRET: the shared secret of "Send a webhook" actions. Absent: that endpoint answers 503. */
  webhookSecret: string | undefined;
  /** PUBLIC_URL: signatures cover the full URL HubSpot called; else it is rebuilt from the request. */
  publicUrl: string | undefined;
}

const BODY_LIMIT = '256kb';
/** Where a "Send a webhook" action may put the shared secret (its "API key" authentication). */
export const WEBHOOK_SECRET_HEADER = 'x-smsbridge-secret';
export const WEBHOOK_SECRET_QUERY = 'secret';

function fullUrl(req: Request, publicUrl: string | undefined): string {
  // Without PUBLIC_URL: the URL as a TLS-terminating proxy on this host says it was called.
  const loopback = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? '');
  const forwarded = loopback ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() : '';
  const base = publicUrl ?? `${forwarded === 'https' ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
  return `${base.replace(/\/$/, '')}${req.originalUrl}`;
}

function headersOf(req: Request): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(req.headers)) headers[key] = Array.isArray(value) ? value.join(',') : value;
  return headers;
}

function rawText(req: Request): string {
  return Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ZodError([{ code: 'custom', path: [], message: 'the body is not valid JSON', input: raw.slice(0, 40) }]);
  }
}

function sameSecret(given: string | undefined, expected: string): boolean {
  // Hashing first gives equal lengths, so the compare is constant-time whatever was sent.
  const a = createHash('sha256').update(given ?? '').digest();
  const b = createHash('sha256').update(expected).digest();
  return given !== undefined && timingSafeEqual(a, b);
}

/** Bad input is the caller's (4xx, with what was wrong); anything else is ours (500, retried by HubSpot). */
function fail(res: Response, logger: Logger, error: unknown): void {
  if (error instanceof ZodError) {
    res.status(400).json({ error: 'The request is not a valid workflow action request.', details: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) });
    return;
  }
  logger.error({ error: isAppError(error) ? maskPhonesInText(error.message) : error }, 'workflow action failed');
  res.status(500).json({ error: 'The message could not be queued; HubSpot will retry.' });
}

/**
 * `POST /hubspot/workflow-actions/send-sms` (the "Send SMS" custom workflow action) and
 * `POST /hubspot/webhook-action/send-sms` (HubSpot's generic "Send a webhook" action). The body is
 * read raw and the request authenticated BEFORE it is parsed: a HubSpot signature (v3 when its headers
 * are present, else v2) or the shared secret. 401 when that fails, 400 for a malformed request,
 * never a 5xx for bad input.
 */
export function workflowRoutes(deps: WorkflowRoutesDeps): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: BODY_LIMIT });
  const inFlight = new Map<string, Promise<ActionOutput>>();

  router.post(SEND_SMS_ACTION_PATH, raw, async (req, res) => {
    if (!deps.clientSecret) {
      res.status(503).json({ error: 'HUBSPOT_CLIENT_SECRET is not set, so HubSpot requests cannot be verified.' });
      return;
    }
    const rawBody = rawText(req);
    const check = verifyHubSpotSignature({ method: req.method, url: fullUrl(req, deps.publicUrl), headers: headersOf(req), rawBody }, deps.clientSecret, deps.clock.now());
    if (!check.ok) {
      deps.logger.warn({ version: check.version, reason: check.reason }, 'HubSpot workflow action refused: bad signature');
      res.status(401).json({ error: check.reason === 'stale' ? 'The request timestamp is more than 5 minutes off.' : 'Missing or wrong HubSpot signature.' });
      return;
    }
    let request: ActionRequest;
    try {
      request = parseActionRequest(parseJson(rawBody));
    } catch (error) {
      fail(res, deps.logger, error);
      return;
    }
    try {
      // Two deliveries of one callbackId at once share one run (the store record covers later ones).
      const key = `${request.portalId}:${request.callbackId}`;
      let run = inFlight.get(key);
      if (!run) {
        run = runSendSmsAction(request, deps).finally(() => inFlight.delete(key));
        inFlight.set(key, run);
      }
      res.status(200).json({ outputFields: await run });
    } catch (error) {
      fail(res, deps.logger, error);
    }
  });

  router.post(WEBHOOK_ACTION_PATH, raw, async (req, res) => {
    if (!deps.webhookSecret) {
      res.status(503).json({ error: 'HUBSPOT_WEBHOOK_SECRET is not set, so webhook actions cannot be authenticated.' });
      return;
    }
    const query = Object.fromEntries(new URL(req.originalUrl, 'http://x').searchParams);
    const given = req.get(WEBHOOK_SECRET_HEADER) ?? query[WEBHOOK_SECRET_QUERY];
    if (!sameSecret(given, deps.webhookSecret)) {
      deps.logger.warn({}, 'HubSpot webhook action refused: missing or wrong shared secret');
      res.status(401).json({ error: `Missing or wrong shared secret (header ${WEBHOOK_SECRET_HEADER} or query parameter ${WEBHOOK_SECRET_QUERY}).` });
      return;
    }
    const rawBody = rawText(req);
    try {
      const parsed = parseWebhookAction(parseJson(rawBody), query);
      // The webhook action carries no id: one send per identical request per day guards against HubSpot's retries.
      const day = deps.clock.now().toISOString().slice(0, 10);
      const callbackId = `webhook-${day}-${createHash('sha256').update(`${req.path}\n${JSON.stringify(query)}\n${rawBody}`).digest('hex').slice(0, 32)}`;
      const output = await runSendSmsAction({
        callbackId, portalId: 'webhook', objectId: parsed.objectId ?? '', properties: parsed.properties,
        message: parsed.message, kind: parsed.kind, sender: parsed.sender, waitForDelivery: false,
      }, deps);
      const ok = output.hs_execution_state !== 'FAIL_CONTINUE';
      res.status(ok ? 202 : 409).json({ status: output.status, messageId: output.messageId, ...(output.reason ? { reason: output.reason } : {}) });
    } catch (error) {
      fail(res, deps.logger, error);
    }
  });
  return router;
}
