import type { Clock } from '../common/clock.js';
import { AppError, isAppError } from '../common/errors.js';
import type { Contact } from '../contacts/contact.js';
import { localParts } from '../contacts/timezone.js';
import type { Store } from '../store/port.js';
import type { BirthdayAutomation } from './birthday.js';
import { greetingKey, isBirthdayGreetingDue } from './birthday.js';
import type { CampaignService } from './campaign-service.js';

export interface BirthdayRunDeps {
  store: Store;
  campaigns: CampaignService;
  clock: Clock;
  /** The zone of contacts without a valid timezone of their own. */
  defaultZone: string;
  /** The automation's template, read at every run (so an edited template applies from the next hour). */
  loadTemplateText(name: string): Promise<{ text: string; variables: readonly string[] }>;
}

export interface BirthdayRunResult {
  /** The campaign created for this run; null when nobody was due. */
  campaignId: string | null;
  /** Contacts with a greeting queued (those excluded by consent, caps and so on are not counted). */
  recipients: number;
}

export interface BirthdayRunOutcome extends BirthdayRunResult {
  automationId: string;
  /** Set when this automation failed; the others still ran. */
  error?: string;
}

interface DueContact {
  contact: Contact;
  key: string;
  date: string;
}

const PAGE = 1000;

/**
 * One hourly run of a birthday automation: the contacts whose local date is their birthday and whose
 * local hour is the automation's hour, not yet greeted this (local) year, get one marketing campaign
 * to their numbers — planned like any campaign (consent, quiet hours, minors, caps) but with no test
 * send. Every contact that got a queued message is recorded under its greetingKey; an excluded one is
 * not, so a later run in the same local hour tries it again (once its consent or cap allows).
 */
export async function runBirthdayAutomation(automation: BirthdayAutomation, deps: BirthdayRunDeps): Promise<BirthdayRunResult> {
  if (!automation.enabled) return { campaignId: null, recipients: 0 };
  const now = deps.clock.now();
  const due = await dueContacts(automation, now, deps);
  if (due.length === 0) return { campaignId: null, recipients: 0 };

  const template = await deps.loadTemplateText(automation.template);
  if (template.variables.length > 0) {
    throw new AppError('VALIDATION_FAILED', `Template "${automation.template}" needs campaign variables (${template.variables.join(', ')}), which a birthday automation cannot supply.`, {
      hint: 'Use a template that only uses contact fields such as {{firstName}}.',
    });
  }
  // Each greeting is claimed before its message is planned: of two runs at once (as when the leader
  // changes mid-run), only the one that claimed a contact greets them.
  const at = now.toISOString();
  const claimed: DueContact[] = [];
  for (const d of due) if (await deps.store.greetings.putIfAbsent({ id: d.key, at })) claimed.push(d);
  if (claimed.length === 0) return { campaignId: null, recipients: 0 };
  let queued = new Set<string>();
  try {
    const dates = [...new Set(claimed.map((d) => d.date))].sort();
    const campaign = await deps.campaigns.create({
      name: `${automation.name} ${dates.join('/')}`, kind: 'marketing', audience: { phones: claimed.map((d) => d.contact.phone) },
      variants: [{ name: 'A', text: template.text, weight: 1 }], campaignVariables: {}, sender: automation.sender, gateway: 'default', schedule: { type: 'now' }, source: 'automation',
    });
    await deps.campaigns.start(campaign.id, { skipTestSendCheck: true });
    queued = await queuedContactIds(deps.store, campaign.id);
    const greeted = claimed.filter((d) => queued.has(d.contact.id));
    // Nobody could be greeted (all excluded): the campaign is done, its report says why.
    if (greeted.length === 0) await deps.campaigns.completeIfDone(campaign.id);
    return { campaignId: campaign.id, recipients: greeted.length };
  } finally {
    // A claim whose message was not queued (excluded, or the run failed) is let go: a later run tries again.
    for (const d of claimed) if (!queued.has(d.contact.id)) await deps.store.greetings.delete(d.key);
    await deps.store.flush();
  }
}

/** Runs every enabled automation once, in id order; a failing one is reported and does not stop the rest. */
export async function runBirthdayAutomations(deps: BirthdayRunDeps): Promise<BirthdayRunOutcome[]> {
  const outcomes: BirthdayRunOutcome[] = [];
  for (const automation of await deps.store.automations.list()) {
    if (!automation.enabled) continue;
    try {
      outcomes.push({ automationId: automation.id, ...(await runBirthdayAutomation(automation, deps)) });
    } catch (error) {
      if (!isAppError(error)) throw error;
      outcomes.push({ automationId: automation.id, campaignId: null, recipients: 0, error: error.message });
    }
  }
  return outcomes;
}

async function dueContacts(automation: BirthdayAutomation, now: Date, deps: BirthdayRunDeps): Promise<DueContact[]> {
  const candidates: DueContact[] = [];
  for await (const page of deps.store.contacts.scan({ batchSize: PAGE })) {
    for (const contact of page) {
      const check = isBirthdayGreetingDue(contact, now, automation.hour, deps.defaultZone);
      if (!check.due) continue;
      const local = localParts(now, check.zone);
      const date = `${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
      candidates.push({ contact, key: greetingKey(automation.id, contact.id, check.year), date });
    }
  }
  // Few contacts have a birthday in a given hour, so one lookup each is cheap.
  const due: DueContact[] = [];
  for (const candidate of candidates) if (!(await deps.store.greetings.get(candidate.key))) due.push(candidate);
  return due;
}

async function queuedContactIds(store: Store, campaignId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let afterId: string | undefined; ; ) {
    const page = await store.outbox.listByCampaign(campaignId, afterId === undefined ? { limit: PAGE } : { limit: PAGE, afterId });
    if (page.length === 0) return ids;
    for (const row of page) if (row.status === 'queued' && !row.test) ids.add(row.contactId);
    afterId = page[page.length - 1]?.id;
  }
}
