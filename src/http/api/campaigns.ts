import { z } from 'zod';
import type { AppContext } from '../../app.js';
import { AppError } from '../../common/errors.js';
import type { Campaign, CampaignSchedule } from '../../campaigns/campaign.js';
import type { Variant } from '../../campaigns/variants.js';
import { checkSenderId } from '../../messages/compliance/index.js';
import { chooseSender, senderNotesAlongRoutes } from '../../delivery/choose-sender.js';
import type { SmsGateway } from '../../delivery/gateway.js';
import { validateCron } from '../../schedule/scheduler.js';
import type { ApiDeps, ApiRoute } from './route.js';
import type { CampaignBody } from './schemas.js';
import { campaignPreviewResponse, campaignReportResponse, campaignResponse, sendResponse, statusResponse, testSendResponse } from './responses.js';
import { campaignBody, campaignParams, parseInput, testSendBody } from './schemas.js';
import { loadSegment } from './segments.js';
import { listIdOf } from '../../crm/list-segment.js';
import { loadTemplate } from './templates.js';
import type { CampaignSource } from '../../campaigns/campaign.js';
import { listCampaigns } from '../../campaigns/campaign-list.js';
import { campaignListQuery, resumeBody, sendQuery } from './operator-schemas.js';
import { reportWithOutcomes } from '../../reports/outcome-service.js';

type CampaignInput = Parameters<AppContext['campaigns']['create']>[0];

/**
 * The gateway and sender a send goes through, checked before anything is saved: the sender asked
 * for, else SMS_SENDER, else the gateway's own; `notes` say where the phone will show something else.
 */
export function checkRoute(app: AppContext, sender: string | undefined, gateway: string): { sender: string; gateway: string; notes: string[] } {
  let chosenGateway: SmsGateway;
  try {
    chosenGateway = app.gateway(gateway);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('VALIDATION_FAILED', message, { details: [{ path: 'body.gateway', message }], ...(error instanceof AppError && error.hint ? { hint: error.hint } : {}) });
  }
  const chosen = chooseSender(sender, app.config.SMS_SENDER, chosenGateway);
  const check = checkSenderId(chosen.sender, app.policy.senderRules.allowedKinds);
  if (!check.ok) throw new AppError('VALIDATION_FAILED', `Sender "${chosen.sender}": ${check.reason}`, { details: [{ path: 'body.sender', message: check.reason }] });
  return { sender: chosen.sender, gateway, notes: senderNotesAlongRoutes(chosen.sender, gateway, { gateway: app.gateway, routes: app.config.SMS_ROUTES }) };
}

/** What phones will show instead of the campaign's sender, through its gateway and the countries SMS_ROUTES sends elsewhere. */
function notesFor(app: AppContext, campaign: Campaign): string[] {
  return senderNotesAlongRoutes(campaign.sender, campaign.gateway, { gateway: app.gateway, routes: app.config.SMS_ROUTES });
}

/** A campaign as every route answers it: with its message counts and sender notes. */
async function campaignView(app: AppContext, campaign: Campaign): Promise<z.input<typeof campaignResponse>> {
  return { ...campaign, messages: await app.store.outbox.countByStatus(campaign.id), senderNotes: notesFor(app, campaign) };
}

function scheduleOf(app: AppContext, schedule: CampaignBody['schedule']): CampaignSchedule {
  if (schedule.type === 'at') return { type: 'at', at: new Date(schedule.at).toISOString() };
  if (schedule.type === 'now') return { type: 'now' };
  const valid = validateCron(schedule.cron);
  if (!valid.ok) throw new AppError('VALIDATION_FAILED', valid.reason, { details: [{ path: 'body.schedule.cron', message: valid.reason }] });
  return { type: 'cron', cron: schedule.cron, timezone: schedule.timezone ?? app.config.DEFAULT_TIMEZONE };
}

async function audienceOf(app: AppContext, audience: CampaignBody['audience']): Promise<Campaign['audience']> {
  if (audience.segment !== undefined && listIdOf(audience.segment) !== undefined) {
    const list = await app.campaigns.resolveSegment(audience.segment);
    return { segment: list.segment, filter: list.filter };
  }
  if (audience.segment !== undefined) {
    const segment = await loadSegment(app, audience.segment);
    return { segment: segment.name, filter: segment.filter };
  }
  if (audience.filter !== undefined) return { filter: audience.filter };
  return { phones: audience.phones ?? [] };
}

async function variantsOf(app: AppContext, body: CampaignBody): Promise<Variant[]> {
  if (body.variants) return body.variants;
  if (body.text !== undefined) return [{ name: 'A', text: body.text, weight: 1 }];
  const template = await loadTemplate(app, body.template ?? '');
  const missing = template.variables.filter((name) => body.variables[name] === undefined);
  if (missing.length > 0) {
    throw new AppError('VALIDATION_FAILED', `The template needs values for: ${missing.join(', ')}.`, { details: missing.map((name) => ({ path: `body.variables.${name}`, message: 'required by the template' })) });
  }
  return [{ name: 'A', text: template.text, weight: 1 }];
}

async function campaignInput(app: AppContext, body: CampaignBody): Promise<CampaignInput> {
  const route = checkRoute(app, body.sender, body.gateway);
  return {
    name: body.name, kind: body.kind, audience: await audienceOf(app, body.audience), variants: await variantsOf(app, body),
    campaignVariables: body.variables, sender: route.sender, gateway: route.gateway, schedule: scheduleOf(app, body.schedule),
    source: 'operator', ...(body.maxCost !== undefined ? { maxCost: body.maxCost } : {}),
    ...(body.trackLinks ? {} : { trackLinks: false }), ...(body.holdout !== undefined ? { holdoutPercent: body.holdout } : {}),
    ...(body.survey ? { survey: body.survey } : {}),
  };
}

