import type { AppContext } from '../../app.js';
import { AppError } from '../../common/errors.js';
import type { Campaign, CampaignSchedule } from '../../campaigns/campaign.js';
import type { Variant } from '../../campaigns/variants.js';
import { checkSenderId } from '../../messages/compliance/index.js';
import { validateCron } from '../../schedule/scheduler.js';
import type { ApiDeps, ApiRoute } from './route.js';
import type { CampaignBody } from './schemas.js';
import { campaignBody, campaignParams, parseInput, testSendBody } from './schemas.js';
import { loadSegment } from './segments.js';
import { listIdOf } from '../../crm/list-segment.js';
import { loadTemplate } from './templates.js';

type CampaignInput = Parameters<AppContext['campaigns']['create']>[0];

/** The sender (default SMS_SENDER) and gateway a send goes through, checked before anything is saved. */
export function checkRoute(app: AppContext, sender: string | undefined, gateway: string): { sender: string; gateway: string } {
  const chosen = sender ?? app.config.SMS_SENDER;
  if (!chosen) throw new AppError('VALIDATION_FAILED', 'No sender id: pass `sender` or set SMS_SENDER.', { details: [{ path: 'body.sender', message: 'required when SMS_SENDER is unset' }] });
  const check = checkSenderId(chosen, app.policy.senderRules.allowedKinds);
  if (!check.ok) throw new AppError('VALIDATION_FAILED', `Sender "${chosen}": ${check.reason}`, { details: [{ path: 'body.sender', message: check.reason }] });
  try {
    app.gateway(gateway);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('VALIDATION_FAILED', message, { details: [{ path: 'body.gateway', message }], ...(error instanceof AppError && error.hint ? { hint: error.hint } : {}) });
  }
  return { sender: chosen, gateway };
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
  };
}

export function campaignRoutes({ app }: ApiDeps): ApiRoute[] {
  const idOf = (params: unknown): string => parseInput(campaignParams, params, 'params').id;
  const lifecycle = (action: 'pause' | 'resume' | 'cancel', summary: string): ApiRoute => ({
    method: 'post', path: `/campaigns/:id/${action}`, tag: 'campaigns', summary,
    responses: { 200: '{ id, status }', 404: 'No such campaign', 409: 'Not possible in the campaign\'s current status' },
    handle: async (req, res) => {
      const updated = await app.campaigns[action](idOf(req.params));
      await app.store.flush();
      res.json({ id: updated.id, status: updated.status });
    },
  });
  return [
    {
      method: 'post', path: '/campaigns', tag: 'campaigns', summary: 'Create a campaign: a draft to send, or scheduled (`at` once, `cron` recurring).', body: campaignBody, returns: 'Campaign',
      responses: { 201: 'The campaign', 400: 'Invalid body, unknown template variables, bad sender, gateway or cron', 404: 'Unknown segment or template' },
      handle: async (req, res) => {
        const created = await app.campaigns.create(await campaignInput(app, parseInput(campaignBody, req.body, 'body')));
        await app.store.flush();
        res.status(201).json(created);
      },
    },
    {
      method: 'get', path: '/campaigns', tag: 'campaigns', summary: 'All campaigns.',
      responses: { 200: 'An array of campaigns' },
      handle: async (_req, res) => {
        res.json(await app.store.campaigns.list());
      },
    },
    {
      method: 'get', path: '/campaigns/:id', tag: 'campaigns', summary: 'One campaign with its message counts by status.', returns: 'Campaign',
      responses: { 200: 'The campaign and `messages`', 404: 'No such campaign' },
      handle: async (req, res) => {
        const found = await app.campaigns.get(idOf(req.params));
        res.json({ ...found, messages: await app.store.outbox.countByStatus(found.id) });
      },
    },
    {
      method: 'post', path: '/campaigns/:id/preview', tag: 'campaigns', summary: 'What the campaign would send now: counts, exclusions by reason, cost, samples.',
      responses: { 200: 'The plan summary (as `campaign preview --json`)', 404: 'No such campaign' },
      handle: async (req, res) => {
        res.json(await app.campaigns.preview(idOf(req.params)));
      },
    },
    {
      method: 'post', path: '/campaigns/:id/test', tag: 'campaigns', summary: 'Send the message, rendered for one contact, to your own numbers; large sends need a successful test.', body: testSendBody,
      responses: { 200: '{ id, ok, results: [{ phone, ok, detail }] }', 400: 'Invalid body or nobody to render for', 404: 'No such campaign' },
      handle: async (req, res) => {
        const id = idOf(req.params);
        const body = parseInput(testSendBody, req.body, 'body');
        const results = await app.campaigns.testSend(id, body.to, body.contact);
        res.json({ id, ok: results.some((r) => r.ok), results });
      },
    },
    {
      method: 'post', path: '/campaigns/:id/send', tag: 'campaigns', summary: 'Start the campaign: plan it into the outbox; the running service sends it.',
      responses: { 202: '{ id, status, planned }', 404: 'No such campaign', 409: 'Not a draft or scheduled campaign, or a test send is needed first' },
      handle: async (req, res) => {
        const started = await app.campaigns.start(idOf(req.params));
        res.status(202).json({ id: started.id, status: started.status, planned: started.planned });
      },
    },
    lifecycle('pause', 'Pause a sending campaign (takes effect within one batch).'),
    lifecycle('resume', 'Resume a paused campaign.'),
    lifecycle('cancel', 'Cancel a campaign: queued messages are canceled.'),
    {
      method: 'get', path: '/campaigns/:id/report', tag: 'campaigns', summary: 'Delivered, failed, replies, opt-outs, cost and A/B variants.',
      responses: { 200: 'The report (as `campaign report --json`)', 404: 'No such campaign' },
      handle: async (req, res) => {
        res.json(await app.campaigns.report(idOf(req.params)));
      },
    },
  ];
}
