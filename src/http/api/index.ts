import express from 'express';
import type { RequestHandler, Router } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../../common/errors.js';
import { jsonNestingExceeds } from '../../common/json-depth.js';
import { campaignRoutes } from './campaigns.js';
import { campaignResultRoutes } from './campaign-results.js';
import { consentRoutes } from './consent.js';
import { conversionRoutes } from './conversions.js';
import { personalDataRoutes } from './personal-data.js';
import { contactRoutes } from './contacts.js';
import { messageRoutes } from './messages.js';
import { openApiDocument } from './openapi.js';
import { openApiResponse } from './responses.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { segmentRoutes } from './segments.js';
import { templateRoutes } from './templates.js';

export type { ApiDeps, ApiResponse, ApiRoute } from './route.js';

/** Every route of the REST API, /openapi.json included: the one table behind registration and the document. */
export function apiRoutes(deps: ApiDeps): ApiRoute[] {
  const routes: ApiRoute[] = [...contactRoutes(deps), ...segmentRoutes(deps), ...templateRoutes(deps), ...campaignRoutes(deps), ...messageRoutes(deps)];
  routes.push(...campaignResultRoutes(deps), ...consentRoutes(deps), ...personalDataRoutes(deps));
  routes.push(...conversionRoutes(deps));
  let document: object | undefined;
  routes.push({
    method: 'get', path: '/openapi.json', tag: 'meta', summary: 'This API described in OpenAPI 3.1 (no API key needed).', public: true,
    responses: { 200: { description: 'The OpenAPI document', schema: openApiResponse } },
    handle: async (_req, res) => {
      res.json((document ??= openApiDocument(routes)));
    },
  });
  return routes;
}

/** A known path asked with a method it does not have: 405 with the methods it has (RFC 9110 §15.5.6). */
function methodNotAllowed(methods: readonly string[]): RequestHandler {
  const allow = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'].filter((m) => methods.includes(m === 'HEAD' ? 'get' : m.toLowerCase())).join(', ');
  return (req, res) => {
    res.set('Allow', allow);
    if (req.method === 'OPTIONS') res.status(204).end();
    else res.status(405).json({ error: `${req.method} is not allowed here.`, hint: `This path answers ${allow}.` });
  };
}

/** Deeper than any real request (a segment filter nests a few groups); beyond it, 400 before parsing. */
const API_MAX_JSON_DEPTH = 64;

/** body-parser's verify hook: a body nested absurdly deep is refused unparsed, never a stack overflow (500). */
function refuseDeepJson(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  if (jsonNestingExceeds(body.toString('utf8'), API_MAX_JSON_DEPTH)) {
    throw new AppError('VALIDATION_FAILED', `The request body nests deeper than ${API_MAX_JSON_DEPTH} levels.`);
  }
}

/**
 * The REST API under /api/v1: each route checks the bearer key (but the public OpenAPI document),
 * then parses a JSON body of up to 256 kB (413 beyond), unless it brings its own body parser.
 */
export function apiRouter(deps: ApiDeps & { apiKey: RequestHandler }): Router {
  const router = express.Router();
  const json = express.json({ limit: '256kb', verify: refuseDeepJson });
  const routes = apiRoutes(deps);
  for (const route of routes) router[route.method](route.path, ...(route.public ? [] : [deps.apiKey]), ...(route.middleware ?? [json]), route.handle);
  const methods = new Map<string, string[]>();
  for (const route of routes) methods.set(route.path, [...(methods.get(route.path) ?? []), route.method]);
  for (const [path, list] of methods) router.all(path, methodNotAllowed(list));
  return router;
}
