import type { AppContext } from '../../app.js';
import { AppError } from '../../common/errors.js';
import { compileTemplate } from '../../messages/template.js';
import type { Template } from '../../messages/template-record.js';
import { parseTemplateRecord } from '../../messages/template-record.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { parseInput, templateBody, templateParams } from './schemas.js';

export async function loadTemplate(app: AppContext, name: string): Promise<Template> {
  const template = await app.store.templates.get(name);
  if (!template) {
    const known = (await app.store.templates.list()).map((t) => t.name);
    throw new AppError('NOT_FOUND', `No template named "${name}".`, {
      hint: known.length ? `Saved templates: ${known.join(', ')}.` : 'Save one with PUT /api/v1/templates/{name}.',
    });
  }
  return template;
}

/** Property names the contacts have, so `{{properties.typo}}` is refused at save time. */
async function knownProperties(app: AppContext): Promise<string[]> {
  const properties = new Set<string>();
  for await (const page of app.store.contacts.scan({ batchSize: 5000 })) for (const c of page) for (const key of Object.keys(c.properties)) properties.add(key);
  return [...properties];
}

export function templateRoutes({ app }: ApiDeps): ApiRoute[] {
  const nameOf = (params: unknown): string => parseInput(templateParams, params, 'params').name;
  return [
    {
      method: 'get', path: '/templates', tag: 'templates', summary: 'Saved templates, by name.',
      responses: { 200: 'An array of templates' },
      handle: async (_req, res) => {
        res.json(await app.store.templates.list());
      },
    },
    {
      method: 'put', path: '/templates/:name', tag: 'templates', summary: 'Save or replace a template; unknown variables are refused with the list of known ones.', body: templateBody, returns: 'Template',
      responses: { 200: 'Replaced', 201: 'Created', 400: 'Invalid name or text; unknown variables (`details.known` lists the known names)' },
      handle: async (req, res) => {
        const name = nameOf(req.params);
        const body = parseInput(templateBody, req.body, 'body');
        const properties = await knownProperties(app);
        compileTemplate(body.text, { name, campaignVariables: body.variables, ...(properties.length ? { knownProperties: properties } : {}) });
        const now = app.clock.now().toISOString();
        const previous = await app.store.templates.get(name);
        const record = parseTemplateRecord({
          name, text: body.text, variables: body.variables, createdAt: previous?.createdAt ?? now, updatedAt: now, ...(body.description ? { description: body.description } : {}),
        });
        await app.store.templates.put(record);
        await app.store.flush();
        res.status(previous ? 200 : 201).json(record);
      },
    },
    {
      method: 'get', path: '/templates/:name', tag: 'templates', summary: 'One template.', returns: 'Template',
      responses: { 200: 'The template', 404: 'No such template' },
      handle: async (req, res) => {
        res.json(await loadTemplate(app, nameOf(req.params)));
      },
    },
  ];
}
