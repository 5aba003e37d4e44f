import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { makeOutboxRow } from '../helpers/factories.js';

describe('memory outbox rows (compact slots)', () => {
  it('read back exactly as written: times in any form, optional and unknown fields, after changes', async () => {
    const store = createMemoryStore();
    const plain = makeOutboxRow({ campaignId: 'c1', contactId: 'a', sendAfter: '2026-11-27T09:00:00.000Z', createdAt: '2026-11-27T09:00:00.000Z', updatedAt: '2026-11-27T09:00:00.000Z' });
    const odd = {
      ...makeOutboxRow({ campaignId: 'c1', contactId: 'b', sendAfter: '2026-11-27T09:00:00Z', createdAt: '2026-11-27T09:00:00.000Z', updatedAt: '2026-11-27T09:00:00.123+03:00' }),
      status: 'undelivered', attempts: 2, attemptId: 'att-1', leaseUntil: '2026-11-27T09:01:00.000Z', retryAt: '2026-11-27T09:05:00.000Z',
      providerMessageId: 'P1', errorCode: 'invalid_number', providerCode: '30003', parts: { P1: { status: 'undelivered', providerCode: '30003' } },
      requeuedAt: '2026-11-27T09:02:00.000Z', test: true, submittedAt: '2026-11-27T09:00:01.500Z', finalAt: '2026-11-27T09:00:09.000Z',
      legacyField: 'kept',
    } as unknown as OutboxMessage;
    await store.outbox.insertMany([plain, odd]);
    const read = await store.outbox.getMany([plain.id, odd.id]);
    expect(read.get(plain.id)).toStrictEqual(plain);
    expect(read.get(odd.id)).toStrictEqual(odd);

    const changed: OutboxMessage = { ...plain, status: 'submitted', attempts: 1, providerMessageId: 'P2', submittedAt: '2026-11-27T09:00:02.000Z', updatedAt: '2026-11-27T09:00:02.000Z' };
    await store.outbox.updateMany([changed]);
    expect((await store.outbox.getMany([plain.id])).get(plain.id)).toStrictEqual(changed);
    expect((await store.outbox.getByProviderIds(changed.gateway, ['P2'])).get('P2')).toStrictEqual(changed);
    // A read is a copy: changing it changes nothing stored.
    const copy = (await store.outbox.getMany([plain.id])).get(plain.id) as OutboxMessage;
    copy.text = 'changed';
    expect((await store.outbox.getMany([plain.id])).get(plain.id)?.text).toBe(plain.text);
  });
});
