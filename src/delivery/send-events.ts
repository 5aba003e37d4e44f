import type { StatusEvent } from './gateway.js';
import type { OutboxMessage } from './outbox.js';

/**
 * What the dispatcher's own results mean to the event sinks: a message the gateway accepted
 * (`submitted`) or refused for good (`rejected`, `failed`) produces no receipt of its own, so sinks that
 * log or wait for messages (the CRM timeline, workflow callbacks) are told here. These events go only to
 * the sinks: the store already holds the rows. Rows queued for a retry or left `unknown` say nothing yet.
 */
export function sendResultEvents(rows: readonly OutboxMessage[]): StatusEvent[] {
  const events: StatusEvent[] = [];
  for (const row of rows) {
    if (row.test || (row.status !== 'submitted' && row.status !== 'rejected' && row.status !== 'failed')) continue;
    events.push({
      type: 'status', gateway: row.gateway, providerMessageId: row.providerMessageId ?? '', messageId: row.id, status: row.status,
      ...(row.errorCode ? { errorCode: row.errorCode } : {}), ...(row.providerCode ? { providerCode: row.providerCode } : {}),
      at: (row.status === 'submitted' ? row.submittedAt : row.finalAt) ?? row.updatedAt, key: `${row.id}:sent:${row.status}`,
    });
  }
  return events;
}
