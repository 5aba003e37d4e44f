import type { Clock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import type { Contact } from '../../src/contacts/contact.js';
import type { InboundEvent, StatusEvent } from '../../src/delivery/gateway.js';
import { classifyInbound } from '../../src/delivery/keywords.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import type { EventSink } from '../../src/delivery/sinks.js';
import type { Store } from '../../src/store/port.js';
import { getActionRecords } from './action-records.js';
import type { CommunicationIndex } from './communication-index.js';
import { messageViews } from './message-views.js';
import type { HubSpotWrites, NewCommunication } from './writes.js';
import { PartialBatchError } from './writes.js';

export interface TimelineSinkDeps {
  store: Store;
  writes: HubSpotWrites;
  index: CommunicationIndex;
  clock: Clock;
  logger: Logger;
  /** HUBSPOT_CONSENT_PROPERTY: the contact property SMS consent is kept in (default sms_consent). */
  consentProperty?: string;
  /** `Contact.crm.system` of HubSpot contacts (set by the sync). */
  system?: string;
}

const STATUS_LABEL: Record<string, string> = {
  queued: 'queued', sending: 'sending', submitted: 'sent', delivered: 'delivered', undelivered: 'not delivered',
  failed: 'failed', expired: 'expired', rejected: 'rejected by the gateway', canceled: 'canceled', unknown: 'outcome unknown',
};

/** The communication's text: the status first (it is what changes), then the message as sent. */
export function outboundBody(row: OutboxMessage): string {
  const code = row.status !== 'delivered' && row.errorCode ? ` (${row.errorCode})` : '';
  return `Outgoing SMS, ${STATUS_LABEL[row.status] ?? row.status}${code}, from ${row.sender}:\n${row.text}`;
}

export function inboundBody(event: InboundEvent): string {
  const intent = classifyInbound(event.text);
  const what = intent === 'stop' ? 'reply (opt-out)' : intent === 'start' ? 'reply (opt-in)' : intent === 'help' ? 'reply (help)' : 'reply';
  return `Incoming SMS ${what}:\n${event.text}`;
}

type ConsentValue = 'opted_in' | 'opted_out';

/**
 * Writes SMS activity to HubSpot: every message (at its send, then as receipts move it) and every reply
 * as a Communication on the contact's timeline, `sms_last_status` with each message's newest status,
 * and the consent property (`sms_consent`) with `sms_consent_updated_at` on STOP and START replies and carrier opt-outs. One
 * batch call per 100 of each kind. Events are handled in order, and a batch handled twice writes
 * nothing twice (created entries are remembered in the index; updates repeat harmlessly). Messages to
 * numbers that are not HubSpot contacts are skipped.
 */
export function createTimelineSink(deps: TimelineSinkDeps): EventSink {
  const system = deps.system ?? 'hubspot';
  const consentProperty = deps.consentProperty ?? 'sms_consent';
  const hubspotId = (contact: Contact | undefined): string | undefined => (contact?.crm?.system === system ? contact.crm.id : undefined);

  return {
    name: 'hubspot-timeline',
    async handle(events) {
      const now = deps.clock.now().toISOString();
      const rows = await messageViews(deps.store, events.filter((e): e is StatusEvent => e.type === 'status'), now);
      const seenReplies = new Set<string>();
      const replies = events.filter((e): e is InboundEvent => e.type === 'inbound' && !seenReplies.has(e.key) && Boolean(seenReplies.add(e.key)));
      const contacts = await deps.store.contacts.getMany(rows.map((row) => row.contactId));
      const byPhone = await deps.store.contacts.getByPhones(replies.map((event) => event.from));
      const actions = await getActionRecords(deps.store, rows.map((row) => row.campaignId));
      const rowTarget = (row: OutboxMessage): string | undefined => hubspotId(contacts.get(row.contactId)) ?? (actions.get(row.campaignId)?.objectId || undefined);

      const known = deps.index.get([...rows.map((row) => row.id), ...replies.map((event) => `in:${event.key}`)]);
      const creates: NewCommunication[] = [];
      const updates: Array<{ id: string; body: string }> = [];
      const properties = new Map<string, Record<string, string>>();
      const setProperties = (contactId: string, values: Record<string, string>): void => {
        properties.set(contactId, { ...properties.get(contactId), ...values });
      };
      const setConsent = (contactId: string, value: ConsentValue, at: string): void => setProperties(contactId, { [consentProperty]: value, sms_consent_updated_at: at });

      for (const row of rows) {
        const target = rowTarget(row);
        if (!target) continue;
        const existing = known.get(row.id);
        if (existing) updates.push({ id: existing, body: outboundBody(row) });
        else creates.push({ key: row.id, contactId: target, body: outboundBody(row), timestamp: row.submittedAt ?? row.createdAt });
        setProperties(target, { sms_last_status: row.status });
        if (row.errorCode === 'opted_out') setConsent(target, 'opted_out', row.finalAt ?? row.updatedAt);
      }
      for (const event of replies) {
        const target = hubspotId(byPhone.get(event.from));
        if (!target) continue;
        const key = `in:${event.key}`;
        if (!known.has(key)) creates.push({ key, contactId: target, body: inboundBody(event), timestamp: event.at });
        // The ledger records every STOP as an opt-out and every START as an opt-in (ingest-events.ts).
        const intent = classifyInbound(event.text);
        if (intent === 'stop') setConsent(target, 'opted_out', event.at);
        else if (intent === 'start') setConsent(target, 'opted_in', event.at);
      }

      try {
        if (creates.length > 0) await deps.index.put(await deps.writes.createCommunications(creates));
      } catch (error) {
        // Keep what was created, so the retry creates only the rest.
        if (error instanceof PartialBatchError) await deps.index.put(error.done);
        throw error;
      }
      if (updates.length > 0) await deps.writes.updateCommunications(updates);
      if (properties.size > 0) await deps.writes.updateContacts([...properties].map(([id, values]) => ({ id, properties: values })));
      if (creates.length + updates.length + properties.size > 0) {
        deps.logger.debug({ created: creates.length, updated: updates.length, contacts: properties.size }, 'wrote SMS activity to HubSpot');
      }
    },
  };
}