export function campaignRoutes({ app }: ApiDeps): ApiRoute[] {
  const idOf = (params: unknown): string => parseInput(campaignParams, params, 'params').id;
  const lifecycle = (action: 'pause' | 'resume' | 'cancel', summary: string): ApiRoute => ({
    method: 'post', path: `/campaigns/:id/${action}`, tag: 'campaigns', summary,
    ...(action === 'resume' ? { body: resumeBody } : {}),
    responses: { 200: { description: 'The campaign\'s new status', schema: statusResponse }, 404: 'No such campaign', 409: 'Not possible in the campaign\'s current status (or its budget is reached)' },
    handle: async (req, res) => {
      const resume = action === 'resume' ? parseInput(resumeBody, req.body ?? {}, 'body') : {};
      const updated = action === 'resume' ? await app.campaigns.resume(idOf(req.params), resume.maxCost !== undefined ? { maxCost: resume.maxCost } : {}) : await app.campaigns[action](idOf(req.params));
      await app.store.flush();
      res.json({ id: updated.id, status: updated.status });
    },
  });
  return [
    {
      method: 'post', path: '/campaigns', tag: 'campaigns', summary: 'Create a campaign: a draft to send, or scheduled (`at` once, `cron` recurring).', body: campaignBody,
      responses: { 201: { description: 'The campaign', schema: campaignResponse }, 400: 'Invalid body, unknown template variables, bad sender, gateway or cron', 404: 'Unknown segment or template' },
      handle: async (req, res) => {
        const created = await app.campaigns.create(await campaignInput(app, parseInput(campaignBody, req.body, 'body')));
        await app.store.flush();
        res.status(201).json(await campaignView(app, created));
      },
    },
    {
      method: 'get', path: '/campaigns', tag: 'campaigns', summary: 'Campaigns: the operator\'s own, not archived; `source` (message, consent_request, automation), `archived=true` or `all=true` for the others.',
      query: campaignListQuery,
      responses: { 200: { description: 'The campaigns, each with its message counts', schema: z.array(campaignResponse) }, 400: 'Invalid query' },
      handle: async (req, res) => {
        const query = parseInput(campaignListQuery, req.query, 'query');
        const campaigns = await listCampaigns(app.store, { ...(query.source ? { source: query.source as CampaignSource } : {}), archived: query.archived, all: query.all });
        res.json(await Promise.all(campaigns.map((c) => campaignView(app, c))));
      },
    },
    {
      method: 'get', path: '/campaigns/:id', tag: 'campaigns', summary: 'One campaign with its message counts by status.',
      responses: { 200: { description: 'The campaign and `messages`', schema: campaignResponse }, 404: 'No such campaign' },
      handle: async (req, res) => {
        res.json(await campaignView(app, await app.campaigns.get(idOf(req.params))));
      },
    },
    {
      method: 'post', path: '/campaigns/:id/preview', tag: 'campaigns', summary: 'What the campaign would send now: counts, exclusions by reason, cost, samples.',
      responses: { 200: { description: 'The plan summary (as `campaign preview --json`)', schema: campaignPreviewResponse }, 404: 'No such campaign' },
      handle: async (req, res) => {
        const found = await app.campaigns.get(idOf(req.params));
        res.json({ ...(await app.campaigns.preview(found.id)), sender: { id: found.sender, notes: notesFor(app, found) } });
      },
    },
    {
      method: 'post', path: '/campaigns/:id/test', tag: 'campaigns', summary: 'Send the message, rendered for one contact, to your own numbers; large sends need a successful test.', body: testSendBody,
      responses: { 200: { description: 'One result per number', schema: testSendResponse }, 400: 'Invalid body or nobody to render for', 404: 'No such campaign' },
      handle: async (req, res) => {
        const id = idOf(req.params);
        const body = parseInput(testSendBody, req.body, 'body');
        const results = await app.campaigns.testSend(id, body.to, body.contact);
        res.json({ id, ok: results.some((r) => r.ok), results });
      },
    },
    {
      method: 'post', path: '/campaigns/:id/send', tag: 'campaigns', summary: 'Start the campaign: plan it into the outbox; the running service sends it. A scheduled campaign starts by its schedule: `now=true` sends it at once.',
      query: sendQuery,
      responses: { 202: { description: 'Planned into the outbox; the running service sends it', schema: sendResponse }, 404: 'No such campaign', 409: 'Not a draft, scheduled without `now=true`, or a test send is needed first' },
      handle: async (req, res) => {
        const started = await app.campaigns.start(idOf(req.params), { now: parseInput(sendQuery, req.query, 'query').now });
        res.status(202).json({ id: started.id, status: started.status, planned: started.planned });
      },
    },
    lifecycle('pause', 'Pause a sending campaign (takes effect within about one second).'),
    lifecycle('resume', 'Resume a paused campaign; one paused by its budget needs a higher `maxCost`.'),
    lifecycle('cancel', 'Cancel a campaign: queued messages are canceled.'),
    {
      method: 'get', path: '/campaigns/:id/report', tag: 'campaigns', summary: 'Delivered, failed, replies, opt-outs, cost and A/B variants; clicks, conversions, revenue, ROI and lift against the holdout.',
      responses: { 200: { description: 'The report (as `campaign report --json`)', schema: campaignReportResponse }, 404: 'No such campaign' },
      handle: async (req, res) => {
        res.json((await reportWithOutcomes(app, idOf(req.params))).report);
      },
    },
  ];
}
