import { describe, expect, it } from 'vitest';
import type { StatusEvent } from '../../src/delivery/gateway.js';
import type { MessageStatus, OutboxMessage } from '../../src/delivery/outbox.js';
import { applyStatusEvent, dedupeEvents } from '../../src/delivery/status-events.js';
import { isPartiallyDelivered } from '../../src/delivery/outbox.js';
import { makeOutboxRow } from '../helpers/factories.js';

const NOW = '2026-11-27T10:00:00.000Z';

function row(status: MessageStatus, overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  return Object.freeze(makeOutboxRow({ campaignId: 'cmp-1', contactId: 'c-1', status, providerMessageId: 'SM1', ...overrides }));
}

function receipt(status: StatusEvent['status'], overrides: Partial<StatusEvent> = {}): StatusEvent {
  return { type: 'status', gateway: 'simulator', providerMessageId: 'SM1', status, at: '2026-11-27T09:59:00.000Z', key: `SM1:${status}`, ...overrides };
}

function applied(result: ReturnType<typeof applyStatusEvent>): OutboxMessage {
  if (result.outcome !== 'applied') throw new Error(`expected applied, got ${result.outcome}`);
  return result.row;
}

describe('applyStatusEvent', () => {
  it('moves sending → submitted → delivered, stamping the times', () => {
    const submitted = applied(applyStatusEvent(row('sending'), receipt('submitted', { at: '2026-11-27T09:58:00.000Z' }), NOW));
    expect(submitted).toMatchObject({ status: 'submitted', submittedAt: '2026-11-27T09:58:00.000Z', updatedAt: NOW });
    expect(submitted.finalAt).toBeUndefined();
    const delivered = applied(applyStatusEvent(submitted, receipt('delivered'), '2026-11-27T10:01:00.000Z'));
    expect(delivered).toMatchObject({ status: 'delivered', submittedAt: '2026-11-27T09:58:00.000Z', finalAt: '2026-11-27T09:59:00.000Z', updatedAt: '2026-11-27T10:01:00.000Z' });
    expect(delivered.errorCode).toBeUndefined();
  });

  it('keeps an earlier submittedAt', () => {
    const result = applied(applyStatusEvent(row('sending', { submittedAt: '2026-11-27T09:00:00.000Z' }), receipt('submitted'), NOW));
    expect(result.submittedAt).toBe('2026-11-27T09:00:00.000Z');
  });

  it('uses now when the receipt time is not a time', () => {
    expect(applied(applyStatusEvent(row('submitted'), receipt('delivered', { at: 'yesterday-ish' }), NOW)).finalAt).toBe(NOW);
  });

  it('a duplicate receipt (same status) is stale', () => {
    expect(applyStatusEvent(row('submitted'), receipt('submitted'), NOW)).toEqual({ outcome: 'stale' });
    expect(applyStatusEvent(row('delivered'), receipt('delivered'), NOW)).toEqual({ outcome: 'stale' });
  });

  it('out of order: a late submitted after delivered is stale, and delivered before submitted applies', () => {
    const first = applied(applyStatusEvent(row('sending'), receipt('delivered'), NOW));
    expect(first.status).toBe('delivered');
    expect(applyStatusEvent(first, receipt('submitted'), NOW)).toEqual({ outcome: 'stale' });
  });

  it.each<[MessageStatus, StatusEvent['status']]>([
    ['delivered', 'failed'],
    ['failed', 'delivered'],
    ['undelivered', 'delivered'],
    ['expired', 'submitted'],
    ['rejected', 'delivered'],
    ['canceled', 'delivered'],
  ])('a final status is final: %s then %s is stale', (current, next) => {
    expect(applyStatusEvent(row(current), receipt(next), NOW)).toEqual({ outcome: 'stale' });
  });

  it('heals an unknown row (crash between the gateway call and the record) with any receipt', () => {
    const unknown = row('unknown', { providerMessageId: undefined });
    const submitted = applied(applyStatusEvent(unknown, receipt('submitted', { providerMessageId: 'SM9' }), NOW));
    expect(submitted).toMatchObject({ status: 'submitted', providerMessageId: 'SM9', submittedAt: '2026-11-27T09:59:00.000Z' });
    const delivered = applied(applyStatusEvent(unknown, receipt('delivered', { providerMessageId: 'SM9' }), NOW));
    expect(delivered).toMatchObject({ status: 'delivered', providerMessageId: 'SM9', finalAt: '2026-11-27T09:59:00.000Z' });
    expect(delivered.submittedAt).toBeUndefined();
  });

  it('does not overwrite a known provider id', () => {
    expect(applied(applyStatusEvent(row('submitted'), receipt('delivered', { providerMessageId: 'OTHER' }), NOW)).providerMessageId).toBe('SM1');
  });

  it('records the error codes of a failure', () => {
    const failed = applied(applyStatusEvent(row('submitted'), receipt('undelivered', { errorCode: 'blocked', providerCode: '30007' }), NOW));
    expect(failed).toMatchObject({ status: 'undelivered', errorCode: 'blocked', providerCode: '30007', finalAt: '2026-11-27T09:59:00.000Z' });
    const rejected = applied(applyStatusEvent(row('sending'), receipt('rejected', { errorCode: 'invalid_number', providerCode: '21211' }), NOW));
    expect(rejected).toMatchObject({ status: 'rejected', errorCode: 'invalid_number', providerCode: '21211' });
  });

  it('gives a failure without a code errorCode unknown', () => {
    const failed = applied(applyStatusEvent(row('submitted'), receipt('failed'), NOW));
    expect(failed.errorCode).toBe('unknown');
    expect(failed.providerCode).toBeUndefined();
  });

  it('a delivered receipt clears the codes of an earlier retried attempt', () => {
    const retried = row('submitted', { errorCode: 'throttled', providerCode: '20429', attempts: 2 });
    const delivered = applied(applyStatusEvent(retried, receipt('delivered'), NOW));
    expect(delivered).not.toHaveProperty('errorCode');
    expect(delivered).not.toHaveProperty('providerCode');
    expect(delivered.attempts).toBe(2);
  });

  it('is unmatched without a row', () => {
    expect(applyStatusEvent(undefined, receipt('delivered'), NOW)).toEqual({ outcome: 'unmatched' });
  });

  it('never mutates the row it was given', () => {
    const original = makeOutboxRow({ campaignId: 'cmp-1', contactId: 'c-1', status: 'submitted', errorCode: 'throttled' });
    const copy = structuredClone(original);
    const result = applied(applyStatusEvent(original, receipt('failed', { errorCode: 'blocked' }), NOW));
    expect(original).toEqual(copy);
    expect(result).not.toBe(original);
    // frozen rows (row()) would throw on any write in strict mode
    expect(() => applyStatusEvent(row('sending', { providerMessageId: undefined }), receipt('delivered'), NOW)).not.toThrow();
  });
});

