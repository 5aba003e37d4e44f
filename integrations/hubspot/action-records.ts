import type { Store } from '../../src/store/port.js';
import type { ActionOutput } from './action-fields.js';

/**
 * What the service remembers about a workflow action's message, kept in the store's keyed records
 * (next to the REST API's idempotency keys, so it is as durable and moves with the store): which
 * callback to complete when the message's final receipt arrives, and which HubSpot contact it is for
 * (a contact that was never synced still gets its timeline entry).
 */
export interface ActionRecord {
  callbackId: string;
  portalId: string;
  objectId: string;
  waitForDelivery: boolean;
  /** Set once the callback is completed, with what it was completed with (a retried request is answered with it). */
  completedAt?: string;
  completion?: ActionOutput;
}

const PREFIX = 'hubspot-action-campaign:';
/** `status` of a record whose callback is still to be completed. */
const OPEN = 0;
const DONE = 200;

export function actionRecordKey(campaignId: string): string {
  return `${PREFIX}${campaignId}`;
}

export async function putActionRecord(store: Store, campaignId: string, record: ActionRecord, at: string): Promise<void> {
  const open = record.waitForDelivery && !record.completedAt;
  await store.idempotency.put({ id: actionRecordKey(campaignId), fingerprint: record.callbackId, status: open ? OPEN : DONE, body: record, at });
}

export async function getActionRecords(store: Store, campaignIds: Iterable<string>): Promise<Map<string, ActionRecord>> {
  const found = new Map<string, ActionRecord>();
  for (const campaignId of new Set(campaignIds)) {
    const record = await store.idempotency.get(actionRecordKey(campaignId));
    if (record) found.set(campaignId, record.body as ActionRecord);
  }
  return found;
}
