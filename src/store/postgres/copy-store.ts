import type { StoreExport } from '../lowdb/lowdb-store.js';
import type { NamedRepository, RecordRepository } from '../port.js';
import { chunks } from './batches.js';
import type { PostgresStore } from './postgres-store.js';

export interface CopyCount {
  collection: string;
  source: number;
  target: number;
}

/** Items per write while copying: each is one transaction, so an interrupted copy keeps what it wrote. */
const BATCH = 5000;

/**
 * Copies an embedded store's content into PostgreSQL. Every write is an upsert by id (ledger entries
 * and inbound records already there are skipped), so running it again after an interruption continues
 * where it stopped and never doubles anything. Returns, per collection, the rows in the source and in
 * the target afterwards.
 */
export async function copyStore(source: StoreExport, target: PostgresStore, progress: (collection: string, done: number, total: number) => void = () => undefined): Promise<CopyCount[]> {
  const step = async <T>(collection: string, items: readonly T[], write: (batch: T[]) => Promise<void>): Promise<void> => {
    let done = 0;
    for (const batch of chunks(items, BATCH)) {
      await write(batch);
      done += batch.length;
      progress(collection, done, items.length);
    }
  };
  const named = <T extends { name: string }>(repo: NamedRepository<T>) => async (batch: T[]) => {
    for (const item of batch) await repo.put(item);
  };
  const records = <T extends { id: string }>(repo: RecordRepository<T>) => async (batch: T[]) => {
    for (const item of batch) await repo.put(item);
  };
  await step('contacts', source.contacts, (batch) => target.contacts.upsertMany(batch));
  await step('consent', source.consent, (batch) => target.consent.append(batch));
  await step('segments', source.segments, named(target.segments));
  await step('templates', source.templates, named(target.templates));
  await step('campaigns', source.campaigns, records(target.campaigns));
  await step('automations', source.automations, records(target.automations));
  await step('greetings', source.greetings, records(target.greetings));
  await step('idempotency', source.idempotency, records(target.idempotency));
  await step('integrationState', source.integrationState, records(target.integrationState));
  await step('suppressions', source.suppressions, records(target.suppressions));
  await step('outbox', source.outbox, (batch) => target.outbox.insertMany(batch));
  await step('inbound', source.inbound, (batch) => target.inbound.append(batch));
  const counts = await target.counts();
  return (Object.keys(source) as Array<keyof StoreExport>).map((collection) => ({ collection, source: source[collection].length, target: counts[collection] ?? 0 }));
}
