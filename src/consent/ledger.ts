import type { ConsentEntry, ConsentState } from './consent.js';
import { UNKNOWN_CONSENT } from './consent.js';

/**
 * Whether an entry may lift a standing opt-out, whoever recorded it (the recipient, the carrier, an
 * operator, an import, a CRM). Only the recipient's own opt-in (START, YES to a consent request) or an
 * operator's opt-in backed by evidence of a new consent may; an import or a CRM sync never can
 * (38-FZ art. 18: stop on request; FCC: honour any revocation): an opt-out is final until then.
 */
export function canLiftOptOut(entry: ConsentEntry): boolean {
  if (entry.origin === 'recipient') return true;
  return entry.origin === 'operator' && Boolean(entry.evidence?.trim());
}

function sameState(a: ConsentState, b: ConsentState): boolean {
  return (
    a.marketing === b.marketing &&
    a.transactionalAllowed === b.transactionalAllowed &&
    a.lockedByRecipient === b.lockedByRecipient &&
    a.optedOutBy === b.optedOutBy
  );
}

/** Does an opt-out (of marketing or of everything) stand in this state? */
export function hasOptOut(state: ConsentState): boolean {
  return state.marketing === 'opted_out' || !state.transactionalAllowed;
}

/** Applies one entry to a state; `effective` is false when the entry changes nothing. */
export function applyConsentEntry(state: ConsentState, entry: ConsentEntry): { state: ConsentState; effective: boolean } {
  let next: ConsentState;
  if (entry.status === 'opted_out') {
    const lockedByRecipient = state.lockedByRecipient || entry.origin === 'recipient' || entry.origin === 'carrier';
    next = {
      marketing: 'opted_out',
      transactionalAllowed: entry.scope === 'all' ? false : state.transactionalAllowed,
      lockedByRecipient,
      // The strongest word stands: a recipient's or carrier's opt-out is not renamed by a later operator's one.
      optedOutBy: state.optedOutBy && state.lockedByRecipient ? state.optedOutBy : entry.origin,
      updatedAt: entry.at,
      source: entry.source,
    };
  } else {
    if (hasOptOut(state) && !canLiftOptOut(entry)) return { state, effective: false };
    next = { marketing: 'opted_in', transactionalAllowed: true, lockedByRecipient: false, updatedAt: entry.at, source: entry.source };
  }
  return sameState(state, next) ? { state, effective: false } : { state: next, effective: true };
}

/** Orders entries by time, keeping the recorded order for equal times. */
export function sortEntries(entries: readonly ConsentEntry[]): ConsentEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => (a.entry.at < b.entry.at ? -1 : a.entry.at > b.entry.at ? 1 : a.index - b.index))
    .map(({ entry }) => entry);
}

/** The current consent of a contact, derived from its whole ledger. */
export function deriveConsent(entries: readonly ConsentEntry[]): ConsentState {
  let state = UNKNOWN_CONSENT;
  for (const entry of sortEntries(entries)) state = applyConsentEntry(state, entry).state;
  return state;
}

/** May this contact receive a message of this kind, as far as consent goes? */
export function consentAllows(state: Pick<ConsentState, 'marketing' | 'transactionalAllowed'> | undefined, kind: 'marketing' | 'transactional'): boolean {
  const current = state ?? UNKNOWN_CONSENT;
  if (!current.transactionalAllowed) return false;
  return kind === 'transactional' || current.marketing === 'opted_in';
}
