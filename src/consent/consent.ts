import { z } from 'zod';

export const consentStatusSchema = z.enum(['opted_in', 'opted_out']);
export type ConsentStatus = z.infer<typeof consentStatusSchema>;

/** `marketing` covers offers and greetings; `all` also covers transactional messages. */
export const consentScopeSchema = z.enum(['marketing', 'all']);
export type ConsentScope = z.infer<typeof consentScopeSchema>;

/**
 * Who expressed the change. Only the recipient (a STOP/START reply) or the carrier speaks for the
 * recipient; an opt-out from either can be undone only by the recipient or by an operator with evidence.
 */
export const consentOriginSchema = z.enum(['recipient', 'carrier', 'operator', 'import', 'crm']);
export type ConsentOrigin = z.infer<typeof consentOriginSchema>;

export const consentEntrySchema = z.object({
  id: z.string().min(1),
  contactId: z.string().min(1),
  status: consentStatusSchema,
  scope: consentScopeSchema,
  origin: consentOriginSchema,
  /** Where the consent was collected or the change was seen: "web form 2026-05", "sms reply", a file name. */
  source: z.string().min(1),
  /** ISO timestamp of the change. */
  at: z.string(),
  /** Proof: a form id, a reply's message id, a signed document reference. */
  evidence: z.string().optional(),
});
export type ConsentEntry = z.infer<typeof consentEntrySchema>;

/** The current consent of one contact, derived from its ledger entries. */
export interface ConsentState {
  marketing: 'opted_in' | 'opted_out' | 'unknown';
  /** False when the contact opted out of everything: not even order notices may be sent. */
  transactionalAllowed: boolean;
  /** True while an opt-out from the recipient or carrier stands (a STOP reply, `--by recipient`, a carrier refusal). */
  lockedByRecipient: boolean;
  /**
   * Who recorded the opt-out that stands, if one does. Any standing opt-out, whoever recorded it, is
   * lifted only by the recipient (START, a YES to a consent request) or an operator with evidence.
   */
  optedOutBy?: ConsentOrigin;
  updatedAt?: string;
  source?: string;
}

export const UNKNOWN_CONSENT: ConsentState = {
  marketing: 'unknown',
  transactionalAllowed: true,
  lockedByRecipient: false,
};
