import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import { checkSlackSignature } from './signature.js';

/** Slack's payloads are small; anything bigger is not from Slack. */
const BODY_LIMIT = 256 * 1024;

export type SlackRequestKind = 'command' | 'interaction' | 'event' | 'url_verification' | 'ssl_check';

/**
 * What kind of Slack request a verified body is, or why it is none. Bolt would leave an unknown body
 * unanswered for three seconds and then 404; this answers at once.
 */
export function classifySlackBody(rawBody: string, contentType: string): { kind: SlackRequestKind } | { error: string } {
  if (contentType === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(rawBody);
    const payload = form.get('payload');
    if (payload !== null) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(payload);
      } catch {
        return { error: 'The payload field is not JSON.' };
      }
      const body = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { type?: unknown; actions?: unknown; user?: { id?: unknown } };
      if (body.type !== 'block_actions') return { error: 'Only block_actions interactions are handled here.' };
      const actions = Array.isArray(body.actions) ? body.actions : [];
      const wellFormed = actions.length > 0 && actions.every((a: unknown) => typeof (a as { action_id?: unknown } | null)?.action_id === 'string') && typeof body.user?.id === 'string';
      return wellFormed ? { kind: 'interaction' } : { error: 'A block_actions payload needs a user and actions with action_id.' };
    }
    if (form.get('ssl_check') === '1') return { kind: 'ssl_check' };
    const command = form.get('command');
    if (command && command.startsWith('/') && form.get('user_id') && form.get('channel_id')) return { kind: 'command' };
    return { error: 'Not a slash command: command, user_id and channel_id are required.' };
  }
  if (contentType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      return { error: 'The body is not JSON.' };
    }
    if (typeof parsed !== 'object' || parsed === null) return { error: 'The body is not a JSON object.' };
    const body = parsed as { type?: unknown; event?: { type?: unknown } };
    if (body.type === 'url_verification') return { kind: 'url_verification' };
    if (body.type === 'event_callback' && typeof body.event?.type === 'string') return { kind: 'event' };
    return { error: 'Not an Events API request: expected type event_callback with an event.' };
  }
  return { error: 'Content-Type must be application/x-www-form-urlencoded or application/json.' };
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > BODY_LIMIT ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * In front of bolt's receiver on POST /slack/events: reads the body once, verifies the v0 signature with
 * the service's clock (401), refuses what is not a Slack request (400, 413), and hands bolt the raw
 * body (`req.rawBody`, which its receiver reads instead of the stream) with the media type bolt
 * compares exactly (a `; charset=utf-8` suffix would make bolt answer 400).
 */
export function slackRequestGuard(options: { signingSecret: string; clock: Clock; logger: Logger; isReady(): boolean }) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const refuse = (status: number, error: string): void => {
      options.logger.warn({ status, error }, 'refused a request to /slack/events');
      res.status(status).json({ error });
    };
    let body: Buffer | 'too_large';
    try {
      body = await readBody(req);
    } catch {
      refuse(400, 'Could not read the request body.');
      return;
    }
    if (body === 'too_large') return refuse(413, `The body is over ${BODY_LIMIT / 1024} KB.`);
    const rawBody = body.toString('utf8');
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const check = checkSlackSignature({ signingSecret: options.signingSecret, rawBody, timestamp: header('x-slack-request-timestamp'), signature: header('x-slack-signature'), now: options.clock.now() });
    if (check !== 'ok') {
      return refuse(401, check === 'stale' ? 'The request timestamp is outside the five-minute window.' : 'Missing or wrong X-Slack-Signature.');
    }
    const mediaType = (header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const kind = classifySlackBody(rawBody, mediaType);
    if ('error' in kind) return refuse(400, kind.error);
    // bolt could not start (auth.test refused the token): say so instead of failing inside bolt.
    if (!options.isReady()) return refuse(503, 'The Slack integration is not ready: check SLACK_BOT_TOKEN and the service log.');
    req.headers['content-type'] = mediaType;
    (req as Request & { rawBody?: Buffer }).rawBody = body;
    next();
  };
}
