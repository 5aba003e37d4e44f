import type { AppContext } from '../../app.js';
import { maskPhone } from '../../common/mask.js';
import { compileTemplate } from '../../messages/template.js';
import type { IdempotencyRecord } from '../../store/port.js';
import { checkRoute } from './campaigns.js';
import { fingerprint, KeyedMutex } from './idempotency.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { e164, idempotencyHeaders, messageBody, parseInput } from './schemas.js';

interface Answer {
  status: number;
  body: unknown;
}

/** A key whose campaign was created but not yet answered (the process stopped in between): a retry finishes it. */
const PENDING = 0;
const REUSED: Answer = { status: 422, body: { error: 'Idempotency-Key reused with different parameters' } };

export interface OneMessage {
  to: string;
  text: string;
  sender: string;
  gateway: string;
  variables: Record<string, string>;
}

/** Starts the one-recipient campaign (if not yet) and describes its message. */
async function startOne(app: AppContext, campaignId: string): Promise<Answer> {
  let campaign = await app.campaigns.get(campaignId);
  // One recipient is below any test-send threshold; a transactional notice has no test send.
  if (campaign.status === 'draft') campaign = await app.campaigns.start(campaignId, { skipTestSendCheck: true });
  const [row] = await app.store.outbox.listByCampaign(campaignId, { limit: 1 });
  if (!row) {
    return { status: 409, body: { error: 'The recipient cannot receive this message.', details: { id: campaignId, excluded: campaign.planned?.excluded ?? {} } } };
  }
  return { status: 202, body: { id: campaignId, messageId: row.id, status: row.status } };
}

/**
 * Stripe's model: the first answer per key is stored and replayed; the same key with other
 * parameters is a 422. The campaign is created and the key recorded (durably) before anything can be
 * sent, so no crash between the two can make a retry send twice.
 */
export async function sendOnce(app: AppContext, key: string, print: string, message: OneMessage): Promise<Answer & { replayed: boolean }> {
  const found = await app.store.idempotency.get(key);
  // A key past IDEMPOTENCY_TTL_HOURS is forgotten: its request counts as new (as Stripe's keys expire).
  let record = found && found.at >= expiredBefore(app) ? found : undefined;
  if (record && record.fingerprint !== print) return { ...REUSED, replayed: false };
  if (record && record.status !== PENDING) return { status: record.status, body: record.body, replayed: true };
  if (!record) {
    const created = await app.campaigns.create({
      name: `message to ${maskPhone(message.to)}`, kind: 'transactional', audience: { phones: [message.to] }, variants: [{ name: 'A', text: message.text, weight: 1 }],
      campaignVariables: message.variables, sender: message.sender, gateway: message.gateway, schedule: { type: 'now' },
    });
    record = { id: key, fingerprint: print, status: PENDING, body: { campaignId: created.id }, at: app.clock.now().toISOString() } satisfies IdempotencyRecord;
    await app.store.idempotency.put(record);
    await app.store.flush();
  }
  const answer = await startOne(app, (record.body as { campaignId: string }).campaignId);
  await app.store.idempotency.put({ ...record, status: answer.status, body: answer.body });
  await app.store.flush();
  return { ...answer, replayed: false };
}

/** Records first answered before this time (ISO) have expired. */
function expiredBefore(app: AppContext): string {
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
        202: '{ id (campaign), messageId, status }; a replay carries Idempotent-Replayed: true', 400: 'Missing key, invalid body, number, sender, gateway or variables',
        409: 'The recipient cannot receive it (opted out of everything)', 422: 'Idempotency-Key reused with different parameters',
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
