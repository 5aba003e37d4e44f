/**
 * The field names of the "Send SMS" workflow action, shared by the endpoint and checked against
 * manifests/hubspot/send-sms-action.json by a test, so the two cannot drift apart.
 */
export const ACTION_INPUT_FIELDS = ['message', 'kind', 'sender', 'waitForDelivery'] as const;
export const ACTION_OUTPUT_FIELDS = ['status', 'messageId', 'reason'] as const;
/** Contact properties the endpoint reads from `object.properties` (the phone); the manifest must request them. */
export const ACTION_PHONE_PROPERTIES = ['mobilephone', 'phone'] as const;
/** Properties the definition asks HubSpot to send with each request (objectRequestOptions): templates may use them. */
export const ACTION_TEMPLATE_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company', 'city', 'hs_timezone', 'sms_consent'] as const;
/** The `status` output values; the manifest's options must list exactly these. */
export const ACTION_STATUSES = ['queued', 'submitted', 'delivered', 'undelivered', 'failed', 'expired', 'rejected', 'refused'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const SEND_SMS_ACTION_PATH = '/hubspot/workflow-actions/send-sms';
export const WEBHOOK_ACTION_PATH = '/hubspot/webhook-action/send-sms';
export const MANIFEST_FILE = 'manifests/hubspot/send-sms-action.json';

/** What the action answers (or completes its callback with): HubSpot reads `hs_execution_state`. */
export interface ActionOutput {
  hs_execution_state: 'SUCCESS' | 'FAIL_CONTINUE' | 'BLOCK';
  status: ActionStatus;
  messageId: string;
  reason: string;
  /** How long HubSpot holds a BLOCKed action before continuing anyway (ISO 8601 duration). */
  hs_expiration_duration?: string;
}
