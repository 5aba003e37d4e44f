import type { SenderKind } from './policy.js';

/**
 * Sender ids a route can use (CONTRACTS.md Part B §2 Vonage `from`, §3 registered alpha names, §6.5
 * item 5). Format only: whether an alpha name is registered with the operator is the gateway's answer.
 */

export type SenderIdResult = { ok: true; kind: SenderKind } | { ok: false; reason: string };

const ALPHANUMERIC = /^[A-Za-z0-9 ._&-]{1,11}$/;
const LETTER = /[A-Za-z]/;
/** E.164: a country code never starts with 0. */
const E164 = /^\+[1-9]\d{6,14}$/;
const SHORTCODE = /^\d{3,8}$/;

const ALPHA_RULE = 'an alphanumeric name of 1–11 characters (Latin letters, digits, space . - _ &) with at least one letter';
const NUMERIC_RULE = 'an E.164 number: + and 7–15 digits, such as +79123456789';
const SHORTCODE_RULE = 'a short code of 3–8 digits';
const ALL_RULES = `Use ${ALPHA_RULE}; ${NUMERIC_RULE}; or ${SHORTCODE_RULE}.`;

export function validateSenderId(sender: string): SenderIdResult {
  if (sender === '') return { ok: false, reason: `The sender id is empty. ${ALL_RULES}` };
  if (sender !== sender.trim()) {
    // Gateways differ: some strip the spaces, some count them, some reject the name.
    return { ok: false, reason: 'The sender id starts or ends with a space; remove it.' };
  }
  if (sender.startsWith('+')) {
    return E164.test(sender) ? { ok: true, kind: 'numeric' } : { ok: false, reason: `"${sender}" is not ${NUMERIC_RULE}.` };
  }
  if (/^\d+$/.test(sender)) {
    if (SHORTCODE.test(sender)) return { ok: true, kind: 'shortcode' };
    return {
      ok: false,
      reason: `"${sender}" has ${sender.length} digits: use ${SHORTCODE_RULE}, or write a long number as ${NUMERIC_RULE}.`,
    };
  }
  if (!LETTER.test(sender)) {
    return { ok: false, reason: `"${sender}" has no Latin letter. Use ${ALPHA_RULE}.` };
  }
  if (sender.length > 11) {
    return { ok: false, reason: `"${sender}" is ${sender.length} characters long; use ${ALPHA_RULE}.` };
  }
  if (!ALPHANUMERIC.test(sender)) {
    return { ok: false, reason: `"${sender}" contains characters a sender name cannot carry. Use ${ALPHA_RULE}.` };
  }
  return { ok: true, kind: 'alphanumeric' };
}

/** validateSenderId plus the policy's list of kinds the routes accept. */
export function checkSenderId(sender: string, allowedKinds: readonly SenderKind[]): SenderIdResult {
  const result = validateSenderId(sender);
  if (!result.ok || allowedKinds.includes(result.kind)) return result;
  return { ok: false, reason: `A ${result.kind} sender id is not allowed by the policy; allowed: ${allowedKinds.join(', ')}.` };
}
