import type { AppContext } from '../../app.js';
import { saveSegment } from '../../segments/save-segment.js';
import { matchFilter } from '../../segments/match.js';
import { AppError } from '../../common/errors.js';
import { describeFilter } from '../../segments/index.js';
import type { Segment } from '../../segments/index.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { parseInput, segmentBody, segmentParams, segmentPreviewQuery, segmentReferenceParams } from './schemas.js';
import { listIdOf } from '../../crm/list-segment.js';

export async function loadSegment(app: AppContext, name: string): Promise<Segment> {
  const segment = await app.store.segments.get(name);
  if (!segment) {
    const known = (await app.store.segments.list()).map((s) => s.name);
    throw new AppError('NOT_FOUND', `No segment named "${name}".`, {
      hint: known.length ? `Saved segments: ${known.join(', ')}.` : 'Create one with PUT /api/v1/segments/{name}.',
    });
  }
  return segment;
}


export function segmentRoutes({ app }: ApiDeps): ApiRoute[] {
  const nameOf = (params: unknown): string => parseInput(segmentParams, params, 'params').name;
  return [
    {
      method: 'get', path: '/segments', tag: 'segments', summary: 'Saved segments, by name.',
      responses: { 200: 'An array of segments' },
      handle: async (_req, res) => {
        res.json(await app.store.segments.list());
      },
    },
    {
      method: 'put', path: '/segments/:name', tag: 'segments', summary: 'Save or replace a segment (a filter over contact fields and properties).', body: segmentBody, returns: 'Segment',
      responses: { 200: 'Replaced', 201: 'Created', 400: 'Invalid name or filter (details name the path)' },
      handle: async (req, res) => {
        const name = nameOf(req.params);
        const body = parseInput(segmentBody, req.body, 'body');
        const { segment, replaced } = await saveSegment({ name, filter: body.filter, ...(body.description ? { description: body.description } : {}) }, app);
        await app.store.flush();
        res.status(replaced ? 200 : 201).json(segment);
      },
    },
    {
      method: 'get', path: '/segments/:name', tag: 'segments', summary: 'One segment.', returns: 'Segment',
      responses: { 200: 'The segment', 404: 'No such segment' },
      handle: async (req, res) => {
        res.json(await loadSegment(app, nameOf(req.params)));
      },
    },
    {
      method: 'delete', path: '/segments/:name', tag: 'segments', summary: 'Delete a segment (campaigns keep their copy of its filter).',
      responses: { 204: 'Deleted', 404: 'No such segment' },
      handle: async (req, res) => {
        const name = nameOf(req.params);
        if (!(await app.store.segments.delete(name))) await loadSegment(app, name);
        await app.store.flush();
        res.status(204).end();
      },
    },
    {
      method: 'get', path: '/segments/:name/preview', tag: 'segments', summary: 'How many contacts the segment matches now, with a sample.', query: segmentPreviewQuery,
      responses: { 200: '{ name, filter, description, count, total, sample } (as `segment preview --json`)', 400: 'Invalid query', 404: 'No such segment' },
      handle: async (req, res) => {
        const { sample: size } = parseInput(segmentPreviewQuery, req.query, 'query');
        const reference = parseInput(segmentReferenceParams, req.params, 'params').name;
        const found = listIdOf(reference) !== undefined ? await app.campaigns.resolveSegment(reference).then((r) => ({ name: r.segment, filter: r.filter, description: r.note })) : await loadSegment(app, reference);
        const { count, sample } = await matchFilter(app.store.contacts, found.filter, { now: app.clock.now(), defaultZone: app.config.DEFAULT_TIMEZONE, sampleSize: size });
        res.json({ name: found.name, filter: found.filter, description: describeFilter(found.filter), ...(found.description ? { note: found.description } : {}), count, total: await app.store.contacts.count(), sample });
      },
    },
  ];
}
