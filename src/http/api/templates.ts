import { z } from 'zod';
import type { AppContext } from '../../app.js';
import { saveTemplate } from '../../messages/save-template.js';
import { AppError } from '../../common/errors.js';
import type { Template } from '../../messages/template-record.js';
import { templateResponse } from './responses.js';
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


export function templateRoutes({ app }: ApiDeps): ApiRoute[] {
  const nameOf = (params: unknown): string => parseInput(templateParams, params, 'params').name;
  return [
    {
      method: 'get', path: '/templates', tag: 'templates', summary: 'Saved templates, by name.',
      responses: { 200: { description: 'Every saved template', schema: z.array(templateResponse) } },
      handle: async (_req, res) => {
        res.json(await app.store.templates.list());
      },
    },
    {
      method: 'put', path: '/templates/:name', tag: 'templates', summary: 'Save or replace a template; unknown variables are refused with the list of known ones.', body: templateBody,
      responses: { 200: { description: 'Replaced', schema: templateResponse }, 201: { description: 'Created', schema: templateResponse }, 400: 'Invalid name or text; unknown variables (`details.known` lists the known names)' },
      handle: async (req, res) => {
        const name = nameOf(req.params);
        const body = parseInput(templateBody, req.body, 'body');
        const { template, replaced } = await saveTemplate({ name, text: body.text, variables: body.variables, ...(body.description ? { description: body.description } : {}) }, app);
        await app.store.flush();
        res.status(replaced ? 200 : 201).json(template);
      },
    },
    {
      method: 'get', path: '/templates/:name', tag: 'templates', summary: 'One template.',
      responses: { 200: { description: 'The template', schema: templateResponse }, 404: 'No such template' },
      handle: async (req, res) => {
        res.json(await loadTemplate(app, nameOf(req.params)));
      },
    },
  ];
}
