import { z } from 'zod';
import { filterSchema } from '../../segments/index.js';
import { errorResponse } from './responses.js';
import type { ApiResponse, ApiRoute } from './route.js';
import { openApiPath, pathParams } from './route.js';

type JsonSchema = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';
const ref = (name: string): JsonSchema => ({ $ref: `${COMPONENTS}${name}` });

/** The filter tree is read by a hand-written reader (better errors than a recursive union), so its JSON Schema is written out here. */
const FILTER: JsonSchema = {
  description: 'A condition {"field": "city", "op": "eq", "value": "Москва"}, or a group {"and": [...]}, {"or": [...]}, {"not": {...}}. Fields: phone, firstName, lastName, gender, birthDate, city, country, timezone, interests, tags, createdAt, updatedAt, properties.<name>.',
  oneOf: [
    { type: 'object', required: ['field', 'op'], properties: { field: { type: 'string' }, op: { type: 'string' }, value: {} }, additionalProperties: false },
    { type: 'object', required: ['and'], properties: { and: { type: 'array', items: ref('Filter') } }, additionalProperties: false },
    { type: 'object', required: ['or'], properties: { or: { type: 'array', items: ref('Filter') } }, additionalProperties: false },
    { type: 'object', required: ['not'], properties: { not: ref('Filter') }, additionalProperties: false },
  ],
};

/**
 * Converts zod to JSON Schema 2020-12 (what OpenAPI 3.1 uses): `input` for what a client sends,
 * `output` for what the server answers. Schemas with a `.meta({ id })` become components, shared
 * through `components`; filters point at the one Filter schema.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const converted = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      if ((ctx.zodSchema as unknown) === filterSchema) {
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        Object.assign(ctx.jsonSchema, ref('Filter'));
      }
    },
  }) as JsonSchema;
  const { $schema: _dialect, $defs, ...rest } = JSON.parse(JSON.stringify(converted).replaceAll('"#/$defs/', `"${COMPONENTS}`)) as JsonSchema & { $defs?: Record<string, JsonSchema> };
  for (const [name, def] of Object.entries($defs ?? {})) components[name] ??= def;
  return rest;
}

const PARAMS: Record<string, string> = {
  phone: 'A phone number in any common form; E.164 recommended (URL-encode + as %2B).',
  name: 'The name (letters, digits, spaces, - _ .).',
  id: 'The campaign id.',
};

function parameters(route: ApiRoute, components: Record<string, JsonSchema>): JsonSchema[] {
  const list: JsonSchema[] = pathParams(route.path).map((name) => ({ name, in: 'path', required: true, description: PARAMS[name] ?? name, schema: { type: 'string' } }));
  if (route.query) {
    const query = jsonSchema(route.query, 'input', components) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) list.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
  }
  for (const header of route.headers ?? []) list.push({ name: header.name, in: 'header', required: header.required, description: header.description, schema: header.schema });
  return list;
}

function requestBody(route: ApiRoute, components: Record<string, JsonSchema>): JsonSchema | undefined {
  if (route.upload) return { required: true, content: Object.fromEntries(route.upload.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }])) };
  if (route.body) return { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input', components) } } };
  return undefined;
}

/** The statuses every route of its kind can answer, besides its own. */
function implied(route: ApiRoute): Record<number, string> {
  const statuses: Record<number, string> = {};
  if (route.body !== undefined || route.upload !== undefined) {
    statuses[400] = 'Invalid body (not JSON, or fails the schema; `details` lists each problem by path)';
    statuses[413] = 'The body is over the size limit (256 kB of JSON)';
  }
  if (!route.public) statuses[401] = 'Missing or wrong API key';
  return statuses;
}

const routeName = (route: ApiRoute): string => `${route.method.toUpperCase()} ${route.path}`;

function responses(route: ApiRoute, components: Record<string, JsonSchema>): JsonSchema {
  const all: Record<string, ApiResponse | string> = { ...implied(route), ...route.responses };
  const out: JsonSchema = {};
  for (const [status, declared] of Object.entries(all)) {
    const code = Number(status);
    const answer: ApiResponse = typeof declared === 'string' ? { description: declared } : declared;
    const headers = answer.headers ? { headers: answer.headers } : {};
    if (code === 204) {
      out[status] = { description: answer.description, ...headers };
      continue;
    }
    const schema = answer.schema ?? (code >= 400 ? errorResponse : code < 300 ? route.response : undefined);
    if (!schema) throw new Error(`${routeName(route)}: response ${status} has no schema; declare it as { description, schema: <zod schema> } (or set the route's \`response\`)`);
    out[status] = { description: answer.description, ...headers, content: { [answer.contentType ?? 'application/json']: { schema: jsonSchema(schema, 'output', components) } } };
  }
  out.default = { description: 'Any other error (405 wrong method with an Allow header, 500, 503 data store locked)', content: { 'application/json': { schema: ref('Error') } } };
  return out;
}

function operationId(route: ApiRoute): string {
  const words = route.path.split(/[/.:-]+/).filter(Boolean).map((w) => w[0]?.toUpperCase() + w.slice(1));
  return `${route.method}${words.join('')}`;
}

/** The OpenAPI 3.1 document, built from the same table that registers the routes; throws when a route's answer has no schema. */
export function openApiDocument(routes: readonly ApiRoute[]): JsonSchema {
  const components: Record<string, JsonSchema> = { Filter: FILTER };
  jsonSchema(errorResponse, 'output', components);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const body = requestBody(route, components);
    (paths[openApiPath(route.path)] ??= {})[route.method] = {
      operationId: operationId(route), tags: [route.tag], summary: route.summary, ...(route.public ? { security: [] } : {}),
      parameters: parameters(route, components), ...(body ? { requestBody: body } : {}), responses: responses(route, components),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'sms-bridge REST API', version: '1.0.0',
      description: 'Contacts, consent, segments, templates, campaigns and transactional messages. Every error is {"error", "hint"?, "details"?}. A known path with another method answers 405 with an Allow header. This document is served without the API key.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API_KEY>' } },
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}
