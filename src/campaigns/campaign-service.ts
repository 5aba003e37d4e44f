import type { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import type { OutboxMessage } from '../delivery/outbox.js';
import type { SmsGateway } from '../delivery/gateway.js';
import type { CompliancePolicy } from '../messages/compliance/index.js';
import { checkSenderId } from '../messages/compliance/index.js';
import type { PriceTable } from '../messages/pricing.js';
import { compileTemplate } from '../messages/template.js';
import type { Store } from '../store/port.js';
import { listIdOf } from '../crm/list-segment.js';
import type { FilterNode } from '../segments/filter-types.js';
import type { Campaign, CampaignStatus } from './campaign.js';
import type { NoticeListener, ServiceNotice } from './notices.js';
import type { Decision, PlanDeps, PlanRequest } from './plan.js';
import type { TestSendResult } from './test-send.js';
import { checkBudgetAtCreate, withinBudget } from './budget.js';
import type { PreviewNotes } from './preview-notes.js';
import { previewNotes } from './preview-notes.js';
import { sendTest } from './test-send.js';
import { planCampaign, planPages } from './plan.js';
import { insertPlan } from './plan-writer.js';
import { PlanSummarizer } from './plan-summary.js';
import type { PlanSummary } from './plan-summary.js';
import type { CampaignReport } from './report.js';
import type { ShortLink } from '../store/port.js';
import { checkHoldoutPercent } from './holdout.js';
import { checkSurvey } from './survey.js';
import { campaignReportFrom } from './report.js';
import { assertStoreRoom } from './store-room.js';

export interface CampaignServiceDeps {
  store: Store;
  clock: Clock;
  newId(): string;
  policy: CompliancePolicy;
  defaultZone: string;
  defaultCountry: string;
  prices: PriceTable;
  currency: string;
  gateway(name: string): SmsGateway;
  /** See PlanDeps.routeGateway. */
  routeGateway?(country: string | undefined, requested: string | undefined): string;
  /** Sends to more recipients than this need a successful test send first. */
  testSendRequiredAbove: number;
  /** A CRM list (`list:<id>`) as an audience: its translated filters or its members, and a sentence saying which. */
  crmList?(listId: string): Promise<{ filter: FilterNode; note: string }>;
  /** Told when a campaign starts or finishes (notifications). */
  notify?: NoticeListener;
  /** Tracked links: the short link prefix (`<SHORT_LINK_BASE>/s/`) and the code generator; absent: links go as written. */
  shortLinks?: PlanDeps['shortLinks'];
  /** Outbox rows per slice of a plan written while it is made (default PLAN_SLICE). */
  planSlice?: number;
}

const ACTIVE: ReadonlySet<CampaignStatus> = new Set(['sending']);
/** Outbox rows per slice of a plan written while it is made (see planSlices). */
const PLAN_SLICE = 1000;

/** The campaign lifecycle: draft → scheduled → sending ⇄ paused → completed | canceled. */
export class CampaignService {
  constructor(private readonly deps: CampaignServiceDeps) {}

  /**
   * A segment reference as an audience: a saved segment's name, or `list:<id>` for a CRM list (read
   * from the CRM now). The one place both are resolved, for the REST API, the CLI and chat commands.
   */
  async resolveSegment(reference: string): Promise<{ segment: string; filter: FilterNode; note?: string }> {
    const listId = listIdOf(reference);
    if (listId !== undefined) {
      if (!this.deps.crmList) {
        throw new AppError('CONFIG_INVALID', `"${reference}" names a CRM list, but no CRM is connected.`, { hint: 'Set HUBSPOT_ACCESS_TOKEN (see README, HubSpot).' });
      }
      const list = await this.deps.crmList(listId);
      return { segment: reference, filter: list.filter, note: list.note };
    }
    const segment = await this.deps.store.segments.get(reference);
    if (!segment) throw new AppError('NOT_FOUND', `No segment named "${reference}".`, { hint: 'List them with: smsbridge segment list; a HubSpot list is list:<id>.' });
    return { segment: segment.name, filter: segment.filter, ...(segment.description ? { note: segment.description } : {}) };
  }

  async get(id: string): Promise<Campaign> {
    const campaign = await this.deps.store.campaigns.get(id);
    if (!campaign) throw new AppError('NOT_FOUND', `No campaign with id ${id}.`, { hint: 'List them with: smsbridge campaign list.' });
    return campaign;
  }

  /** Campaigns whose messages the dispatcher may send now. */
  async activeIds(): Promise<ReadonlySet<string>> {
    const active = (await this.deps.store.campaigns.list()).filter((c) => ACTIVE.has(c.status));
    return new Set((await withinBudget(active, this.deps)).map((c) => c.id));
  }

  async create(input: Omit<Campaign, 'id' | 'status' | 'createdAt' | 'updatedAt'>): Promise<Campaign> {
    const sender = checkSenderId(input.sender, this.deps.policy.senderRules.allowedKinds);
    if (!sender.ok) throw new AppError('VALIDATION_FAILED', `Sender "${input.sender}": ${sender.reason}`);
    for (const variant of input.variants) compileTemplate(variant.text, { name: variant.name, campaignVariables: Object.keys(input.campaignVariables) });
    if (input.survey) checkSurvey(input.survey);
    if (input.holdoutPercent !== undefined) checkHoldoutPercent(input.holdoutPercent);
    const now = this.deps.clock.now().toISOString();
    // 32 bits of a UUID: rare to collide, but a repeat must never merge two campaigns' outboxes, so a
    // taken id is drawn again and, should that keep happening, the whole UUID is used.
    let id = shortId(this.deps.newId());
    for (let attempt = 0; (await this.deps.store.campaigns.get(id)) !== undefined; attempt += 1) {
      const uuid = this.deps.newId().replace(/-/g, '');
      id = attempt < 3 ? uuid.slice(0, 8) : uuid;
    }
    if (input.maxCost !== undefined) {
      const preview = await this.previewOf({ ...input, id } as Campaign);
      checkBudgetAtCreate(input.maxCost, preview.cost, this.deps);
    }
    // The holdout is seeded by the campaign that asked for it; the runs of a recurring one inherit the seed.
    const seeded = input.holdoutPercent !== undefined && input.holdoutSeed === undefined ? { holdoutSeed: id } : {};
    const campaign: Campaign = { ...input, ...seeded, id, status: input.schedule.type === 'now' ? 'draft' : 'scheduled', createdAt: now, updatedAt: now };
    await this.deps.store.campaigns.put(campaign);
    return campaign;
  }

  planRequest(campaign: Campaign, at: Date): PlanRequest {
    return {
      campaignId: campaign.id, audience: 'phones' in campaign.audience ? { phones: campaign.audience.phones } : { filter: campaign.audience.filter },
      variants: campaign.variants, kind: campaign.kind, sender: campaign.sender, at, campaignVariables: campaign.campaignVariables, gateway: campaign.gateway,
      ...(tracksLinks(campaign) ? {} : { trackLinks: false }),
      ...(campaign.holdoutPercent ? { holdout: { seed: campaign.holdoutSeed ?? campaign.id, percent: campaign.holdoutPercent } } : {}),
    };
  }

  /** A consent request is transactional, yet waits for quiet hours to end like marketing. */
  private planDeps(campaign?: Campaign): PlanDeps {
    const { store, defaultZone, defaultCountry, prices, routeGateway, shortLinks } = this.deps;
    const policy = campaign?.source === 'consent_request' ? { ...this.deps.policy, quietHoursApplyTo: ['marketing', 'transactional'] as const } : this.deps.policy;
    return { store, policy: policy as CompliancePolicy, defaultZone, defaultCountry, prices, ...(routeGateway ? { routeGateway } : {}), ...(shortLinks ? { shortLinks } : {}) };
  }

  /** The plan summary, with the preview's notes (prices not configured, UCS-2 doubling the cost). */
  async preview(id: string): Promise<PlanSummary & PreviewNotes> {
    const campaign = await this.get(id);
    const summary = await this.previewOf(campaign);
    return { ...summary, ...previewNotes(summary, campaign.variants, this.deps.prices, { shortLinks: Boolean(this.deps.shortLinks), trackLinks: tracksLinks(campaign) }) };
  }

  private async previewOf(campaign: Campaign): Promise<PlanSummary> {
    const summarizer = new PlanSummarizer(this.deps.currency, campaign.variants.map((v) => v.name), 3, { holdout: Boolean(campaign.holdoutPercent) });
    const at = campaign.schedule.type === 'at' ? new Date(campaign.schedule.at) : this.deps.clock.now();
    for await (const decision of planCampaign(this.planRequest(campaign, at), this.planDeps(campaign))) summarizer.add(decision);
    return summarizer.result();
  }

  /**
   * Sends the campaign's message, rendered with one contact's data (or the first planned one), to the
   * given numbers; numbers that opted out are refused. A success unlocks large sends (TEST_SEND_REQUIRED_ABOVE).
   */
  async testSend(id: string, numbers: readonly string[], contactPhone?: string): Promise<TestSendResult[]> {
    const campaign = await this.get(id);
    assertStoreRoom(this.deps.store);
    // A test renders for any recipient, held out or not.
    const { holdout: _holdout, ...request } = this.planRequest(campaign, this.deps.clock.now());
    const { results, rows } = await sendTest(campaign, numbers, contactPhone, { deps: this.deps, request, planDeps: this.planDeps(campaign) });
    await this.deps.store.outbox.insertMany(rows);
    if (results.some((r) => r.ok)) await this.update(campaign, { testSentAt: this.deps.clock.now().toISOString() });
    await this.deps.store.flush();
    return results;
  }

  /**
   * Plans the audience into the outbox and starts sending (or resumes a paused campaign).
   * `skipTestSendCheck`: for automations (birthday greetings), which run unattended and have no test send.
   */
  async start(id: string, options: { skipTestSendCheck?: boolean; now?: boolean } = {}): Promise<Campaign> {
    const campaign = await this.get(id);
    assertStoreRoom(this.deps.store);
    if (campaign.status === 'paused') return this.update(campaign, { status: 'sending' });
    if (campaign.status === 'scheduled') {
      // A scheduled campaign is started by its schedule; sending it by hand needs saying so.
      if (!options.now) throw scheduledError(campaign);
      if (campaign.schedule.type === 'cron') return this.runScheduled(id);
    }
    if (campaign.status !== 'draft' && campaign.status !== 'scheduled') {
      throw new AppError('CONFLICT', `Campaign ${id} is ${campaign.status}; only a draft or scheduled campaign can be sent.`);
    }
    const at = this.deps.clock.now();
    const summarizer = new PlanSummarizer(this.deps.currency, campaign.variants.map((v) => v.name), 3, { holdout: Boolean(campaign.holdoutPercent) });
    await insertPlan(this.deps.store, this.planSlices(campaign, at, summarizer, !options.skipTestSendCheck && !campaign.testSentAt));
    const summary = summarizer.result();
    const started = await this.update(campaign, {
      status: 'sending', startedAt: at.toISOString(), lastRunAt: at.toISOString(), planned: { recipients: summary.toSend, excluded: summary.excluded },
    });
    await this.deps.store.flush();
    await this.tell({
      type: 'campaign_started', campaignId: id, name: campaign.name, kind: campaign.kind, recipients: summary.toSend, excluded: summary.excludedTotal,
      cost: summary.cost, currency: summary.currency, at: at.toISOString(),
    });
    return started;
  }

  /**
   * The campaign's plan as outbox rows, a slice of up to PLAN_SLICE at a time, summarized on the way;
   * each slice's short links are stored before it is handed out (a message never leaves before its link
   * resolves), and the holdout once the plan is complete. `guarded`: a send without a test send, refused
   * past testSendRequiredAbove messages: nothing is handed out until the plan is known to be within it
   * (at most that many rows are held), and past it the rest is only counted and the slices throw.
   */
  private async *planSlices(campaign: Campaign, at: Date, summarizer: PlanSummarizer, guarded: boolean): AsyncGenerator<OutboxMessage[]> {
    const limit = this.deps.testSendRequiredAbove;
    const now = at.toISOString();
    let rows: OutboxMessage[] = [];
    let links: ShortLink[] = [];
    const heldOut: string[] = [];
    let sends = 0;
    for await (const decisions of planPages(this.planRequest(campaign, at), this.planDeps(campaign))) {
      for (const decision of decisions) {
        summarizer.add(decision);
        if (decision.action === 'send') {
          sends += 1;
          if (guarded && sends > limit) {
            rows = [];
            links = [];
            continue;
          }
          const row = this.toRow(campaign, decision, now);
          rows.push(row);
          for (const link of decision.links ?? []) links.push({ code: link.code, campaignId: campaign.id, messageId: row.id, contactId: row.contactId, url: link.url });
        } else if (decision.action === 'held_out') heldOut.push(decision.contactId);
      }
      if (!guarded && rows.length >= (this.deps.planSlice ?? PLAN_SLICE)) {
        await this.deps.store.links.insertMany(links);
        links = [];
        yield rows;
        rows = [];
      }
    }
    if (guarded && sends > limit) {
      throw new AppError('CONFLICT', `This campaign would send ${sends} messages; more than ${limit} need a successful test send first.`, {
        hint: `Run: smsbridge campaign test ${campaign.id} --to <your number>, check the message on the phone, then send again.`,
      });
    }
    await this.deps.store.links.insertMany(links);
    if (campaign.holdoutPercent) await this.deps.store.holdouts.put({ id: campaign.id, contactIds: heldOut, percent: campaign.holdoutPercent, at: at.toISOString() });
    if (rows.length > 0) yield rows;
  }

  /** `now`: the start's time, as ISO text. */
  private toRow(campaign: Campaign, decision: Extract<Decision, { action: 'send' }>, now: string): OutboxMessage {
    return {
      id: this.deps.newId(), campaignId: campaign.id, contactId: decision.contactId, phone: decision.phone, kind: campaign.kind, variant: decision.variant,
      text: decision.text, encoding: decision.encoding, segments: decision.segments, cost: decision.cost, sender: campaign.sender, gateway: decision.gateway,
      sendAfter: decision.sendAfter ?? now, status: 'queued', attempts: 0, createdAt: now, updatedAt: now,
    };
  }

  async pause(id: string): Promise<Campaign> {
    const campaign = await this.get(id);
    if (campaign.status !== 'sending') throw new AppError('CONFLICT', `Campaign ${id} is ${campaign.status}; only a sending campaign can be paused.`);
    return this.update(campaign, { status: 'paused' });
  }

  /** Resumes a paused campaign; one paused by its budget resumes only with a higher `maxCost`. */
  async resume(id: string, options: { maxCost?: number } = {}): Promise<Campaign> {
    const campaign = await this.get(id);
    if (campaign.status !== 'paused') throw new AppError('CONFLICT', `Campaign ${id} is ${campaign.status}; only a paused campaign can be resumed.`);
    assertStoreRoom(this.deps.store);
    const maxCost = options.maxCost ?? campaign.maxCost;
    if (maxCost !== undefined && (await this.deps.store.outbox.spent(id)) >= maxCost) {
      throw new AppError('CONFLICT', `Campaign ${id} reached its budget of ${maxCost.toFixed(2)} ${this.deps.currency}.`, {
        hint: `Resume with a higher budget: smsbridge campaign resume ${id} --max-cost <amount>, or cancel it.`,
      });
    }
    const { stopReason: _stopped, ...rest } = campaign;
    return this.update(rest, { status: 'sending', ...(maxCost !== undefined ? { maxCost } : {}) });
  }

  /** Stops the campaign: queued messages are canceled; those already with the gateway run their course. */
  async cancel(id: string): Promise<Campaign> {
    const campaign = await this.get(id);
    if (campaign.status === 'completed' || campaign.status === 'canceled') throw new AppError('CONFLICT', `Campaign ${id} is already ${campaign.status}.`);
    const updated = await this.update(campaign, { status: 'canceled', finishedAt: this.deps.clock.now().toISOString() });
    const now = this.deps.clock.now().toISOString();
    const canceled: OutboxMessage[] = [];
    for (let afterId: string | undefined; ; ) {
      const page = await this.deps.store.outbox.listByCampaign(id, afterId === undefined ? { limit: 1000 } : { limit: 1000, afterId });
      if (page.length === 0) break;
      for (const row of page) if (row.status === 'queued') canceled.push({ ...row, status: 'canceled', finalAt: now, updatedAt: now });
      afterId = page[page.length - 1]?.id;
    }
    await this.deps.store.outbox.updateMany(canceled);
    await this.deps.store.flush();
    if (campaign.status !== 'draft') await this.tell({ type: 'campaign_finished', campaignId: id, name: campaign.name, status: 'canceled', at: now });
    return updated;
  }

  /**
   * One run of a scheduled campaign: a one-off starts itself; a recurring one starts a copy planned
   * anew (its own audience, caps and report), inheriting the parent's test send.
   */
  async runScheduled(id: string): Promise<Campaign> {
    const campaign = await this.get(id);
    if (campaign.status !== 'scheduled') throw new AppError('CONFLICT', `Campaign ${id} is ${campaign.status}, not scheduled.`);
    if (campaign.schedule.type !== 'cron') return this.start(id, { now: true });
    const now = this.deps.clock.now().toISOString();
    const { id: _parent, status: _status, createdAt: _created, updatedAt: _updated, ...rest } = campaign;
    const run = await this.create({ ...rest, name: `${campaign.name} ${now.slice(0, 16).replace('T', ' ')}`, schedule: { type: 'now' } });
    if (campaign.testSentAt) await this.update(run, { testSentAt: campaign.testSentAt });
    await this.update(campaign, { lastRunAt: now });
    return this.start(run.id);
  }

  /** A sending campaign with nothing queued or in flight is complete. */
  async completeIfDone(id: string): Promise<boolean> {
    const campaign = await this.get(id);
    if (campaign.status !== 'sending') return false;
    const counts = await this.deps.store.outbox.countByStatus(id);
    if ((counts.queued ?? 0) + (counts.sending ?? 0) > 0) return false;
    const finishedAt = this.deps.clock.now().toISOString();
    await this.update(campaign, { status: 'completed', finishedAt });
    await this.tell({ type: 'campaign_finished', campaignId: id, name: campaign.name, status: 'completed', at: finishedAt });
    return true;
  }

  /** Every message final or unknown (receipts included)? */
  async settled(id: string): Promise<boolean> {
    const counts = await this.deps.store.outbox.countByStatus(id);
    return (counts.queued ?? 0) + (counts.sending ?? 0) + (counts.submitted ?? 0) === 0;
  }

  /**
   * The campaign's delivery report, from the store's running totals: a few hundred numbers whatever
   * the campaign's size, so polling it never competes with sending. Figures other modules add to a
   * report (outcomes) take this one and return it with their keys.
   */
  async report(id: string): Promise<CampaignReport> {
    const [campaign, aggregate, inbound] = await Promise.all([this.get(id), this.deps.store.outbox.aggregate(id), this.deps.store.inbound.tally(id)]);
    const report = campaignReportFrom(campaign, { excluded: campaign.planned?.excluded ?? {}, aggregate, inbound, currency: this.deps.currency });
    if (campaign.maxCost === undefined) return report;
    const spent = aggregate.spent;
    return {
      ...report,
      budget: { maxCost: campaign.maxCost, spent, reached: spent >= campaign.maxCost, ...(campaign.stopReason ? { stoppedAt: campaign.stopReason.at } : {}) },
    };
  }

  /** Notifications never stop the lifecycle: a listener that fails is its own problem. */
  private async tell(notice: ServiceNotice): Promise<void> {
    try {
      await this.deps.notify?.(notice);
    } catch {
      // listeners log their own failures
    }
  }

  private async update(campaign: Campaign, changes: Partial<Campaign>): Promise<Campaign> {
    const updated = { ...campaign, ...changes, updatedAt: this.deps.clock.now().toISOString() };
    await this.deps.store.campaigns.put(updated);
    return updated;
  }
}

function scheduledError(campaign: Campaign): AppError {
  const when = campaign.schedule.type === 'at' ? `for ${campaign.schedule.at}` : campaign.schedule.type === 'cron' ? `to recur (cron "${campaign.schedule.cron}", ${campaign.schedule.timezone})` : '';
  return new AppError('CONFLICT', `Campaign ${campaign.id} is scheduled ${when}: its schedule starts it (while \`smsbridge run\` or \`serve\` is running).`, {
    hint: `To send it now anyway: smsbridge campaign send ${campaign.id} --now (REST: POST /api/v1/campaigns/${campaign.id}/send?now=true)${campaign.schedule.type === 'cron' ? '; for a recurring campaign that sends one run now' : ''}.`,
  });
}

/**
 * Are the campaign's links sent as tracked short links? Not when it says so, and never for one message
 * of `POST /messages` or a consent request: their text is the caller's own (a sign-in or order link
 * must arrive exactly as given).
 */
export function tracksLinks(campaign: Pick<Campaign, 'trackLinks' | 'source'>): boolean {
  return campaign.trackLinks !== false && campaign.source !== 'message' && campaign.source !== 'consent_request';
}

/** Short, readable campaign ids that can name files: the first 8 hex digits of a UUID. */
function shortId(uuid: string): string {
  return uuid.replace(/-/g, '').slice(0, 8);
}
