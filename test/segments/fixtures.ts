import type { Contact } from '../../src/contacts/contact.js';
import { compileFilter, parseFilter } from '../../src/segments/index.js';

let sequence = 0;

/** A minimal valid contact; tests set only what they look at. */
export function contact(fields: Partial<Contact> = {}): Contact {
  sequence += 1;
  return {
    id: `c${sequence}`,
    phone: '+79123456789',
    interests: [],
    tags: [],
    properties: {},
    createdAt: '2026-01-10T08:00:00.000Z',
    updatedAt: '2026-01-10T08:00:00.000Z',
    ...fields,
  };
}

export interface MatchOptions {
  now?: string;
  /** Zone for every contact unless the contact sets its own `timezone`. */
  zone?: string;
}

/** Parses `filter` from JSON-like input, compiles it and tells whether `subject` matches. */
export function matches(filter: unknown, subject: Contact, options: MatchOptions = {}): boolean {
  const predicate = compileFilter(parseFilter(filter), {
    now: new Date(options.now ?? '2026-05-15T09:00:00Z'),
    zoneOf: (c) => c.timezone ?? options.zone ?? 'Europe/Moscow',
  });
  return predicate(subject);
}

/** The error a function throws, for assertions on its fields. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
