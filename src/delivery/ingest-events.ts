import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { InboundRecord } from '../campaigns/report.js';
import { recordConsent } from '../consent/record-consent.js';
import { messageLanguage } from '../messages/compliance/index.js';
import { countSegments } from '../messages/encoding.js';
import type { Store } from '../store/port.js';
import type { GatewayEvent, InboundEvent, SmsGateway, StatusEvent } from './gateway.js';
import type { KeywordReplies } from './keywords.js';
import { DEFAULT_REPLIES, classifyInbound, replyFor } from './keywords.js';
import type { OutboxMessage } from './outbox.js';
import { applyStatusEvent, dedupeEvents } from './status-events.js';

export interface IngestDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  newId(): string;
  gateway(name: string): SmsGateway;
  replies?: KeywordReplies;
}

export interface IngestResult {
  applied: number;
  stale: number;
  /** Receipts for messages we cannot find (yet): kept, and matched again later. */
  unmatched: StatusEvent[];
  inbound: number;
}

const ORPHANS_KEPT = 10_000;

/**
 * Applies a batch of gateway events to the store in one pass: receipts move messages forward only,
 * duplicates are dropped by key, receipts for unknown messages are kept for a later match, and inbound
 * messages become replies or consent changes (STOP/START/HELP in English and Russian, with one
 * confirmation each), linked to the last message sent to that number.
 */
export class EventIngestor {
  private readonly seen = new Set<string>();
  private orphans: StatusEvent[] = [];

  constructor(private readonly deps: IngestDeps) {}

  async ingest(events: readonly GatewayEvent[]): Promise<IngestResult> {
    if (this.seen.size > 200_000) this.seen.clear();
    // Keys are marked seen only once their event is handled: a batch that fails part-way (a store
    // error) is read again from the inbox, and its unhandled events must not pass for duplicates.
    const fresh = dedupeEvents(events.filter((e) => !this.seen.has(e.key)), new Set());
    const received = fresh.filter((e): e is StatusEvent => e.type === 'status');
    // On failure the orphans stay as they were (nothing was written) and the receipts stay unseen.
    const result = await this.applyStatuses([...this.orphans, ...received]);
    this.orphans = result.unmatched.slice(-ORPHANS_KEPT);
    for (const event of received) this.seen.add(event.key);
    // Inbound keys are also kept with their records in the store: a replay after a restart is recognised.
    const handled = await this.deps.store.inbound.seenKeys(fresh.filter((e) => e.type === 'inbound').map((e) => e.key));
    for (const event of fresh) {
      if (event.type !== 'inbound') continue;
      if (!handled.has(event.key)) await this.handleInbound(event);
      this.seen.add(event.key);
    }
    result.inbound = fresh.length - received.length;
    return result;
  }

  /** Receipts waiting for their message (a receipt can overtake the send result). */
  pendingOrphans(): number {
    return this.orphans.length;
  }

  private async applyStatuses(events: StatusEvent[]): Promise<IngestResult> {
    const result: IngestResult = { applied: 0, stale: 0, unmatched: [], inbound: 0 };
    if (events.length === 0) return result;
    const { outbox } = this.deps.store;
    const byOurId = await outbox.getMany(events.flatMap((e) => (e.messageId ? [e.messageId] : [])));
    const byProvider = new Map<string, OutboxMessage>();
    for (const gateway of new Set(events.map((e) => e.gateway))) {
      const ids = events.filter((e) => e.gateway === gateway && !(e.messageId && byOurId.has(e.messageId))).map((e) => e.providerMessageId);
      for (const [providerId, row] of await outbox.getByProviderIds(gateway, ids)) byProvider.set(`${gateway}\n${providerId}`, row);
    }
    const now = this.deps.clock.now().toISOString();
    const changed = new Map<string, OutboxMessage>();
    for (const event of events) {
      const stored = (event.messageId ? byOurId.get(event.messageId) : undefined) ?? byProvider.get(`${event.gateway}\n${event.providerMessageId}`);
      const row = stored && (changed.get(stored.id) ?? stored);
      const applied = applyStatusEvent(row, event, now);
      if (applied.outcome === 'applied') {
        changed.set(applied.row.id, { ...applied.row, providerMessageId: applied.row.providerMessageId ?? event.providerMessageId });
        result.applied += 1;
      } else if (applied.outcome === 'stale') result.stale += 1;
      else result.unmatched.push(event);
    }
    await outbox.updateMany([...changed.values()]);
    // A receipt can be the first word of an opt-out (Vonage err-code 9): record it as the carrier's.
    for (const row of changed.values()) {
      if (row.errorCode !== 'opted_out' || row.contactId.includes(':')) continue;
      await recordConsent(
        { contactId: row.contactId, status: 'opted_out', scope: 'all', origin: 'carrier', source: `${row.gateway} receipt: recipient opted out`, evidence: `${row.gateway}:${row.providerMessageId ?? row.id}` },
        { store: this.deps.store, clock: this.deps.clock, newId: () => this.deps.newId() },
      );
    }
    return result;
  }

  private async handleInbound(event: InboundEvent): Promise<void> {
    const { store } = this.deps;
    const intent = classifyInbound(event.text);
    const contact = (await store.contacts.getByPhones([event.from])).get(event.from);
    const last = await store.outbox.lastToPhone(event.from);
    const record: InboundRecord = {
      id: this.deps.newId(), at: event.at, from: event.from, text: event.text,
      kind: intent === 'stop' ? 'opt_out' : intent === 'start' ? 'opt_in' : intent === 'help' ? 'help' : 'reply',
      ...(contact ? { contactId: contact.id } : {}),
      ...(last ? { campaignId: last.campaignId, messageId: last.id, variant: last.variant } : {}),
      key: event.key,
    };
    await store.inbound.append([record]);
    if (intent === 'other') return;
    if (contact && intent !== 'help') {
      const change = await recordConsent(
        { contactId: contact.id, status: intent === 'stop' ? 'opted_out' : 'opted_in', scope: intent === 'stop' ? 'all' : 'marketing', origin: 'recipient', source: `sms reply "${event.text.slice(0, 40)}"`, evidence: `${event.gateway}:${event.providerMessageId}` },
        { store, clock: this.deps.clock, newId: () => this.deps.newId() },
      );
      // One confirmation per change: a repeated STOP is not answered again.
      if (!change.changed) return;
    }
    const text = replyFor(intent, messageLanguage(event.text, event.from), this.deps.replies ?? DEFAULT_REPLIES);
    const sender = last?.sender ?? event.to;
    const { encoding, segments } = countSegments(text);
    // The keyword is already recorded: a confirmation that cannot be sent (even one whose send throws)
    // is logged, and neither aborts the rest of the batch nor gets the inbound handled a second time.
    try {
      const result = await this.deps.gateway(event.gateway).send({ messageId: this.deps.newId(), to: event.from, from: sender, text, encoding, segments });
      if (!result.ok) this.deps.logger.warn({ code: result.error.code, intent }, 'could not send the keyword confirmation');
    } catch (error) {
      this.deps.logger.warn({ error, intent }, 'could not send the keyword confirmation');
    }
  }
}
