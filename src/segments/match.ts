import type { Contact } from '../contacts/contact.js';
import type { ContactRepository } from '../store/port.js';
import { compileFilter } from './evaluate.js';
import type { FilterNode } from './filter.js';

/** Counts the contacts a filter matches now and keeps the first few, in one scan of the store. */
export async function matchFilter(
  contacts: ContactRepository,
  filter: FilterNode,
  options: { now: Date; defaultZone: string; sampleSize: number },
): Promise<{ count: number; sample: Contact[] }> {
  const matches = compileFilter(filter, { now: options.now, zoneOf: (c) => c.timezone ?? options.defaultZone });
  let count = 0;
  const sample: Contact[] = [];
  for await (const page of contacts.scan({ batchSize: 2000 })) {
    for (const contact of page) {
      if (!matches(contact)) continue;
      count += 1;
      if (sample.length < options.sampleSize) sample.push(contact);
    }
  }
  return { count, sample };
}
