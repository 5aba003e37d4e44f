import { archiveCampaign, archiveOlderThan } from '../../campaigns/campaign-list.js';
import { resultsPage } from '../../campaigns/recipient-results.js';
import { listReplies } from '../../campaigns/replies.js';
import type { MessageStatus } from '../../delivery/outbox.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { campaignParams, parseInput } from './schemas.js';
import { archiveBody, archivedSchema, messagesPageSchema, messagesQuery, repliesPageSchema, repliesQuery } from './operator-schemas.js';

/** Per-recipient results, replies and archiving. */
export function campaignResultRoutes({ app }: ApiDeps): ApiRoute[] {
  return [
    {
      method: 'get', path: '/campaigns/:id/messages', tag: 'campaigns', query: messagesQuery, response: messagesPageSchema,
      summary: 'Per-recipient results, a page at a time in message id order: phone (masked unless `unmasked=true`), name, variant, status, error code, sent and delivered times, cost, reply.',
      responses: { 200: '{ items, next }: pass `next` as `after` for the following page', 400: 'Invalid query', 404: 'No such campaign' },
      handle: async (req, res) => {
        const { id } = parseInput(campaignParams, req.params, 'params');
        const query = parseInput(messagesQuery, req.query, 'query');
        await app.campaigns.get(id);
        res.json(await resultsPage(app.store, id, {
          limit: query.limit, unmasked: query.unmasked, ...(query.after ? { after: query.after } : {}), ...(query.status ? { statuses: new Set<MessageStatus>(query.status) } : {}),
        }));
      },
    },
    {
      method: 'get', path: '/replies', tag: 'campaigns', query: repliesQuery, response: repliesPageSchema,
      summary: 'Replies from recipients (opt-outs, opt-ins and help requests included), oldest first; `campaign` and `since` narrow them.',
      responses: { 200: '{ items, next }: pass `next` as `since` for the following page', 400: 'Invalid query', 404: 'No such campaign' },
      handle: async (req, res) => {
        const query = parseInput(repliesQuery, req.query, 'query');
        if (query.campaign) await app.campaigns.get(query.campaign);
        res.json(await listReplies(app.store, {
          limit: query.limit, unmasked: query.unmasked, ...(query.campaign ? { campaignId: query.campaign } : {}), ...(query.since ? { since: new Date(query.since).toISOString() } : {}),
        }));
      },
    },
    {
      method: 'post', path: '/campaigns/:id/archive', tag: 'campaigns', response: archivedSchema,
      summary: 'Archive a draft or finished campaign: hidden from the campaign list unless `archived=true`.',
      responses: { 200: '{ archived: [id] }', 404: 'No such campaign', 409: 'The campaign may still send' },
      handle: async (req, res) => {
        const archived = await archiveCampaign(app.store, app.clock, parseInput(campaignParams, req.params, 'params').id);
        await app.store.flush();
        res.json({ archived: [archived.id] });
      },
    },
    {
      method: 'post', path: '/campaigns/archive', tag: 'campaigns', body: archiveBody, response: archivedSchema,
      summary: 'Archive every completed or canceled campaign that finished more than `olderThanDays` days ago.',
      responses: { 200: '{ archived: [ids] }', 400: 'Invalid body' },
      handle: async (req, res) => {
        const archived = await archiveOlderThan(app.store, app.clock, parseInput(archiveBody, req.body, 'body').olderThanDays);
        await app.store.flush();
        res.json({ archived });
      },
    },
  ];
}
