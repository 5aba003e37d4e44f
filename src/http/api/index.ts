import express from 'express';
import type { Router } from 'express';
import { campaignRoutes } from './campaigns.js';
import { campaignResultRoutes } from './campaign-results.js';
import { consentRoutes } from './consent.js';
import { personalDataRoutes } from './personal-data.js';
import { contactRoutes } from './contacts.js';
import { messageRoutes } from './messages.js';
import { openApiDocument } from './openapi.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { segmentRoutes } from './segments.js';
import { templateRoutes } from './templates.js';

export type { ApiDeps, ApiRoute } from './route.js';

/** Every route of the REST API, /openapi.json included: the one table behind registration and the document. */
export function apiRoutes(deps: ApiDeps): ApiRoute[] {
  const routes: ApiRoute[] = [...contactRoutes(deps), ...segmentRoutes(deps), ...templateRoutes(deps), ...campaignRoutes(deps), ...messageRoutes(deps)];
  routes.push(...campaignResultRoutes(deps), ...consentRoutes(deps), ...personalDataRoutes(deps));
  let document: object | undefined;
  routes.push({
    method: 'get', path: '/openapi.json', tag: 'meta', summary: 'This API described in OpenAPI 3.1.',
    responses: { 200: 'The OpenAPI document' },
    handle: async (_req, res) => {
      res.json((document ??= openApiDocument(routes)));
    },
  });
  return routes;
}

/** The REST API under /api/v1 (bearer-authenticated, JSON bodies parsed by the caller). */
export function apiRouter(deps: ApiDeps): Router {
  const router = express.Router();
  for (const route of apiRoutes(deps)) router[route.method](route.path, ...(route.middleware ?? []), route.handle);
  return router;
}
