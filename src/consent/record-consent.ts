import type { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import type { Store } from '../store/port.js';
import type { ConsentEntry, ConsentOrigin, ConsentScope, ConsentState, ConsentStatus } from './consent.js';
import { UNKNOWN_CONSENT } from './consent.js';
import { applyConsentEntry, hasOptOut } from './ledger.js';

export interface ConsentChange {
  contactId: string;
  status: ConsentStatus;
  scope: ConsentScope;
  origin: ConsentOrigin;
  source: string;
  evidence?: string;
}

/**
 * Records one consent change. An opt-in that cannot lift a recipient's own opt-out is refused
 * with an error that says what would (START from the recipient, or evidence of a new consent).
 * A change that alters nothing is not written: the ledger records changes, not repetitions.
 */
export async function recordConsent(
  change: ConsentChange,
  deps: { store: Store; clock: Clock; newId: () => string },
): Promise<{ state: ConsentState; changed: boolean }> {
  const current = (await deps.store.consent.currentMany([change.contactId])).get(change.contactId) ?? UNKNOWN_CONSENT;
  const entry: ConsentEntry = {
    id: deps.newId(),
    contactId: change.contactId,
    status: change.status,
    scope: change.scope,
    origin: change.origin,
    source: change.source,
    at: deps.clock.now().toISOString(),
    ...(change.evidence ? { evidence: change.evidence } : {}),
  };
  const applied = applyConsentEntry(current, entry);
  if (!applied.effective) {
    if (change.status === 'opted_in' && hasOptOut(current)) {
      const who = current.lockedByRecipient ? 'The contact opted out themselves' : `The contact was opted out by ${current.optedOutBy ?? 'an earlier change'}`;
      throw new AppError('CONFLICT', `${who} (${current.source ?? 'by reply'}, ${current.updatedAt ?? 'earlier'}); an opt-out stands until new consent.`, {
        hint: 'Only the recipient (replying START) or an opt-in with evidence of a new consent can undo that: add --evidence "<form id, signed document, ...>".',
      });
    }
    return { state: current, changed: false };
  }
  await deps.store.consent.append([entry]);
  return { state: applied.state, changed: true };
}