describe('dedupeEvents', () => {
  it('keeps the first of each key, in order, and remembers keys across calls', () => {
    const seen = new Set<string>();
    const a1 = { key: 'a', n: 1 };
    const b1 = { key: 'b', n: 2 };
    const a2 = { key: 'a', n: 3 };
    expect(dedupeEvents([a1, b1, a2], seen)).toEqual([a1, b1]);
    expect([...seen].sort()).toEqual(['a', 'b']);
    const c1 = { key: 'c', n: 4 };
    expect(dedupeEvents([b1, c1, c1], seen)).toEqual([c1]);
    expect(seen.has('c')).toBe(true);
  });

  it('returns nothing for nothing', () => {
    expect(dedupeEvents([], new Set())).toEqual([]);
  });
});

describe('applyStatusEvent: receipts per part of a long message', () => {
  const part = (id: string, status: StatusEvent['status'], extra: Partial<StatusEvent> = {}) => receipt(status, { part: { id, total: 3 }, key: `${id}:${status}`, ...extra });
  const fold = (start: OutboxMessage, events: StatusEvent[]) => events.reduce((r, e) => {
    const result = applyStatusEvent(r, e, NOW);
    return result.outcome === 'applied' ? result.row : r;
  }, start);

  it('is delivered only once every part is', () => {
    const two = fold(row('submitted', { segments: 3 }), [part('P1', 'delivered'), part('P2', 'delivered')]);
    expect(two.status).toBe('submitted');
    expect(Object.keys(two.parts ?? {})).toEqual(['P1', 'P2']);
    expect(fold(two, [part('P3', 'delivered')])).toMatchObject({ status: 'delivered', finalAt: '2026-11-27T09:59:00.000Z' });
  });

  it('is undelivered with the failed part\'s codes, whichever part fails and in any order', () => {
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 0, 2]]) {
      const events = [part('P1', 'delivered'), part('P2', 'undelivered', { errorCode: 'unavailable', providerCode: 'UNDELIV err:027' }), part('P3', 'delivered')];
      const result = fold(row('submitted', { segments: 3 }), order.map((i) => events[i] as StatusEvent));
      expect(result).toMatchObject({ status: 'undelivered', errorCode: 'unavailable', providerCode: 'UNDELIV err:027' });
      expect(Object.keys(result.parts ?? {}).sort()).toEqual(['P1', 'P2', 'P3']);
      expect(isPartiallyDelivered(result)).toBe(true);
    }
  });

  it('uses the row\'s segments when the gateway does not say how many parts, and ignores a repeated part receipt', () => {
    const r = row('submitted', { segments: 2 });
    const first = applied(applyStatusEvent(r, receipt('delivered', { part: { id: 'P1' } }), NOW));
    expect(first.status).toBe('submitted');
    expect(applyStatusEvent(first, receipt('delivered', { part: { id: 'P1' } }), NOW)).toEqual({ outcome: 'stale' });
    expect(applied(applyStatusEvent(first, receipt('delivered', { part: { id: 'P2' } }), NOW)).status).toBe('delivered');
    // A one-part message is decided by its one receipt.
    expect(applied(applyStatusEvent(row('submitted', { segments: 1 }), receipt('delivered', { part: { id: 'P1' } }), NOW)).status).toBe('delivered');
  });

  it('a part receipt for an unknown row shows the message went out', () => {
    const result = applied(applyStatusEvent(row('unknown', { segments: 2, providerMessageId: undefined }), receipt('delivered', { part: { id: 'P1' } }), NOW));
    expect(result).toMatchObject({ status: 'submitted', providerMessageId: 'SM1' });
  });
});
