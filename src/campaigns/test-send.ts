import { AppError } from '../common/errors.js';
import { maskPhone } from '../common/mask.js';
import { normalizePhone } from '../contacts/phone.js';
import { suppressionLookup } from '../consent/suppression.js';
import type { OutboxMessage } from '../delivery/outbox.js';
import { countSegments } from '../messages/encoding.js';
import { priceFor } from '../messages/pricing.js';
import type { Campaign } from './campaign.js';
import type { CampaignServiceDeps } from './campaign-service.js';
import type { Decision, PlanDeps, PlanRequest } from './plan.js';
import { planCampaign } from './plan.js';

export interface TestSendResult {
  phone: string;
  ok: boolean;
  detail: string;
}

type SendDecision = Extract<Decision, { action: 'send' }>;

const REASONS: Record<string, string> = {
  opted_out: 'opted out',
  no_consent: 'has no marketing consent',
  minor: 'is under age for marketing',
  age_unknown: 'has no known age (BLOCK_UNKNOWN_AGE)',
  frequency_cap: 'reached the frequency cap',
  missing_variable: 'lacks a variable the text needs',
  invalid_number: 'has an invalid number',
  not_mobile: 'has a number that is not a mobile',
};

/**
 * Why a test number may not get the message: it belongs to a contact who opted out (of everything,
 * or of marketing for a marketing campaign), or to an erased contact on the suppression list. A test
 * send obeys opt-outs like any other message.
 */
async function refusal(campaign: Campaign, e164: string, deps: CampaignServiceDeps): Promise<string | undefined> {
  const contact = (await deps.store.contacts.getByPhones([e164])).get(e164);
  if (contact) {
    const state = (await deps.store.consent.currentMany([contact.id])).get(contact.id);
    const optedOut = state && (!state.transactionalAllowed || (campaign.kind === 'marketing' && state.marketing === 'opted_out'));
    if (optedOut) {
      const why = [state.optedOutBy && `by ${state.optedOutBy}`, state.source, state.updatedAt?.slice(0, 10)].filter(Boolean).join(', ');
      return `refused: this number opted out${why ? ` (${why})` : ''}; test sends obey opt-outs`;
    }
  }
  const suppressed = suppressionLookup(await deps.store.suppressions.list())(e164);
  if (suppressed && (suppressed.scope === 'all' || campaign.kind === 'marketing')) return 'refused: this number is on the suppression list (opted out, data erased); test sends obey opt-outs';
  return undefined;
}

/** The message rendered for one contact of the audience (`contactPhone`), or for the first that can receive it. */
async function sampleDecision(campaign: Campaign, request: PlanRequest, planDeps: PlanDeps, contactPhone: string | undefined): Promise<SendDecision> {
  if (contactPhone) request.audience = { phones: [contactPhone] };
  for await (const decision of planCampaign(request, planDeps)) {
    if (decision.action === 'send') return decision;
    if (decision.action === 'excluded' && contactPhone) {
      const who = maskPhone(decision.phone);
      throw new AppError('VALIDATION_FAILED', `Contact ${who} cannot be used for this test: the contact ${REASONS[decision.reason] ?? decision.reason} (${decision.reason}${decision.missing ? `: ${decision.missing.join(', ')}` : ''}).`, {
        hint: 'Pick another contact with --contact, or leave it out to use the first recipient who can receive the message.',
      });
    }
  }
  throw new AppError('VALIDATION_FAILED', `No recipient of campaign ${campaign.id} can receive the message, so there is nothing to render the test with.`, {
    hint: 'Check the audience with campaign preview, or pick a contact with --contact.',
  });
}

/**
 * Sends the campaign's message, rendered with one contact's data, to the given numbers. Numbers that
 * opted out are refused with the reason; the others are sent and recorded as test rows.
 */
export async function sendTest(
  campaign: Campaign,
  numbers: readonly string[],
  contactPhone: string | undefined,
  context: { deps: CampaignServiceDeps; request: PlanRequest; planDeps: PlanDeps },
): Promise<{ results: TestSendResult[]; rows: OutboxMessage[] }> {
  const { deps } = context;
  const sample = await sampleDecision(campaign, context.request, context.planDeps, contactPhone);
  // The sample's short links resolve like a campaign message's; clicks on them are not recorded (test: true).
  const links = (sample.links ?? []).map((link) => ({ code: link.code, campaignId: campaign.id, messageId: `test:${campaign.id}`, url: link.url, test: true }));
  await deps.store.links.insertMany(links);
  const now = deps.clock.now().toISOString();
  const results: TestSendResult[] = [];
  const rows: OutboxMessage[] = [];
  for (const raw of numbers) {
    const phone = normalizePhone(raw, deps.defaultCountry);
    if (!phone.ok) {
      results.push({ phone: maskPhone(raw), ok: false, detail: phone.reason });
      continue;
    }
    const refused = await refusal(campaign, phone.e164, deps);
    if (refused) {
      results.push({ phone: phone.e164, ok: false, detail: refused });
      continue;
    }
    const count = countSegments(sample.text);
    const gatewayId = deps.routeGateway?.(phone.country, campaign.gateway) ?? campaign.gateway;
    const gateway = deps.gateway(gatewayId);
    const row: OutboxMessage = {
      id: deps.newId(), campaignId: campaign.id, contactId: `test:${phone.e164}`, phone: phone.e164, kind: campaign.kind, variant: sample.variant,
      text: sample.text, encoding: count.encoding, segments: count.segments, cost: count.segments * priceFor(deps.prices, gatewayId, phone.country),
      sender: campaign.sender, gateway: gatewayId, sendAfter: now, status: 'sending', attempts: 1, test: true, createdAt: now, updatedAt: now,
    };
    const result = await gateway.send({ messageId: row.id, to: row.phone, from: row.sender, text: row.text, encoding: row.encoding, segments: row.segments });
    rows.push(result.ok ? { ...row, status: 'submitted', providerMessageId: result.providerMessageId, submittedAt: now } : { ...row, status: 'rejected', errorCode: result.error.code, finalAt: now });
    results.push({ phone: phone.e164, ok: result.ok, detail: result.ok ? result.providerMessageId : `${result.error.code}: ${result.error.message}` });
  }
  return { results, rows };
}
