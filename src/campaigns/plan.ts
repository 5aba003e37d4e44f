import { AppError } from '../common/errors.js';
import { maskPhone } from '../common/mask.js';
import { readAhead } from '../common/read-ahead.js';
import type { Contact } from '../contacts/contact.js';
import { normalizePhone } from '../contacts/phone.js';
import type { CompliancePolicy, ExclusionReason, MessageKind, MessageLanguage } from '../messages/compliance/index.js';
import { applyMarketingFooter, checkSenderId, createRecipientChecker, messageLanguage } from '../messages/compliance/index.js';
import type { Encoding, SegmentCount } from '../messages/encoding.js';
import { countSegments } from '../messages/encoding.js';
import type { PriceTable } from '../messages/pricing.js';
import { priceFor } from '../messages/pricing.js';
import type { CompiledTemplate } from '../messages/template.js';
import { compileTemplate } from '../messages/template.js';
import type { FilterNode } from '../segments/filter.js';
import { compileFilter } from '../segments/evaluate.js';
import type { PlanningConsent, Store } from '../store/port.js';
import { suppressionLookup } from '../consent/suppression.js';
import type { Variant } from './variants.js';
import { createVariantPicker } from './variants.js';
import { createHoldoutPicker } from './holdout.js';
import type { PlacedLink } from '../clicks/short-links.js';
import { findLinks, markLinks, placeLinks } from '../clicks/short-links.js';

export type Audience = { filter: FilterNode } | { phones: readonly string[] };

export interface PlanRequest {
  /** Seeds the A/B assignment, so the same campaign assigns the same variants every time. */
  campaignId: string;
  audience: Audience;
  variants: readonly Variant[];
  kind: MessageKind;
  sender: string;
  /** When the campaign starts. */
  at: Date;
  campaignVariables?: Record<string, string>;
  gateway?: string;
  /** False: links are sent as written. Default: tracked, when PlanDeps.shortLinks is given. */
  trackLinks?: boolean;
  /** Keep this share of the eligible audience unsent (see holdout.ts). */
  holdout?: { seed: string; percent: number };
}

export interface PlanDeps {
  store: Store;
  /**
   * The gateway a recipient's message goes through: the campaign's own when it names one, else the
   * route for the number's country (SMS_ROUTES), else the default gateway. Absent: the campaign's.
   */
  routeGateway?(country: string | undefined, requested: string | undefined): string;
  policy: CompliancePolicy;
  defaultZone: string;
  defaultCountry: string;
  prices: PriceTable;
  /** Where tracked short links point (`<base>/s/`) and how their codes are drawn; absent: links are not tracked. */
  shortLinks?: { prefix: string; newCode(): string };
}

export type Decision =
  | {
      action: 'send';
      contactId: string;
      phone: string;
      variant: string;
      /** The concrete gateway id (never "default"), so receipts match the row. */
      gateway: string;
      text: string;
      encoding: Encoding;
      characters: number;
      segments: number;
      cost: number;
      /** ISO time before which it must not go (quiet hours); null: at the campaign's start. */
      sendAfter: string | null;
      zoneCertain: boolean;
      /** The tracked short links placed in `text`, in order (absent: none). */
      links?: PlacedLink[];
    }
  /** Eligible, but kept unsent by the campaign's holdout (not an exclusion). */
  | { action: 'held_out'; contactId: string; phone: string; variant: string }
  | { action: 'excluded'; contactId: string | null; phone: string; reason: ExclusionReason; missing?: string[] };

const PAGE = 1000;
/** Contacts per page when the store reads them with their consent and history (one query a page). */
const PLANNING_PAGE = 2000;
const NO_SENDS: readonly Date[] = Object.freeze([]);

/**
 * Decides, for every contact of the audience, whether it gets a message (which, when, at what cost)
 * or why not. Streams: contacts are read a page at a time and decisions yielded as they are made, so
 * memory does not grow with the audience.
 */
export async function* planCampaign(request: PlanRequest, deps: PlanDeps): AsyncGenerator<Decision> {
  for await (const decisions of planPages(request, deps)) yield* decisions;
}

/**
 * planCampaign a page at a time: the decisions of up to a page of contacts per step, in the same order.
 * For callers that fold the plan (a preview): one await per page instead of one per recipient.
 */
