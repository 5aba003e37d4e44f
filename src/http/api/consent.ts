import { z } from 'zod';
import { requestConsent } from '../../campaigns/consent-request.js';
import { segmentNameSchema } from '../../segments/index.js';
import { checkRoute } from './campaigns.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { parseInput } from './schemas.js';
import { loadSegment } from './segments.js';

export const consentRequestBody = z.strictObject({
  segment: segmentNameSchema,
  text: z.string().trim().min(1).max(1000).optional(),
  sender: z.string().min(1).max(20).optional(),
  gateway: z.string().min(1).max(64).default('default'),
});

const consentRequestResponse = z.object({
  id: z.string(),
  asked: z.number().int(),
  skipped: z.object({ alreadyOptedIn: z.number().int(), optedOut: z.number().int() }),
  planned: z.object({ recipients: z.number().int(), excluded: z.record(z.string(), z.number()) }).optional(),
});

/** Double opt-in requests. */
export function consentRoutes({ app }: ApiDeps): ApiRoute[] {
  return [
    {
      method: 'post', path: '/consent/requests', tag: 'contacts', body: consentRequestBody, response: consentRequestResponse,
      summary: 'Send a consent request (CONSENT_REQUEST_TEXT unless `text`) to the segment\'s contacts without consent; a yes within CONSENT_REQUEST_WINDOW_HOURS records their opt-in. The running service sends it.',
      responses: { 202: '{ id (campaign), asked, skipped, planned }', 400: 'Invalid body, sender or gateway, or nobody to ask', 404: 'No such segment' },
      handle: async (req, res) => {
        const body = parseInput(consentRequestBody, req.body, 'body');
        const route = checkRoute(app, body.sender, body.gateway);
        const result = await requestConsent(
          { segment: await loadSegment(app, body.segment), text: body.text ?? app.config.CONSENT_REQUEST_TEXT, ...route },
          { store: app.store, campaigns: app.campaigns, now: app.clock.now(), defaultZone: app.config.DEFAULT_TIMEZONE },
        );
        res.status(202).json({ id: result.campaign.id, asked: result.asked, skipped: result.skipped, planned: result.campaign.planned });
      },
    },
  ];
}
