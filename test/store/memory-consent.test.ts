import { describe, expect, it } from 'vitest';
import { MemoryConsent } from '../../src/store/memory/memory-consent.js';
import { makeEntry } from '../helpers/factories.js';

describe('memory consent ledger', () => {
  it('counts live entries as they are appended, replayed and forgotten (what the journal compares to decide a compaction)', async () => {
    const consent = new MemoryConsent(() => undefined, () => undefined);
    await consent.append([makeEntry({ contactId: 'a' }), makeEntry({ contactId: 'b' }), makeEntry({ contactId: 'a', status: 'opted_out' })]);
    expect(consent.size()).toBe(3);
    await consent.forget('a');
    expect(consent.size()).toBe(1);
    await consent.forget('nobody');
    consent.replay([makeEntry({ contactId: 'c' }), makeEntry({ contactId: 'c' }), { forget: 'b' }, makeEntry({ contactId: 'd' })]);
    expect(consent.size()).toBe(3);
    expect(consent.size()).toBe([...consent.entries()].length);
  });
});
