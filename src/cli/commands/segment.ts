import fs from 'node:fs';
import { matchFilter } from '../../segments/match.js';
import { saveSegment } from '../../segments/save-segment.js';
import type { Command } from 'commander';
import type { AppContext } from '../../app.js';
import { AppError } from '../../common/errors.js';
import { describeFilter, parseFilter, segmentNameSchema } from '../../segments/index.js';
import type { FilterNode } from '../../segments/filter.js';
import type { Segment } from '../../segments/filter.js';
import { withApp } from '../context.js';
import { segmentFromCrmList } from '../../crm/list-segment.js';
import { syncedProperties } from '../../crm/map-contact.js';
import { printJson, printLines, table } from '../output.js';

/** `--filter '{"field":...}'` or `--filter @file.json`. */
export function readFilterOption(value: string): FilterNode {
  let text = value;
  if (value.startsWith('@')) {
    const file = value.slice(1);
    if (!fs.existsSync(file)) throw new AppError('VALIDATION_FAILED', `Filter file not found: ${file}.`);
    text = fs.readFileSync(file, 'utf8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The filter is not valid JSON.', {
      hint: `Write it as JSON, e.g. --filter '{"field":"city","op":"eq","value":"Москва"}', or put it in a file and pass --filter @file.json.`,
    });
  }
  return parseFilter(json);
}

export async function loadSegment(app: AppContext, name: string): Promise<Segment> {
  const segment = await app.store.segments.get(name);
  if (!segment) {
    const known = (await app.store.segments.list()).map((s) => s.name);
    throw new AppError('NOT_FOUND', `No segment named "${name}".`, {
      hint: known.length ? `Saved segments: ${known.join(', ')}.` : 'Create one with: smsbridge segment create <name> --filter <json>.',
    });
  }
  return segment;
}

function parseName(name: string): string {
  const parsed = segmentNameSchema.safeParse(name);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', `Segment name "${name}": ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  return parsed.data;
}


export function registerSegmentCommands(program: Command): void {
  const segment = program.command('segment').description('Saved audiences: filters over contact fields and properties.');

  segment
    .command('create')
    .description('Save (or replace) a segment.')
    .argument('<name>', 'segment name (letters, digits, spaces, - _ .)')
    .requiredOption('--filter <json|@file>', 'the filter tree as JSON, e.g. {"field":"city","op":"eq","value":"Москва"}')
    .option('--description <text>', 'what the segment is for')
    .option('--json', 'print JSON')
    .action(async (rawName: string, flags: { filter: string; description?: string; json?: boolean }) => {
      const name = parseName(rawName);
      const filter = readFilterOption(flags.filter);
      await withApp({}, async (app) => {
        const { segment: saved, replaced } = await saveSegment({ name, filter, ...(flags.description ? { description: flags.description } : {}) }, app);
        if (flags.json) printJson(saved);
        else printLines([`${replaced ? 'Replaced' : 'Saved'} segment "${name}": ${describeFilter(filter)}`]);
      });
    });

  segment
    .command('list')
    .description('List saved segments.')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      await withApp({ readOnly: true }, async (app) => {
        const segments = await app.store.segments.list();
        if (flags.json) printJson(segments);
        else printLines(segments.length ? table(['name', 'filter'], segments.map((s) => [s.name, describeFilter(s.filter)])) : ['No segments yet.']);
      });
    });

  segment
    .command('show')
    .description('Show one segment.')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, flags: { json?: boolean }) => {
      await withApp({ readOnly: true }, async (app) => {
        const found = await loadSegment(app, name);
        if (flags.json) printJson(found);
        else printLines([`${found.name}: ${describeFilter(found.filter)}`, ...(found.description ? [found.description] : []), JSON.stringify(found.filter, null, 2)]);
      });
    });

  segment
    .command('delete')
    .description('Delete a saved segment.')
    .argument('<name>')
    .action(async (name: string) => {
      await withApp({}, async (app) => {
        if (!(await app.store.segments.delete(name))) await loadSegment(app, name);
        printLines([`Deleted segment "${name}".`]);
      });
    });

  segment
    .command('from-hubspot-list')
    .description('Save a HubSpot list as a segment: its filters when they translate exactly, else its current members (the preview says why).')
    .argument('<listId>', 'the list id (ILS id) from the list\'s URL in HubSpot')
    .option('--name <name>', 'segment name (default hubspot-list-<listId>)')
    .option('--json', 'print JSON')
    .action(async (listId: string, flags: { name?: string; json?: boolean }) => {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(listId)) throw new AppError('VALIDATION_FAILED', `"${listId}" is not a list id.`, { hint: 'Use the number in the list\'s URL in HubSpot, e.g. smsbridge segment from-hubspot-list 42.' });
      const name = flags.name === undefined ? undefined : parseName(flags.name);
      await withApp({}, async (app) => {
        const hubspot = app.hubspot();
        const { segment: saved, audience, replaced } = await segmentFromCrmList(listId, name, {
          crm: hubspot.crm, store: app.store, clock: app.clock, syncedProperties: syncedProperties(hubspot.settings.properties),
        });
        await app.store.flush();
        if (flags.json) printJson({ segment: saved, mode: audience.mode, reasons: audience.reasons, ...(audience.members !== undefined ? { members: audience.members, membersNotLocal: audience.membersNotLocal } : {}) });
        else printLines([`${replaced ? 'Replaced' : 'Saved'} segment "${saved.name}".`, saved.description ?? '', `Preview it: smsbridge segment preview "${saved.name}"`]);
      });
    });

  segment
    .command('preview')
    .description('Count the contacts a segment matches now, with a sample.')
    .argument('<name>')
    .option('--sample <n>', 'how many contacts to show', '5')
    .option('--json', 'print JSON')
    .action(async (name: string, flags: { sample: string; json?: boolean }) => {
      const sampleSize = Math.max(0, Math.min(100, Number.parseInt(flags.sample, 10) || 0));
      await withApp({ readOnly: true }, async (app) => {
        const found = await loadSegment(app, name);
        const { count, sample } = await matchFilter(app.store.contacts, found.filter, { now: app.clock.now(), defaultZone: app.config.DEFAULT_TIMEZONE, sampleSize: sampleSize });
        const total = await app.store.contacts.count();
        if (flags.json) {
          printJson({ name: found.name, filter: found.filter, description: describeFilter(found.filter), ...(found.description ? { note: found.description } : {}), count, total, sample });
          return;
        }
        printLines([
          `${found.name}: ${describeFilter(found.filter)}`,
          ...(found.description ? [found.description] : []),
          `${count} of ${total} contacts match.`,
          ...table(['phone', 'name', 'city', 'born'], sample.map((c) => [c.phone, `${c.firstName ?? ''} ${c.lastName ?? ''}`.trim(), c.city ?? '', c.birthDate ?? ''])),
        ]);
      });
    });
}
