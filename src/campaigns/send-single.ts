import type { Clock } from '../common/clock.js';
import { maskPhone } from '../common/mask.js';
import type { MessageKind } from '../messages/compliance/index.js';
import type { IdempotencyRecord, Store } from '../store/port.js';
import type { CampaignService } from './campaign-service.js';

/** One message to one number: a one-recipient campaign, planned like any other (consent, quiet hours, footer). */
export interface SingleMessage {
  to: string;
  text: string;
  sender: string;
  gateway: string;
  kind: MessageKind;
  variables: Record<string, string>;
  /** The campaign's name in reports; default "message to +7912***6789". */
  name?: string;
  /** Runs once the campaign exists and before it can send (to record what must follow its receipts). */
  beforeStart?(campaignId: string): Promise<void>;
}

export interface SingleAnswer {
  /** 202 queued; 409 the recipient cannot receive it (`body.details.excluded` says why) or the key's first request is still running; 422 key reused. */
  status: number;
  body: unknown;
  /** True when this is the stored answer of an earlier request with the same key. */
  replayed: boolean;
}

export interface SendSingleDeps {
  campaigns: CampaignService;
  store: Store;
  clock: Clock;
  /** ISO time: a key first answered before it has expired and counts as new (as Stripe's keys expire). */
  expiredBefore?: string;
}

/** A key whose campaign was created but not yet answered (the process stopped in between): a retry finishes it. */
const PENDING = 0;

/** Starts the one-recipient campaign (if not yet) and describes its message. */
async function startOne(deps: SendSingleDeps, campaignId: string): Promise<Omit<SingleAnswer, 'replayed'>> {
  let campaign = await deps.campaigns.get(campaignId);
  // One recipient is below any test-send threshold; a transactional notice has no test send.
  if (campaign.status === 'draft') campaign = await deps.campaigns.start(campaignId, { skipTestSendCheck: true });
  const [row] = await deps.store.outbox.listByCampaign(campaignId, { limit: 1 });
  if (!row) {
    return { status: 409, body: { error: 'The recipient cannot receive this message.', details: { id: campaignId, excluded: campaign.planned?.excluded ?? {} } } };
  }
  return { status: 202, body: { id: campaignId, messageId: row.id, status: row.status } };
}

const REUSED: SingleAnswer = { status: 422, body: { error: 'Idempotency-Key reused with different parameters' }, replayed: false };
const IN_PROGRESS: SingleAnswer = { status: 409, body: { error: 'A request with this Idempotency-Key is in progress; retry it shortly to get its answer.' }, replayed: false };

/**
 * Sends one message at most once per key (Stripe's model): the first answer per key is stored and
 * replayed; the same key with another fingerprint is a 422. The campaign is created (a draft, which
 * sends nothing) and the key recorded (durably) before anything can be sent, so no crash between the
 * two can make a retry send twice. The key is recorded only if absent (atomic in the store), so of two
 * requests with one key at the same moment, on one instance or two, one sends and the other is told
 * it is in progress (409); callers on one instance also serialise per key (KeyedMutex).
 */
export async function sendSingleOnce(deps: SendSingleDeps, key: string, fingerprint: string, message: SingleMessage): Promise<SingleAnswer> {
  const found = await deps.store.idempotency.get(key);
  const expired = found !== undefined && deps.expiredBefore !== undefined && found.at < deps.expiredBefore;
  let record = expired ? undefined : found;
  if (record && record.fingerprint !== fingerprint) return REUSED;
  if (record && record.status !== PENDING) return { status: record.status, body: record.body, replayed: true };
  if (!record) {
    if (expired) await deps.store.idempotency.deleteBefore(deps.expiredBefore as string);
    const created = await deps.campaigns.create({
      name: message.name ?? `message to ${maskPhone(message.to)}`, kind: message.kind, audience: { phones: [message.to] }, variants: [{ name: 'A', text: message.text, weight: 1 }],
      campaignVariables: message.variables, sender: message.sender, gateway: message.gateway, schedule: { type: 'now' }, source: 'message',
    });
    const pending = { id: key, fingerprint, status: PENDING, body: { campaignId: created.id }, at: deps.clock.now().toISOString() } satisfies IdempotencyRecord;
    if (!(await deps.store.idempotency.putIfAbsent(pending))) {
      // Another request took the key first: its campaign is the one that sends; this draft goes.
      await deps.store.campaigns.delete(created.id);
      await deps.store.flush();
      const first = await deps.store.idempotency.get(key);
      if (first && first.fingerprint !== fingerprint) return REUSED;
      return first && first.status !== PENDING ? { status: first.status, body: first.body, replayed: true } : IN_PROGRESS;
    }
    record = pending;
    await message.beforeStart?.(created.id);
    await deps.store.flush();
  }
  const answer = await startOne(deps, (record.body as { campaignId: string }).campaignId);
  await deps.store.idempotency.put({ ...record, status: answer.status, body: answer.body });
  await deps.store.flush();
  return { ...answer, replayed: false };
}
