import type { Contact } from '../../src/contacts/contact.js';
import type { ConsentEntry } from '../../src/consent/consent.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';

let counter = 0;

export function makeContact(overrides: Partial<Contact> = {}): Contact {
  counter += 1;
  const n = String(counter).padStart(7, '0');
  return {
    id: `c-${n}`,
    phone: `+7912${n}`,
    firstName: 'Анна',
    interests: [],
    tags: [],
    properties: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function makeEntry(overrides: Partial<ConsentEntry> & Pick<ConsentEntry, 'contactId'>): ConsentEntry {
  counter += 1;
  return {
    id: `e-${counter}`,
    status: 'opted_in',
    scope: 'marketing',
    origin: 'import',
    source: 'test',
    at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function makeOutboxRow(overrides: Partial<OutboxMessage> & Pick<OutboxMessage, 'campaignId' | 'contactId'>): OutboxMessage {
  counter += 1;
  return {
    id: `m-${String(counter).padStart(7, '0')}`,
    phone: `+7913${String(counter).padStart(7, '0')}`,
    kind: 'marketing',
    variant: 'A',
    text: 'Привет!',
    encoding: 'UCS-2',
    segments: 1,
    cost: 3.5,
    sender: 'SHOP',
    gateway: 'simulator',
    sendAfter: '2026-11-27T07:00:00.000Z',
    status: 'queued',
    attempts: 0,
    createdAt: '2026-11-27T06:00:00.000Z',
    updatedAt: '2026-11-27T06:00:00.000Z',
    ...overrides,
  };
}
