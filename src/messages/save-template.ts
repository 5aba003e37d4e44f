import type { Clock } from '../common/clock.js';
import type { Store } from '../store/port.js';
import { compileTemplate } from './template.js';
import type { Template } from './template-record.js';
import { parseTemplateRecord } from './template-record.js';

/** Property names the contacts actually have, so a template naming `properties.shopp` is caught. */
async function knownProperties(store: Store): Promise<string[]> {
  const names = new Set<string>();
  for await (const page of store.contacts.scan({ batchSize: 5000 })) for (const contact of page) for (const key of Object.keys(contact.properties)) names.add(key);
  return [...names];
}

/**
 * Saves (or replaces) a template: refused with the list of known variables when it names an unknown
 * one, keeps its creation time when replaced. The CLI and the REST API both save through here.
 */
export async function saveTemplate(
  input: { name: string; text: string; variables: string[]; description?: string },
  deps: { store: Store; clock: Clock },
): Promise<{ template: Template; replaced: boolean }> {
  const properties = await knownProperties(deps.store);
  compileTemplate(input.text, { name: input.name, campaignVariables: input.variables, ...(properties.length ? { knownProperties: properties } : {}) });
  const now = deps.clock.now().toISOString();
  const previous = await deps.store.templates.get(input.name);
  const template = parseTemplateRecord({
    name: input.name, text: input.text, variables: input.variables, createdAt: previous?.createdAt ?? now, updatedAt: now,
    ...(input.description ? { description: input.description } : {}),
  });
  await deps.store.templates.put(template);
  return { template, replaced: previous !== undefined };
}