export async function* planPages(request: PlanRequest, deps: PlanDeps): AsyncGenerator<Decision[]> {
  const sender = checkSenderId(request.sender, deps.policy.senderRules.allowedKinds);
  if (!sender.ok) throw new AppError('VALIDATION_FAILED', `Sender "${request.sender}": ${sender.reason}`);
  const decide = createDecider(request, deps);
  // Erased contacts who had opted out are known only by a hash of their number: never messaged again.
  const suppressed = suppressionLookup(await deps.store.suppressions.list());
  const since = request.kind === 'marketing' ? new Date(request.at.getTime() - deps.policy.frequencyCap.days * 86_400_000) : undefined;
  const pages = 'filter' in request.audience && deps.store.planningPages
    ? storePlanningPages(request.audience.filter, request.at, since, deps)
    : readAhead(withLookups('filter' in request.audience ? segmentPages(request.audience.filter, request.at, deps) : phonePages(request.audience.phones, deps), since, deps));
  for await (const { page, lookups } of pages) {
    const [consent, history] = await lookups;
    const decisions = page.excluded;
    for (const contact of page.contacts) {
      const suppression = suppressed(contact.phone);
      if (suppression && (suppression.scope === 'all' || request.kind === 'marketing')) decisions.push(exclusion(contact, 'opted_out'));
      else decisions.push(decide(contact, consent.get(contact.id), history.get(contact.id) ?? NO_SENDS));
    }
    yield decisions;
  }
}

type Lookups = Promise<[ReadonlyMap<string, PlanningConsent>, ReadonlyMap<string, Date[]>]>;

/**
 * Each page's consent and send history, asked for as soon as the page is read (read ahead, so on a
 * database they are fetched while the page before is being decided).
 */
async function* withLookups(pages: AsyncIterable<Page>, since: Date | undefined, deps: PlanDeps): AsyncGenerator<{ page: Page; lookups: Lookups }> {
  for await (const page of pages) {
    const ids = page.contacts.map((contact) => contact.id);
    const lookups: Lookups = Promise.all([
      deps.store.consent.currentMany(ids),
      since !== undefined ? deps.store.outbox.marketingSendTimes(ids, since) : Promise.resolve(new Map<string, Date[]>()),
    ]);
    // Awaited by the caller; one that stops early must not leave its failure unhandled.
    lookups.catch(() => undefined);
    yield { page, lookups };
  }
}

/** A store that reads contacts with their consent and send history in one go (Store.planningPages): a page of each at a time. */
async function* storePlanningPages(filter: FilterNode, at: Date, since: Date | undefined, deps: PlanDeps): AsyncGenerator<{ page: Page; lookups: Lookups }> {
  const matches = compileFilter(filter, { now: at, zoneOf: (contact) => contact.timezone ?? deps.defaultZone });
  const pages = (deps.store.planningPages as NonNullable<Store['planningPages']>).call(deps.store, { batchSize: PLANNING_PAGE, ...(since ? { marketingSince: since } : {}) });
  for await (const { contacts, consent, history } of pages) {
    yield { page: { contacts: contacts.filter(matches), excluded: [] }, lookups: Promise.resolve([consent, history]) };
  }
}

function createDecider(request: PlanRequest, deps: PlanDeps) {
  const check = createRecipientChecker(deps.policy);
  const pickVariant = createVariantPicker(request.campaignId, request.variants);
  const variableNames = Object.keys(request.campaignVariables ?? {});
  const shortLinks = request.trackLinks === false ? undefined : deps.shortLinks;
  // Links are found once per variant and marked in its template; a text without links renders as before.
  const templates = new Map<string, { template: CompiledTemplate; urls: string[] }>(
    request.variants.map((v) => {
      const links = shortLinks ? findLinks(v.text) : [];
      const text = links.length > 0 ? markLinks(v.text, links) : v.text;
      return [v.name, { template: compileTemplate(text, { name: v.name, campaignVariables: variableNames }), urls: links.map((link) => link.url) }];
    }),
  );
  const heldOut = request.holdout ? createHoldoutPicker(request.holdout.seed, request.holdout.percent) : undefined;
  const gatewayFor = (country: string | undefined): string => deps.routeGateway?.(country, request.gateway) ?? request.gateway ?? 'default';
  const finish = createFinisher(request.kind === 'marketing', deps.policy);

  return (contact: Contact, consent: PlanningConsent | undefined, previousMarketing: readonly Date[]): Decision => {
    const verdict = check({ contact, consent, kind: request.kind, at: request.at, previousMarketing, defaultZone: deps.defaultZone });
    if (!verdict.ok) return exclusion(contact, verdict.reason);
    const variant = pickVariant(contact.id);
    const compiled = templates.get(variant.name) as { template: CompiledTemplate; urls: string[] };
    const rendered = compiled.template.render(contact, request.campaignVariables);
    if (!rendered.ok) return exclusion(contact, 'missing_variable', rendered.missing);
    if (heldOut?.(contact.id)) return { action: 'held_out', contactId: contact.id, phone: contact.phone, variant: variant.name };
    const placed = compiled.urls.length > 0 && shortLinks ? placeLinks(rendered.text, compiled.urls, shortLinks.prefix, shortLinks.newCode) : undefined;
    const body = placed ? placed.text : rendered.text;
    const { text, count } = finish(body, contact.phone);
    const gateway = gatewayFor(contact.country);
    return {
      action: 'send', contactId: contact.id, phone: contact.phone, variant: variant.name, gateway, text,
      encoding: count.encoding, characters: count.characters, segments: count.segments,
      cost: count.segments * priceFor(deps.prices, gateway, contact.country),
      sendAfter: verdict.sendAfter === null ? null : verdict.sendAfter.toISOString(), zoneCertain: verdict.zoneCertain,
      ...(placed && placed.links.length > 0 ? { links: placed.links } : {}),
    };
  };
}

