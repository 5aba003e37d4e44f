import type { Clock } from '../../src/common/clock.js';
import { AppError, isAppError } from '../../src/common/errors.js';
import type { SingleAnswer, SingleMessage } from '../../src/campaigns/send-single.js';
import { normalizePhone } from '../../src/contacts/phone.js';
import { isContactFieldName } from '../../src/messages/template-names.js';
import type { Store } from '../../src/store/port.js';
import type { ActionOutput, ActionStatus } from './action-fields.js';
import { ACTION_PHONE_PROPERTIES } from './action-fields.js';
import { getActionRecords, putActionRecord } from './action-records.js';
import type { ActionRequest } from './action-request.js';

export interface SendSmsActionDeps {
  store: Store;
  clock: Clock;
  defaultCountry: string;
  /** SMS_SENDER: used when the action's Sender input is empty. */
  defaultSender: string | undefined;
  /** Contact properties a template may use even when the contact has no value for them (they then count as missing). */
  templateProperties: readonly string[];
  /** False when nothing can complete a callback (no HUBSPOT_ACCESS_TOKEN): the action then never BLOCKs. */
  canComplete?: boolean;
  /** The single-message path of the REST API (one-recipient campaign, consent and quiet hours applied), once per key. */
  sendOnce(key: string, fingerprint: string, message: SingleMessage): Promise<SingleAnswer>;
}

// Campaign variable names: letters first, then letters, digits, "_" or "-" (template-names.ts).
const VARIABLE_NAME = /^[\p{L}_][\p{L}\p{M}\p{Nd}_-]*$/u;

function refused(reason: string, status: ActionStatus = 'refused', messageId = ''): ActionOutput {
  return { hs_execution_state: 'FAIL_CONTINUE', status, messageId, reason };
}

/** The HubSpot properties a template may name: `{{firstname}}` and the like (contact field names excepted). */
export function templateVariables(properties: Record<string, string>, declared: readonly string[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const name of declared) variables[name] = '';
  for (const [name, value] of Object.entries(properties)) variables[name] = value;
  for (const name of Object.keys(variables)) if (isContactFieldName(name) || name === 'properties' || !VARIABLE_NAME.test(name)) delete variables[name];
  return variables;
}

/** A 409 from the single-message path: the plan excluded the recipient; its reason is the key of `excluded`. */
function exclusionReason(body: unknown): string {
  const excluded = (body as { details?: { excluded?: Record<string, number> } }).details?.excluded ?? {};
  return Object.keys(excluded).join(', ') || 'excluded';
}

/**
 * Runs the "Send SMS" action for one enrolled contact: the message is rendered with the contact's
 * HubSpot properties and sent as a one-recipient campaign (so consent, quiet hours, the marketing footer
 * and the frequency cap apply exactly as to any campaign). One send per callbackId, however often
 * HubSpot retries the request, across restarts.
 *
 * Answers at once: `SUCCESS` (queued), `BLOCK` when the workflow is to wait for the receipt (the
 * callback is completed by the callback sink), `FAIL_CONTINUE` with a reason when nothing is sent.
 */
export async function runSendSmsAction(given: ActionRequest, deps: SendSmsActionDeps): Promise<ActionOutput> {
  // Blocking with nobody to complete the callback would hold the workflow for a week.
  const request = deps.canComplete === false ? { ...given, waitForDelivery: false } : given;
  const rawPhone = ACTION_PHONE_PROPERTIES.map((name) => request.properties[name]).find((value) => value !== undefined);
  if (!rawPhone) return refused('no_phone: the contact has no mobile phone or phone number in HubSpot');
  const phone = normalizePhone(rawPhone, deps.defaultCountry);
  if (!phone.ok) return refused(phone.reason === 'not_mobile' ? 'not_mobile' : 'invalid_number');
  const sender = request.sender ?? deps.defaultSender;
  if (!sender) return refused('no_sender: fill in the Sender input or set SMS_SENDER');

  const key = `hubspot-action:${request.portalId}:${request.callbackId}`;
  let answer: SingleAnswer;
  try {
    answer = await deps.sendOnce(key, 'hubspot-workflow-action', {
      to: phone.e164, text: request.message, sender, gateway: 'default', kind: request.kind,
      variables: templateVariables(request.properties, deps.templateProperties),
      name: `HubSpot workflow: contact ${request.objectId}`,
      beforeStart: (campaignId) => putActionRecord(deps.store, campaignId, {
        callbackId: request.callbackId, portalId: request.portalId, objectId: request.objectId, waitForDelivery: request.waitForDelivery,
      }, deps.clock.now().toISOString()),
    });
  } catch (error) {
    // A template or sender the service refuses: the workflow goes on, and says why.
    if (isAppError(error) && error.code === 'VALIDATION_FAILED') return refused(`invalid: ${error.message}`);
    throw error;
  }
  if (answer.status === 409) return refused(exclusionReason(answer.body));
  if (answer.status !== 202) throw new AppError('INTERNAL', `The message could not be queued (${answer.status}).`, { retryable: true });
  const { id: campaignId, messageId, status } = answer.body as { id: string; messageId: string; status: string };
  if (answer.replayed && request.waitForDelivery) {
    // HubSpot asks again after the callback was completed: answer with what it was completed with.
    const completion = (await getActionRecords(deps.store, [campaignId])).get(campaignId)?.completion;
    if (completion) return completion;
  }
  const queued: ActionStatus = status === 'submitted' || status === 'delivered' ? status : 'queued';
  return { hs_execution_state: request.waitForDelivery ? 'BLOCK' : 'SUCCESS', status: queued, messageId, reason: '' };
}
