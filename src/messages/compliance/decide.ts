import type { Contact } from '../../contacts/contact.js';
import { candidateZones } from '../../contacts/timezone.js';
import { UNKNOWN_CONSENT, type ConsentState } from '../../consent/consent.js';
import { consentAllows } from '../../consent/ledger.js';
import { ageStatus, createTodayLookup } from './age.js';
import { frequencyCapExceeded } from './frequency-cap.js';
import type { CompliancePolicy, MessageKind } from './policy.js';
import { createQuietHoursChecker } from './quiet-hours.js';

/**
 * One decision per contact and message kind: the pre-send gate of CONTRACTS.md Part B §6.5, minus
 * the number checks (contacts are stored as E.164; the planner owns invalid_number, not_mobile and
 * duplicate, which stay in the reason list so every exclusion has one vocabulary).
 *
 * Order, first failing rule wins: opt-out → consent → minors → frequency cap → quiet hours.
 */

export type ExclusionReason =
  | 'invalid_number'
  | 'not_mobile'
  | 'duplicate'
  | 'opted_out'
  | 'no_consent'
  | 'frequency_cap'
  | 'minor'
  | 'age_unknown'
  | 'missing_variable'
  | 'timezone_uncertain';

export interface RecipientCheckInput {
  contact: Contact;
  /** What decides a send; a whole ConsentState will do. */
  consent: Pick<ConsentState, 'marketing' | 'transactionalAllowed'> | undefined;
  kind: MessageKind;
  at: Date;
  /** Send times of marketing messages to this contact, sent or planned. */
  previousMarketing: readonly Date[];
  defaultZone: string;
}

/** `zones` is shared between results and frozen: copy it before changing it. */
export type RecipientCheck =
  | { ok: true; sendAfter: Date | null; zones: string[]; zoneCertain: boolean }
  | { ok: false; reason: ExclusionReason };

type Candidates = { zones: string[]; certain: boolean };

/** candidateZones per (timezone, city, country): 100,000 contacts share a few thousand such triples. */
function createZoneLookup(maxEntries = 50_000): (contact: Contact, defaultZone: string) => Candidates {
  const cache = new Map<string, Candidates>();
  return (contact, defaultZone) => {
    const key = `${contact.timezone ?? ''}\n${contact.city ?? ''}\n${contact.country ?? ''}\n${defaultZone}`;
    let found = cache.get(key);
    if (found === undefined) {
      const candidates = candidateZones(contact, defaultZone);
      found = { zones: Object.freeze(candidates.zones) as string[], certain: candidates.certain };
      if (cache.size >= maxEntries) cache.clear();
      cache.set(key, found);
    }
    return found;
  };
}

function refusal(reason: ExclusionReason): RecipientCheck {
  return { ok: false, reason };
}

export function createRecipientChecker(policy: CompliancePolicy): (input: RecipientCheckInput) => RecipientCheck {
  const quietHours = createQuietHoursChecker(policy.quietHours);
  const quietKinds = new Set<MessageKind>(policy.quietHoursApplyTo);
  const todayIn = createTodayLookup();
  const zonesOf = createZoneLookup();

  return (input) => {
    const consent = input.consent ?? UNKNOWN_CONSENT;
    const marketing = input.kind === 'marketing';
    // An opt-out of everything stops even order notices; a marketing opt-out stops marketing (§6.1–6.3).
    if (!consentAllows(consent, input.kind)) {
      return refusal(!consent.transactionalAllowed || consent.marketing === 'opted_out' ? 'opted_out' : 'no_consent');
    }
    const candidates = zonesOf(input.contact, input.defaultZone);
    if (marketing) {
      const age = ageStatus(input.contact.birthDate, input.at, candidates.zones, policy.minorsAge, todayIn);
      if (age === 'minor') return refusal('minor');
      if (age === 'unknown' && policy.blockUnknownAge) return refusal('age_unknown');
    }
    const timing = quietKinds.has(input.kind) ? quietHours(input.at, candidates.zones) : undefined;
    if (marketing) {
      // Counted at the time the message will really go, so a deferral cannot slip past the cap.
      const sendAt = timing?.ok === true && timing.sendAfter !== null ? timing.sendAfter : input.at;
      if (frequencyCapExceeded(input.previousMarketing, sendAt, policy.frequencyCap)) return refusal('frequency_cap');
    }
    if (timing !== undefined && !timing.ok) return refusal('timezone_uncertain');
    return { ok: true, sendAfter: timing?.ok === true ? timing.sendAfter : null, zones: candidates.zones, zoneCertain: candidates.certain };
  };
}