function exclusion(contact: Contact, reason: ExclusionReason, missing?: string[]): Decision {
  return { action: 'excluded', contactId: contact.id, phone: contact.phone, reason, ...(missing ? { missing } : {}) };
}

interface Finished {
  text: string;
  count: SegmentCount;
}

/** Distinct bodies remembered per plan: past this, bodies are finished afresh (still correct, just not cached). */
const FINISHED_CACHE_MAX = 10_000;

/**
 * The sent text of a rendered body (with the marketing footer in the body's language) and its segment
 * count, remembered per body and language: 100,000 recipients of one campaign share a few hundred
 * distinct bodies, and the footer's word searches and the segment count cost more than the render.
 */
function createFinisher(marketing: boolean, policy: CompliancePolicy): (body: string, phone: string) => Finished {
  const cache: Record<MessageLanguage, Map<string, Finished>> = { ru: new Map(), en: new Map() };
  return (body, phone) => {
    const language = messageLanguage(body, phone);
    const known = cache[language];
    let finished = known.get(body);
    if (finished === undefined) {
      const text = marketing ? applyMarketingFooter(body, { language, adLabel: policy.adLabel, optOutText: policy.optOutText }).text : body;
      finished = { text, count: countSegments(text) };
      if (known.size < FINISHED_CACHE_MAX) known.set(body, finished);
    }
    return finished;
  };
}

interface Page {
  contacts: Contact[];
  excluded: Decision[];
}

async function* segmentPages(filter: FilterNode, at: Date, deps: PlanDeps): AsyncGenerator<Page> {
  const matches = compileFilter(filter, { now: at, zoneOf: (contact) => contact.timezone ?? deps.defaultZone });
  for await (const page of deps.store.contacts.scan({ batchSize: PAGE })) {
    yield { contacts: page.filter(matches), excluded: [] };
  }
}

/**
 * An explicit list of numbers: each is normalised; bad ones and repeats are excluded with a reason,
 * and a number with no contact yet is planned as a bare contact (no consent: transactional only).
 */
async function* phonePages(phones: readonly string[], deps: PlanDeps): AsyncGenerator<Page> {
  const seen = new Set<string>();
  for (let start = 0; start < phones.length; start += PAGE) {
    const excluded: Decision[] = [];
    const wanted: string[] = [];
    for (const raw of phones.slice(start, start + PAGE)) {
      const phone = normalizePhone(raw, deps.defaultCountry);
      if (!phone.ok) {
        const reason: ExclusionReason = phone.reason === 'not_mobile' ? 'not_mobile' : 'invalid_number';
        excluded.push({ action: 'excluded', contactId: null, phone: maskPhone(raw), reason });
      } else if (seen.has(phone.e164)) {
        excluded.push({ action: 'excluded', contactId: null, phone: phone.e164, reason: 'duplicate' });
      } else {
        seen.add(phone.e164);
        wanted.push(phone.e164);
      }
    }
    const known = await deps.store.contacts.getByPhones(wanted);
    const contacts = wanted.map((phone) => known.get(phone) ?? bareContact(phone, deps.defaultCountry));
    yield { contacts, excluded };
  }
}

function bareContact(phone: string, defaultCountry: string): Contact {
  const parsed = normalizePhone(phone, defaultCountry);
  return {
    id: `phone:${phone}`, phone, interests: [], tags: [], properties: {}, createdAt: '', updatedAt: '',
    ...(parsed.ok && parsed.country ? { country: parsed.country } : {}),
  };
}
