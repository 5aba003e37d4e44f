import type { StatusEvent } from '../../src/delivery/gateway.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { applyStatusEvent } from '../../src/delivery/status-events.js';
import type { Store } from '../../src/store/port.js';

/**
 * The messages a batch of status events is about, each as its newest known state: the stored row with
 * the batch's events applied (forward only), since a sink may read an event before the engine has
 * applied it to the store. In order of first mention; test sends and unknown messages left out.
 */
export async function messageViews(store: Store, events: readonly StatusEvent[], now: string): Promise<OutboxMessage[]> {
  const byId = await store.outbox.getMany(events.flatMap((event) => (event.messageId ? [event.messageId] : [])));
  const byProvider = new Map<string, OutboxMessage>();
  for (const gateway of new Set(events.map((event) => event.gateway))) {
    const ids = events.filter((event) => event.gateway === gateway && !(event.messageId && byId.has(event.messageId)) && event.providerMessageId).map((event) => event.providerMessageId);
    if (ids.length === 0) continue;
    for (const [providerId, row] of await store.outbox.getByProviderIds(gateway, ids)) byProvider.set(`${gateway}\n${providerId}`, row);
  }
  const views = new Map<string, OutboxMessage>();
  for (const event of events) {
    const stored = (event.messageId ? byId.get(event.messageId) : undefined) ?? byProvider.get(`${event.gateway}\n${event.providerMessageId}`);
    if (!stored || stored.test) continue;
    const current = views.get(stored.id) ?? stored;
    const applied = applyStatusEvent(current, event, now);
    views.set(stored.id, applied.outcome === 'applied' ? applied.row : current);
  }
  return [...views.values()];
}
