import type { Client } from '@hubspot/api-client';
import type { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/communications/models/AssociationSpec.js';

// The SDK's enum value, without importing its codegen module at run time.
const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED' as AssociationSpecAssociationCategoryEnum;

/** The part of the shared HubSpot client the write-back uses (integrations/hubspot/client.ts). */
export interface HubSpotCaller {
  call<T>(kind: 'default' | 'search', request: (sdk: Client) => Promise<T>): Promise<T>;
}

/** HubSpot-defined association type "communication to contact" (CONTRACTS.md Part A §4). */
export const COMMUNICATION_TO_CONTACT = 81;
/** CRM batch endpoints take up to 100 inputs per call. */
export const BATCH_LIMIT = 100;

export interface NewCommunication {
  /** Ours (message id or reply key); sent as objectWriteTraceId to match results to inputs. */
  key: string;
  contactId: string;
  body: string;
  /** ISO instant: where the entry sits on the timeline. */
  timestamp: string;
}

/**
 * The HubSpot writes of the write-back, each one batch call (≤ 100 inputs) within the shared request
 * budget; failures throw (the budget has already retried what a retry could fix), except items HubSpot
 * refuses for good (see RefusedItem).
 */
export interface HubSpotWrites {
  /** Logs SMS communications on contacts' timelines; returns the created ids by key. */
  createCommunications(inputs: readonly NewCommunication[]): Promise<Map<string, string>>;
  updateCommunications(updates: ReadonlyArray<{ id: string; body: string }>): Promise<void>;
  updateContacts(updates: ReadonlyArray<{ id: string; properties: Record<string, string> }>): Promise<void>;
  /** Completes BLOCKed workflow actions (https://developers.hubspot.com/docs/api/automation/custom-workflow-actions). */
  completeCallbacks(completions: ReadonlyArray<{ callbackId: string; outputFields: Record<string, string> }>): Promise<void>;
}

/**
 * Items HubSpot refused for good (a 4xx other than 429: a contact deleted since, a callback expired)
 * are left out rather than retried forever, which would hold back everything behind them; `onRefused`
 * hears of each.
 */
export type RefusedItem = { what: string; key: string; status: number; message: string };

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH_LIMIT) out.push(items.slice(i, i + BATCH_LIMIT));
  return out;
}

/** A batch call that did only part of its work (HTTP 207): the done part is kept, the rest retried. */
export class PartialBatchError extends Error {
  constructor(message: string, readonly done: Map<string, string>, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PartialBatchError';
  }
}

/** HTTP 4xx other than 429: the request itself is wrong, and sending it again will not help. */
export function refusedStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 400 && code < 500 && code !== 429 ? code : undefined;
}

/**
 * Sends a batch; if HubSpot refuses it as a whole (4xx), sends its items one by one, so one bad item
 * costs only itself. Other failures (5xx, network, 429 past the budget's retries) throw: the sink retries later.
 */
async function isolating<T>(batch: readonly T[], send: (items: readonly T[]) => Promise<void>, refused: (item: T, error: unknown) => void): Promise<void> {
  try {
    await send(batch);
    return;
  } catch (error) {
    if (refusedStatus(error) === undefined) throw error;
    if (batch.length === 1) {
      refused(batch[0] as T, error);
      return;
    }
  }
  for (const item of batch) {
    try {
      await send([item]);
    } catch (error) {
      if (refusedStatus(error) === undefined) throw error;
      refused(item, error);
    }
  }
}

function refusal(what: string, key: string, error: unknown): RefusedItem {
  const body = (error as { body?: { message?: unknown } }).body;
  return { what, key, status: refusedStatus(error) ?? 0, message: typeof body?.message === 'string' ? body.message : String((error as Error).message ?? error) };
}

export function createHubSpotWrites(hubspot: HubSpotCaller, onRefused: (item: RefusedItem) => void = () => undefined): HubSpotWrites {
  return {
    async createCommunications(inputs) {
      const created = new Map<string, string>();
      const send = async (batch: readonly NewCommunication[]): Promise<void> => {
        // POST /crm/v3/objects/communications/batch/create — https://developers.hubspot.com/docs/api/crm/communications
        const response = await hubspot.call('default', (sdk) => sdk.crm.objects.communications.batchApi.create({
          inputs: batch.map((input) => ({
            objectWriteTraceId: input.key,
            properties: {
              hs_communication_channel_type: 'SMS', hs_communication_logged_from: 'CRM', hs_communication_body: input.body, hs_timestamp: input.timestamp,
            },
            associations: [{ to: { id: input.contactId }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: COMMUNICATION_TO_CONTACT }] }],
          })),
        }));
        const results = response.results ?? [];
        results.forEach((result, index) => {
          const key = result.objectWriteTraceId ?? (results.length === batch.length ? batch[index]?.key : undefined);
          if (key) created.set(key, result.id);
        });
      };
      const refused = new Set<string>();
      for (const batch of chunks(inputs)) {
        try {
          await isolating(batch, send, (input, error) => {
            refused.add(input.key);
            onRefused(refusal('communication', input.key, error));
          });
        } catch (error) {
          // Earlier batches of this call did get created: say so, so they are not created again.
          if (created.size > 0) throw new PartialBatchError(`HubSpot created ${created.size} of ${inputs.length} communications.`, created, error);
          throw error;
        }
        const missing = batch.filter((input) => !created.has(input.key) && !refused.has(input.key));
        if (missing.length > 0) throw new PartialBatchError(`HubSpot created ${batch.length - missing.length} of ${batch.length} communications.`, created);
      }
      return created;
    },
    async updateCommunications(updates) {
      for (const batch of chunks(updates)) {
        // POST /crm/v3/objects/communications/batch/update
        await isolating(batch, async (items) => {
          await hubspot.call('default', (sdk) => sdk.crm.objects.communications.batchApi.update({ inputs: items.map((u) => ({ id: u.id, properties: { hs_communication_body: u.body } })) }));
        }, (u, error) => onRefused(refusal('communication update', u.id, error)));
      }
    },
    async updateContacts(updates) {
      for (const batch of chunks(updates)) {
        // POST /crm/v3/objects/contacts/batch/update — https://developers.hubspot.com/docs/api/crm/contacts
        await isolating(batch, async (items) => {
          await hubspot.call('default', (sdk) => sdk.crm.contacts.batchApi.update({ inputs: items.map((u) => ({ id: u.id, properties: u.properties })) }));
        }, (u, error) => onRefused(refusal('contact update', u.id, error)));
      }
    },
    async completeCallbacks(completions) {
      for (const batch of chunks(completions)) {
        // POST /automation/v4/actions/callbacks/complete — CONTRACTS.md Part A §5 (completeBatch)
        await isolating(batch, async (items) => {
          await hubspot.call('default', (sdk) => sdk.automation.actions.callbacksApi.completeBatch({ inputs: items.map((c) => ({ callbackId: c.callbackId, outputFields: c.outputFields })) }));
        }, (c, error) => onRefused(refusal('workflow callback', c.callbackId, error)));
      }
    },
  };
}
