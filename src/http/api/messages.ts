import type { AppContext } from '../../app.js';
import type { SingleAnswer } from '../../campaigns/send-single.js';
import { sendSingleOnce } from '../../campaigns/send-single.js';
import { compileTemplate } from '../../messages/template.js';
import { checkRoute } from './campaigns.js';
import { fingerprint, KeyedMutex } from './idempotency.js';
import { messageAcceptedResponse } from './responses.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { e164, idempotencyHeaders, messageBody, parseInput } from './schemas.js';

export interface OneMessage {
  to: string;
  text: string;
  sender: string;
  gateway: string;
  variables: Record<string, string>;
}

/**
 * Stripe's model: the first answer per key is stored and replayed; the same key with other
 * parameters is a 422. The campaign is created and the key recorded (durably) before anything can be
 * sent, so no crash between the two can make a retry send twice (see sendSingleOnce).
 */
export async function sendOnce(app: AppContext, key: string, print: string, message: OneMessage): Promise<SingleAnswer> {
  return sendSingleOnce({ campaigns: app.campaigns, store: app.store, clock: app.clock, expiredBefore: expiredBefore(app) }, key, print, { ...message, kind: 'transactional' });
}

/** Records first answered before this time (ISO) have expired. */
export function expiredBefore(app: AppContext): string {
  return new Date(app.clock.now().getTime() - app.config.IDEMPOTENCY_TTL_HOURS * HOUR_MS).toISOString();
}

const HOUR_MS = 3_600_000;

/** Deletes expired keys at most once an hour, on the request path: the store never keeps them for ever. */
function keyPruner(app: AppContext): () => Promise<void> {
  let last = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = app.clock.now().getTime();
    if (now - last < HOUR_MS) return;
    last = now;
    await app.store.idempotency.deleteBefore(expiredBefore(app));
  };
}

export function messageRoutes({ app }: ApiDeps): ApiRoute[] {
  const keys = new KeyedMutex();
  const prune = keyPruner(app);
  return [
    {
      method: 'post', path: '/messages', tag: 'messages', summary: 'Send one transactional SMS; retries with the same Idempotency-Key get the first answer and send nothing new.', body: messageBody,
      headers: [{ name: 'Idempotency-Key', required: true, description: 'A unique key per message (1–200 characters), kept IDEMPOTENCY_TTL_HOURS (default 24 h).', schema: { type: 'string', minLength: 1, maxLength: 200 } }],
      responses: {
        202: { description: 'Accepted for sending', schema: messageAcceptedResponse, headers: { 'Idempotent-Replayed': { description: '`true` when this is the stored answer to an earlier request with the same key', schema: { type: 'string', enum: ['true'] } } } },
        400: 'Missing key, invalid body, number, sender, gateway or variables',
        409: 'The recipient cannot receive it (opted out of everything), or the first request with this key is still in progress (retry it)', 422: 'Idempotency-Key reused with different parameters',
      },
      handle: async (req, res) => {
        const key = parseInput(idempotencyHeaders, req.headers, 'headers')['idempotency-key'];
        const body = parseInput(messageBody, req.body, 'body');
        const to = e164(body.to, app.config.DEFAULT_COUNTRY).e164;
        const route = checkRoute(app, body.sender, body.gateway);
        // Everything that can be wrong with the request fails here, before a key is recorded (as Stripe: validation errors are not stored).
        compileTemplate(body.text, { campaignVariables: Object.keys(body.variables) });
        await prune();
        const answer = await keys.run(key, () => sendOnce(app, key, fingerprint(req.body), { to, text: body.text, variables: body.variables, ...route }));
        if (answer.replayed) res.set('Idempotent-Replayed', 'true');
        res.status(answer.status).json(answer.body);
      },
    },
  ];
}
