import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { AppContext } from '../../app.js';
import type { DeliveryEngine } from '../../engine.js';

export interface ApiDeps {
  app: AppContext;
  engine: DeliveryEngine;
}

export type HttpMethod = 'get' | 'put' | 'post' | 'delete';

/** One answer of a route, as /openapi.json describes it. */
export interface ApiResponse {
  description: string;
  /** The body's schema, the one the handler's answer is checked against (tests validate every answer). */
  schema?: z.ZodType;
  /** Default `application/json`; a file download names its type (`text/csv`) with `schema: z.string()`. */
  contentType?: string;
  /** Response headers the route sets. */
  headers?: Readonly<Record<string, { description: string; schema: object }>>;
}

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
  /**
   * Every status the route answers itself, each with its body's zod schema: required for a 2xx (but
   * 204), and `errorResponse` when left out of an error. A plain string is a description alone, for
   * errors. 401 (unless `public`), 400 and 413 (routes with a body) are added to the document.
   */
  responses: Readonly<Record<number, ApiResponse | string>>;
  /** Shorthand: the schema of every 2xx in `responses` given as a description alone. */
  response?: z.ZodType;
  /** Served without the API key (the OpenAPI document). */
  public?: boolean;
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
