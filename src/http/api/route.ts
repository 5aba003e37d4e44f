import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { AppContext } from '../../app.js';
import type { DeliveryEngine } from '../../engine.js';

export interface ApiDeps {
  app: AppContext;
  engine: DeliveryEngine;
}

export type HttpMethod = 'get' | 'put' | 'post' | 'delete';

/**
 * One REST route: the single table that both registers the handler and describes it in
 * /openapi.json, so the two cannot drift apart.
 */
export interface ApiRoute {
  method: HttpMethod;
  /** Express syntax (`/contacts/:phone`); OpenAPI gets `{phone}`. */
  path: string;
  tag: string;
  summary: string;
  /** Query parameters, as a zod object (validated by the handler with the same schema). */
  query?: z.ZodObject;
  /** A JSON request body. */
  body?: z.ZodType;
  /** A raw upload instead of JSON: the accepted content types. */
  upload?: readonly string[];
  /** Request headers the route reads. */
  headers?: ReadonlyArray<{ name: string; required: boolean; description: string; schema: object }>;
  /** Status → description; the first 2xx is the success response. */
  responses: Readonly<Record<number, string>>;
  /** A components/schemas name for the success body. */
  returns?: string;
  /** The success body as a zod schema (described in /openapi.json). */
  response?: z.ZodType;
  middleware?: readonly RequestHandler[];
  handle(req: Request, res: Response): Promise<void>;
}

/** `/contacts/:phone` → `/contacts/{phone}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

/** The `:name` parameters of an express path. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_]\w*)/g)].map((match) => match[1] as string);
}
