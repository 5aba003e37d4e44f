import { describe, expect, it } from 'vitest';
import { consentAllows, deriveConsent } from '../../src/consent/ledger.js';
import type { ConsentEntry } from '../../src/consent/consent.js';
import { makeEntry } from '../helpers/factories.js';

const contactId = 'c-1';
const at = (day: number): string => `2026-03-${String(day).padStart(2, '0')}T10:00:00.000Z`;
const entry = (overrides: Partial<ConsentEntry>): ConsentEntry => makeEntry({ contactId, ...overrides });

describe('consent ledger', () => {
  it('knows nothing without entries: no marketing, transactional allowed', () => {
    const state = deriveConsent([]);
    expect(state).toMatchObject({ marketing: 'unknown', transactionalAllowed: true });
    expect(consentAllows(state, 'marketing')).toBe(false);
    expect(consentAllows(state, 'transactional')).toBe(true);
  });

  it('an import cannot re-opt-in a contact who opted out by reply', () => {
    const state = deriveConsent([
      entry({ status: 'opted_in', origin: 'import', at: at(1) }),
      entry({ status: 'opted_out', scope: 'all', origin: 'recipient', source: 'sms reply STOP', at: at(2) }),
      entry({ status: 'opted_in', origin: 'import', at: at(3) }),
      entry({ status: 'opted_in', origin: 'crm', at: at(4) }),
      entry({ status: 'opted_in', origin: 'operator', at: at(5) }),
    ]);
    expect(state).toMatchObject({ marketing: 'opted_out', transactionalAllowed: false, lockedByRecipient: true });
    expect(consentAllows(state, 'transactional')).toBe(false);
  });

  it('a carrier opt-out is locked like the recipient\'s own', () => {
    const state = deriveConsent([
      entry({ status: 'opted_out', scope: 'all', origin: 'carrier', source: 'Twilio 21610', at: at(2) }),
      entry({ status: 'opted_in', origin: 'import', at: at(3) }),
    ]);
    expect(state.lockedByRecipient).toBe(true);
    expect(state.marketing).toBe('opted_out');
  });

  it('START from the recipient, or an operator opt-in with evidence, lifts it', () => {
    const stop = entry({ status: 'opted_out', scope: 'all', origin: 'recipient', at: at(2) });
    expect(deriveConsent([stop, entry({ status: 'opted_in', origin: 'recipient', source: 'START', at: at(3) })])).toMatchObject({
      marketing: 'opted_in', transactionalAllowed: true, lockedByRecipient: false,
    });
    expect(deriveConsent([stop, entry({ status: 'opted_in', origin: 'operator', evidence: 'form #8812', at: at(3) })]).marketing).toBe('opted_in');
  });

  it('orders by time: an opt-in dated before the opt-out does not undo it', () => {
    const state = deriveConsent([
      entry({ status: 'opted_out', scope: 'all', origin: 'recipient', at: at(5) }),
      entry({ status: 'opted_in', origin: 'recipient', at: at(3) }),
    ]);
    expect(state.marketing).toBe('opted_out');
  });

  it('a marketing opt-out still allows order notices; an opt-out of all does not', () => {
    const marketingOnly = deriveConsent([entry({ status: 'opted_in', at: at(1) }), entry({ status: 'opted_out', scope: 'marketing', origin: 'operator', at: at(2) })]);
    expect(consentAllows(marketingOnly, 'marketing')).toBe(false);
    expect(consentAllows(marketingOnly, 'transactional')).toBe(true);
    expect(marketingOnly.lockedByRecipient).toBe(false);
    const all = deriveConsent([entry({ status: 'opted_out', scope: 'all', origin: 'operator', at: at(2) })]);
    expect(consentAllows(all, 'transactional')).toBe(false);
  });

  it('no import or CRM sync lifts any opt-out, whoever recorded it; an operator needs evidence', () => {
    for (const origin of ['operator', 'import', 'crm', 'recipient', 'carrier'] as const) {
      const out = entry({ status: 'opted_out', scope: 'marketing', origin, at: at(1) });
      for (const lifter of ['import', 'crm'] as const) {
        expect(deriveConsent([out, entry({ status: 'opted_in', origin: lifter, at: at(2) })]).marketing, `${origin} then ${lifter}`).toBe('opted_out');
      }
      expect(deriveConsent([out, entry({ status: 'opted_in', origin: 'operator', at: at(2) })]).marketing, `${origin} then bare operator`).toBe('opted_out');
      expect(deriveConsent([out, entry({ status: 'opted_in', origin: 'operator', evidence: 'form 7', at: at(2) })]).marketing).toBe('opted_in');
      expect(deriveConsent([out, entry({ status: 'opted_in', origin: 'recipient', at: at(2) })]).marketing).toBe('opted_in');
    }
  });

  it('records who made the opt-out that stands; a recipient\'s word is not renamed by a later operator one', () => {
    expect(deriveConsent([entry({ status: 'opted_out', origin: 'operator', at: at(1) })]).optedOutBy).toBe('operator');
    const both = deriveConsent([entry({ status: 'opted_out', origin: 'recipient', at: at(1) }), entry({ status: 'opted_out', scope: 'all', origin: 'operator', at: at(2) })]);
    expect(both).toMatchObject({ optedOutBy: 'recipient', lockedByRecipient: true, transactionalAllowed: false });
    expect(deriveConsent([entry({ status: 'opted_out', origin: 'import', at: at(1) }), entry({ status: 'opted_in', origin: 'recipient', at: at(2) })]).optedOutBy).toBeUndefined();
  });
});
