import { AppError } from '../common/errors.js';
import { hasOptOut } from '../consent/ledger.js';
import { suppressionLookup } from '../consent/suppression.js';
import { compileFilter } from '../segments/evaluate.js';
import type { Segment } from '../segments/filter.js';
import type { Store } from '../store/port.js';
import type { Campaign } from './campaign.js';
import type { CampaignService } from './campaign-service.js';

export interface ConsentRequestInput {
  segment: Segment;
  text: string;
  sender: string;
  gateway: string;
}

export interface ConsentRequestResult {
  campaign: Campaign;
  /** Contacts of the segment asked (before the plan's own checks: numbers, quiet hours defer). */
  asked: number;
  skipped: { alreadyOptedIn: number; optedOut: number };
}

/**
 * Double opt-in, step one: sends the consent request text ("Reply ДА to receive offers") to the
 * segment's contacts that have no consent yet and never to one that opted out (or an erased number
 * on the suppression list). It is a transactional message that still waits for quiet hours; a yes
 * within CONSENT_REQUEST_WINDOW_HOURS is recorded by the inbound handling as the recipient's opt-in.
 */
export async function requestConsent(input: ConsentRequestInput, deps: { store: Store; campaigns: CampaignService; now: Date; defaultZone: string }): Promise<ConsentRequestResult> {
  const matches = compileFilter(input.segment.filter, { now: deps.now, zoneOf: (contact) => contact.timezone ?? deps.defaultZone });
  const suppressed = suppressionLookup(await deps.store.suppressions.list());
  const phones: string[] = [];
  const skipped = { alreadyOptedIn: 0, optedOut: 0 };
  for await (const page of deps.store.contacts.scan({ batchSize: 1000 })) {
    const members = page.filter(matches);
    const consent = await deps.store.consent.currentMany(members.map((c) => c.id));
    for (const contact of members) {
      const state = consent.get(contact.id);
      if ((state && hasOptOut(state)) || suppressed(contact.phone)) skipped.optedOut += 1;
      else if (state?.marketing === 'opted_in') skipped.alreadyOptedIn += 1;
      else phones.push(contact.phone);
    }
  }
  if (phones.length === 0) {
    throw new AppError('VALIDATION_FAILED', `Nobody in segment "${input.segment.name}" can be asked: ${skipped.alreadyOptedIn} already opted in, ${skipped.optedOut} opted out.`, {
      hint: 'A consent request goes only to contacts with no consent recorded.',
    });
  }
  const created = await deps.campaigns.create({
    name: `consent request: ${input.segment.name}`, kind: 'transactional', audience: { phones }, variants: [{ name: 'A', text: input.text, weight: 1 }],
    campaignVariables: {}, sender: input.sender, gateway: input.gateway, schedule: { type: 'now' }, source: 'consent_request',
  });
  // The text is the configured request, the same for everyone: no test send to check a rendering.
  const campaign = await deps.campaigns.start(created.id, { skipTestSendCheck: true });
  return { campaign, asked: phones.length, skipped };
}
