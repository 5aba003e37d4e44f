import type { OutboxMessage } from '../delivery/outbox.js';
import type { Store } from '../store/port.js';

/**
 * Writes a campaign's plan, given as slices while it is made: streamed in one transaction by a store
 * that can (OutboxRepository.insertPlan, PostgreSQL), else gathered and handed to insertMany at once
 * (an embedded store holds its outbox in memory anyway, and writes a large plan as one snapshot).
 * Either way nothing is written when the slices throw.
 */
export async function insertPlan(store: Store, slices: AsyncIterable<readonly OutboxMessage[]>): Promise<void> {
  if (store.outbox.insertPlan) {
    await store.outbox.insertPlan(slices);
    return;
  }
  const rows: OutboxMessage[] = [];
  for await (const slice of slices) for (const row of slice) rows.push(row);
  await store.outbox.insertMany(rows);
}
