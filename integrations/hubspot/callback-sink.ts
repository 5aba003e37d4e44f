import type { Clock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import type { StatusEvent } from '../../src/delivery/gateway.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { FINAL_STATUSES } from '../../src/delivery/outbox.js';
import type { EventSink } from '../../src/delivery/sinks.js';
import type { Store } from '../../src/store/port.js';
import type { ActionOutput, ActionStatus } from './action-fields.js';
import { ACTION_STATUSES } from './action-fields.js';
import { getActionRecords, putActionRecord } from './action-records.js';
import { messageViews } from './message-views.js';
import type { HubSpotWrites } from './writes.js';

export interface CallbackSinkDeps {
  store: Store;
  writes: Pick<HubSpotWrites, 'completeCallbacks'>;
  clock: Clock;
  logger: Logger;
}

/** The action's outputs once a message is final: SUCCESS when delivered, FAIL_CONTINUE otherwise, with the status. */
export function finalOutput(row: OutboxMessage): ActionOutput {
  const status: ActionStatus = (ACTION_STATUSES as readonly string[]).includes(row.status) ? (row.status as ActionStatus) : 'failed';
  if (row.status === 'delivered') return { hs_execution_state: 'SUCCESS', status, messageId: row.id, reason: '' };
  return { hs_execution_state: 'FAIL_CONTINUE', status, messageId: row.id, reason: row.errorCode ?? row.status };
}

/**
 * Completes the BLOCKed "Send SMS" actions whose message reached a final status, in one batch call
 * per 100, and remembers that it did (a replayed batch completes nothing twice).
 */
export function createCallbackSink(deps: CallbackSinkDeps): EventSink {
  return {
    name: 'hubspot-workflow-callbacks',
    async handle(events) {
      const now = deps.clock.now().toISOString();
      const statuses = events.filter((event): event is StatusEvent => event.type === 'status' && FINAL_STATUSES.has(event.status));
      if (statuses.length === 0) return;
      const finals = (await messageViews(deps.store, statuses, now)).filter((row) => FINAL_STATUSES.has(row.status));
      const records = await getActionRecords(deps.store, finals.map((row) => row.campaignId));
      const due = finals.flatMap((row) => {
        const record = records.get(row.campaignId);
        return record && record.waitForDelivery && !record.completedAt ? [{ row, record }] : [];
      });
      if (due.length === 0) return;
      const completions = due.map(({ row, record }) => ({ record, row, output: finalOutput(row) }));
      await deps.writes.completeCallbacks(completions.map(({ record, output }) => ({ callbackId: record.callbackId, outputFields: { ...output } })));
      for (const { row, record, output } of completions) {
        await putActionRecord(deps.store, row.campaignId, { ...record, completedAt: now, completion: output }, now);
      }
      await deps.store.flush();
      deps.logger.info({ completed: completions.length }, 'completed HubSpot workflow actions');
    },
  };
}
