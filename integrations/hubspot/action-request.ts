import { z } from 'zod';
import type { MessageKind } from '../../src/messages/compliance/index.js';

/**
 * A custom workflow action execution request, as HubSpot POSTs it to the actionUrl (CONTRACTS.md
 * Part A §5). Every input field value arrives as a string; `object.properties` holds only the
 * properties the definition's objectRequestOptions asks for, and a value may be null.
 */
const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/, 'must be a numeric id')]).transform(String);
const inputValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const actionRequestSchema = z.object({
  callbackId: z.string('callbackId is required').trim().min(1, 'callbackId is required').max(200),
  origin: z.object({ portalId: id }).loose(),
  object: z.object({
    objectId: id,
    objectType: z.string().optional(),
    properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  }).loose(),
  inputFields: z.object({
    message: z.string('the Message input is required').trim().min(1, 'the Message input is empty').max(2000),
    kind: z.enum(['marketing', 'transactional'], 'the Kind input must be marketing or transactional').default('transactional'),
    sender: z.string().trim().max(20).optional(),
    waitForDelivery: inputValue.optional(),
  }).loose(),
}).loose();

export interface ActionRequest {
  callbackId: string;
  portalId: string;
  /** The enrolled contact's HubSpot record id. */
  objectId: string;
  /** Its requested properties, empty values left out. */
  properties: Record<string, string>;
  message: string;
  kind: MessageKind;
  sender: string | undefined;
  waitForDelivery: boolean;
}

/** Parses a verified request body; throws a zod error naming the field that is wrong. */
export function parseActionRequest(body: unknown): ActionRequest {
  const parsed = actionRequestSchema.parse(body);
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.object.properties)) if (value !== null && String(value) !== '') properties[key] = String(value);
  const wait = (parsed.inputFields.waitForDelivery ?? '').trim().toLowerCase();
  return {
    callbackId: parsed.callbackId, portalId: parsed.origin.portalId, objectId: parsed.object.objectId, properties,
    message: parsed.inputFields.message, kind: parsed.inputFields.kind, sender: parsed.inputFields.sender || undefined,
    waitForDelivery: wait === 'true' || wait === 'yes' || wait === '1',
  };
}

/**
 * HubSpot's generic "Send a webhook" action, with a customised request body: flat key/value pairs of
 * the contact's properties (choose at least `phone` or `mobilephone`, and `hs_object_id`). The message
 * and its options come from the body (`message`, `kind`, `sender`) or from the webhook URL's query.
 */
export const webhookActionSchema = z.object({
  message: z.string('message is required (in the body or as ?message=)').trim().min(1, 'message is required (in the body or as ?message=)').max(2000),
  kind: z.enum(['marketing', 'transactional'], 'kind must be marketing or transactional').default('transactional'),
  sender: z.string().trim().max(20).optional(),
  hs_object_id: id.optional(),
});

export function parseWebhookAction(body: unknown, query: Record<string, string>): { message: string; kind: MessageKind; sender: string | undefined; objectId: string | undefined; properties: Record<string, string> } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new z.ZodError([{ code: 'custom', path: [], message: 'the body must be a JSON object of contact properties', input: body }]);
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') if (String(value) !== '') properties[key] = String(value);
  }
  const { message, kind, sender, hs_object_id } = webhookActionSchema.parse({ ...pick(query, ['message', 'kind', 'sender']), ...pick(properties, ['message', 'kind', 'sender', 'hs_object_id']) });
  for (const key of ['message', 'kind', 'sender']) delete properties[key];
  return { message, kind, sender: sender || undefined, objectId: hs_object_id, properties };
}

function pick(source: Record<string, string>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
