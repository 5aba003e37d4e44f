import { z } from 'zod';
import { conversionInputSchema } from '../../outcomes/conversion.js';
import { recordAppConversions } from '../../reports/outcome-service.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { conversionBatchResponse, conversionResultResponse } from './outcome-responses.js';
import { parseInput } from './schemas.js';

/** Up to this many conversions in one request; a larger file goes through `smsbridge conversions import`. */
export const CONVERSION_BATCH_MAX = 1000;

export const conversionBody = z.union([
  conversionInputSchema,
  z.object({ conversions: z.array(conversionInputSchema).min(1).max(CONVERSION_BATCH_MAX) }).strict(),
]);

/** Single-conversion answers: recorded 201, the same order again 200, a conflicting order 409, an unknown contact 422. */
const STATUS = { recorded: 201, duplicate: 200, conflict: 409, unknown_contact: 422 } as const;

export function conversionRoutes({ app }: ApiDeps): ApiRoute[] {
  return [
    {
      method: 'post', path: '/conversions', tag: 'outcomes',
      summary: `Record an order (or \`{ conversions: [...] }\`, up to ${CONVERSION_BATCH_MAX}): idempotent by \`orderId\`, credited to the campaign that last reached the contact within ATTRIBUTION_WINDOW_DAYS (a click beats a delivery).`,
      body: conversionBody,
      responses: {
        201: { description: 'One order recorded, with the campaign it is credited to (if any)', schema: conversionResultResponse },
        200: { description: 'The same order again (nothing changed), or a batch: one result per order', schema: z.union([conversionResultResponse, conversionBatchResponse]) },
        409: { description: 'The order id was recorded with another amount, currency, contact or time; the first record stands', schema: conversionResultResponse },
        422: { description: 'No contact with that id or phone', schema: conversionResultResponse },
      },
      handle: async (req, res) => {
        const body = parseInput(conversionBody, req.body, 'body');
        if ('conversions' in body) {
          const result = await recordAppConversions(app, body.conversions, 'api');
          res.json({ recorded: result.recorded, duplicates: result.duplicates, conflicts: result.conflicts, unknownContacts: result.unknownContacts, results: result.outcomes });
          return;
        }
        const [outcome] = (await recordAppConversions(app, [body], 'api')).outcomes;
        if (!outcome) throw new Error('recordConversions answered nothing for one conversion');
        res.status(STATUS[outcome.result]).json(outcome);
      },
    },
  ];
}
