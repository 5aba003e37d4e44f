import { z } from 'zod';
import { contactSchema } from '../../contacts/contact.js';
import { templateSchema } from '../../messages/template-record.js';
import { filterSchema, segmentSchema } from '../../segments/index.js';
import type { ApiRoute } from './route.js';
import { openApiPath, pathParams } from './route.js';

type JsonSchema = Record<string, unknown>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** zod → JSON Schema 2020-12 (what OpenAPI 3.1 uses), describing what a client sends; filters point at one shared schema. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      if ((ctx.zodSchema as unknown) === filterSchema) {
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        Object.assign(ctx.jsonSchema, ref('Filter'));
      }
    },
  }) as JsonSchema;
  return rest;
}

const PARAMS: Record<string, string> = {
  phone: 'A phone number in any common form; E.164 recommended (URL-encode + as %2B).',
  name: 'The name (letters, digits, spaces, - _ .).',
  id: 'The campaign id.',
};

function parameters(route: ApiRoute): JsonSchema[] {
  const list: JsonSchema[] = pathParams(route.path).map((name) => ({ name, in: 'path', required: true, description: PARAMS[name] ?? name, schema: { type: 'string' } }));
  if (route.query) {
    const query = jsonSchema(route.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) list.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
  }
  for (const header of route.headers ?? []) list.push({ name: header.name, in: 'header', required: header.required, description: header.description, schema: header.schema });
  return list;
}

function requestBody(route: ApiRoute): JsonSchema | undefined {
  if (route.upload) return { required: true, content: Object.fromEntries(route.upload.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }])) };
  if (route.body) return { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } };
  return undefined;
}

function responses(route: ApiRoute): JsonSchema {
  const all: Record<string, string> = { ...route.responses, 401: 'Missing or wrong API key' };
  return Object.fromEntries(Object.entries(all).map(([status, description]) => {
    const code = Number(status);
    if (code === 204) return [status, { description }];
    const schema = code >= 400 ? ref('Error') : route.returns ? ref(route.returns) : {};
    return [status, { description, content: { 'application/json': { schema } } }];
  }));
}

function operationId(route: ApiRoute): string {
  const words = route.path.split(/[/.:-]+/).filter(Boolean).map((w) => w[0]?.toUpperCase() + w.slice(1));
  return `${route.method}${words.join('')}`;
}

const CAMPAIGN: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'status', 'kind', 'audience', 'variants', 'campaignVariables', 'sender', 'gateway', 'schedule', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' }, name: { type: 'string' },
    status: { enum: ['draft', 'scheduled', 'sending', 'paused', 'completed', 'canceled'] },
    kind: { enum: ['marketing', 'transactional'] },
    audience: { oneOf: [{ type: 'object', properties: { segment: { type: 'string' }, filter: ref('Filter') }, required: ['filter'] }, { type: 'object', properties: { phones: { type: 'array', items: { type: 'string' } } }, required: ['phones'] }] },
    variants: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, text: { type: 'string' }, weight: { type: 'number' } } } },
    campaignVariables: { type: 'object', additionalProperties: { type: 'string' } },
    sender: { type: 'string' }, gateway: { type: 'string' }, schedule: { type: 'object' },
    planned: { type: 'object' }, testSentAt: { type: 'string' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' },
  },
};

const FILTER: JsonSchema = {
  description: 'A condition {"field": "city", "op": "eq", "value": "Москва"}, or a group {"and": [...]}, {"or": [...]}, {"not": {...}}.',
  oneOf: [
    { type: 'object', required: ['field', 'op'], properties: { field: { type: 'string' }, op: { type: 'string' }, value: {} } },
    { type: 'object', required: ['and'], properties: { and: { type: 'array', items: { $ref: '#/components/schemas/Filter' } } } },
    { type: 'object', required: ['or'], properties: { or: { type: 'array', items: { $ref: '#/components/schemas/Filter' } } } },
    { type: 'object', required: ['not'], properties: { not: { $ref: '#/components/schemas/Filter' } } },
  ],
};

/** The OpenAPI 3.1 document, built from the same table that registers the routes. */
export function openApiDocument(routes: readonly ApiRoute[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const body = requestBody(route);
    (paths[openApiPath(route.path)] ??= {})[route.method] = {
      operationId: operationId(route), tags: [route.tag], summary: route.summary, parameters: parameters(route), ...(body ? { requestBody: body } : {}), responses: responses(route),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'sms-bridge REST API', version: '1.0.0', description: 'Contacts, consent, segments, templates, campaigns and transactional messages. Errors are {"error", "hint"?, "details"?}.' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API_KEY>' } },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' }, hint: { type: 'string' }, details: {} } },
        Filter: FILTER,
        Contact: jsonSchema(contactSchema),
        Segment: jsonSchema(segmentSchema),
        Template: jsonSchema(templateSchema),
        Campaign: CAMPAIGN,
      },
    },
  };
}
