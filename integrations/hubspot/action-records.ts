import type { Store } from '../../src/store/port.js';
import type { ActionOutput } from './action-fields.js';

/**
 * What the service remembers about a workflow action's message, kept in the store's integration
 * records (durable, and not expired like idempotency keys: a BLOCKed action may wait days for quiet
 * hours and receipts): which callback to complete when the message's final receipt arrives, and which
 * HubSpot contact it is for (a contact that was never synced still gets its timeline entry).
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

const PREFIX = 'hubspot:action-campaign:';

export function actionRecordKey(campaignId: string): string {
  return `${PREFIX}${campaignId}`;
}

export async function putActionRecord(store: Store, campaignId: string, record: ActionRecord, at: string): Promise<void> {
  await store.integrationState.put({ id: actionRecordKey(campaignId), data: record, at });
}

export async function getActionRecords(store: Store, campaignIds: Iterable<string>): Promise<Map<string, ActionRecord>> {
  const found = new Map<string, ActionRecord>();
  for (const campaignId of new Set(campaignIds)) {
    const record = await store.integrationState.get(actionRecordKey(campaignId));
    if (record) found.set(campaignId, record.data as ActionRecord);
  }
  return found;
}
