import { describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import type { Logger } from '../../src/common/logger.js';
import { recordConsent } from '../../src/consent/record-consent.js';
import type { ConsentState } from '../../src/consent/consent.js';
import { mapColumns } from '../../src/contacts/columns.js';
import type { Contact } from '../../src/contacts/contact.js';
import type { SheetRow } from '../../src/contacts/files/sheet.js';
import { importContacts } from '../../src/contacts/import-contacts.js';
import type { InboundEvent, StatusEvent } from '../../src/delivery/gateway.js';
import { EventIngestor } from '../../src/delivery/ingest-events.js';
import { DEFAULT_REPLIES } from '../../src/delivery/keywords.js';
import type { KeywordReplies } from '../../src/delivery/keywords.js';
import type { OutboxMessage } from '../../src/delivery/outbox.js';
import { countSegments } from '../../src/messages/encoding.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/port.js';
import { makeContact, makeOutboxRow } from '../helpers/factories.js';
import { createFakeGateway } from '../helpers/fake-gateway.js';
import type { FakeGateway } from '../helpers/fake-gateway.js';

const NOW = '2026-11-27T10:00:00.000Z';
const RECEIPT_AT = '2026-11-27T09:59:00.000Z';
const GATEWAY = 'simulator';
/** The number recipients reply to (the inbound `to`). */
const SHORT_CODE = '+79000000000';

interface Harness {
  store: Store;
  gateway: FakeGateway;
  ingestor: EventIngestor;
  clock: ReturnType<typeof fixedClock>;
}

function setup(options: { replies?: KeywordReplies; logger?: Logger } = {}): Harness {
  const store = createMemoryStore();
  const clock = fixedClock(NOW);
  const gateway = createFakeGateway({ id: GATEWAY, clock });
  let n = 0;
  const ingestor = new EventIngestor({
    store,
    clock,
    logger: options.logger ?? silentLogger,
    newId: () => `id-${(n += 1)}`,
    gateway: (name) => {
      if (name !== GATEWAY) throw new Error(`no gateway ${name}`);
      return gateway;
    },
    ...(options.replies ? { replies: options.replies } : {}),
  });
  return { store, gateway, ingestor, clock };
}

function receipt(providerMessageId: string, status: StatusEvent['status'], extra: Partial<StatusEvent> = {}): StatusEvent {
  return { type: 'status', gateway: GATEWAY, providerMessageId, status, at: RECEIPT_AT, key: `${providerMessageId}:${status}`, ...extra };
}

let inboundCounter = 0;
function reply(from: string, text: string, extra: Partial<InboundEvent> = {}): InboundEvent {
  inboundCounter += 1;
  const providerMessageId = `IN-${inboundCounter}`;
  return { type: 'inbound', gateway: GATEWAY, providerMessageId, from, to: SHORT_CODE, text, at: NOW, key: providerMessageId, ...extra };
}

async function insertRow(store: Store, overrides: Partial<OutboxMessage> = {}): Promise<OutboxMessage> {
  const row = makeOutboxRow({ campaignId: 'cmp-1', contactId: 'c-x', gateway: GATEWAY, status: 'submitted', submittedAt: '2026-11-27T09:00:00.000Z', ...overrides });
  await store.outbox.insertMany([row]);
  return row;
}

async function rowOf(store: Store, id: string): Promise<OutboxMessage> {
  const row = (await store.outbox.getMany([id])).get(id);
  if (!row) throw new Error(`row ${id} is missing`);
  return row;
}

async function consentOf(store: Store, contactId: string): Promise<ConsentState | undefined> {
  return (await store.consent.currentMany([contactId])).get(contactId);
}

/** A contact plus the last campaign message sent to them (what a reply is linked to). */
async function contactWithMessage(store: Store, contact: Partial<Contact> = {}): Promise<{ contact: Contact; last: OutboxMessage }> {
  const created = makeContact(contact);
  await store.contacts.upsertMany([created]);
  // An older message from another campaign first: the reply must link to the newest one.
  await insertRow(store, { campaignId: 'cmp-old', contactId: created.id, phone: created.phone, variant: 'A', providerMessageId: `P-old-${created.id}` });
  const last = await insertRow(store, { campaignId: 'cmp-1', contactId: created.id, phone: created.phone, variant: 'B', sender: 'SHOP', providerMessageId: `P-${created.id}` });
  return { contact: created, last };
}

const OPTED_OUT_ALL: ConsentState = expect.objectContaining({ marketing: 'opted_out', transactionalAllowed: false, lockedByRecipient: true });

describe('EventIngestor: delivery receipts', () => {
  it('a delivered receipt matched by provider id moves a submitted row to delivered', async () => {
    const { store, ingestor } = setup();
    const row = await insertRow(store, { providerMessageId: 'SM1' });

    const result = await ingestor.ingest([receipt('SM1', 'delivered')]);

    expect(result).toEqual({ applied: 1, stale: 0, unmatched: [], inbound: 0 });
    const stored = await rowOf(store, row.id);
    expect(stored).toMatchObject({ status: 'delivered', finalAt: RECEIPT_AT, updatedAt: NOW, submittedAt: '2026-11-27T09:00:00.000Z', providerMessageId: 'SM1' });
    expect(stored.errorCode).toBeUndefined();
  });

  it('the same receipt twice is dropped by key: the second does nothing, not even count as stale', async () => {
    const { store, ingestor } = setup();
    const row = await insertRow(store, { providerMessageId: 'SM1' });
    await ingestor.ingest([receipt('SM1', 'delivered')]);
    const after = await rowOf(store, row.id);
    const update = vi.spyOn(store.outbox, 'updateMany');

    const again = await ingestor.ingest([receipt('SM1', 'delivered', { at: '2026-11-27T09:59:30.000Z' })]);

    expect(again).toEqual({ applied: 0, stale: 0, unmatched: [], inbound: 0 });
    expect(await rowOf(store, row.id)).toEqual(after);
    expect(update).not.toHaveBeenCalled();
  });

  it('a duplicate inside one batch is applied once; the same status under a new key is only stale', async () => {
    const { store, ingestor } = setup();
    const row = await insertRow(store, { providerMessageId: 'SM1' });

    const result = await ingestor.ingest([receipt('SM1', 'delivered'), receipt('SM1', 'delivered'), receipt('SM1', 'delivered', { key: 'other-key' })]);

    expect(result).toMatchObject({ applied: 1, stale: 1, unmatched: [] });
    expect((await rowOf(store, row.id)).status).toBe('delivered');
  });

  it('out of order: delivered, then a late submitted, stays delivered (across ingests and within one)', async () => {
    const { store, ingestor } = setup();
    const a = await insertRow(store, { status: 'sending', submittedAt: undefined, providerMessageId: 'SM-A' });
    const b = await insertRow(store, { status: 'sending', submittedAt: undefined, providerMessageId: 'SM-B' });

    await ingestor.ingest([receipt('SM-A', 'delivered')]);
    const late = await ingestor.ingest([receipt('SM-A', 'submitted', { at: '2026-11-27T09:58:00.000Z' })]);
    const oneBatch = await ingestor.ingest([receipt('SM-B', 'delivered'), receipt('SM-B', 'submitted', { at: '2026-11-27T09:58:00.000Z' })]);

    expect(late).toMatchObject({ applied: 0, stale: 1 });
    expect(oneBatch).toMatchObject({ applied: 1, stale: 1 });
    for (const id of [a.id, b.id]) {
      const stored = await rowOf(store, id);
      expect(stored).toMatchObject({ status: 'delivered', finalAt: RECEIPT_AT });
      // A stale receipt changes nothing: not even the submit time it carries.
      expect(stored.submittedAt).toBeUndefined();
    }
  });

  it('undelivered after delivered stays delivered, without an error code', async () => {
    const { store, ingestor } = setup();
    const row = await insertRow(store, { providerMessageId: 'SM1' });

    await ingestor.ingest([receipt('SM1', 'delivered')]);
    const result = await ingestor.ingest([receipt('SM1', 'undelivered', { errorCode: 'unknown', providerCode: '30003', at: '2026-11-27T10:00:00.000Z' })]);

    expect(result).toMatchObject({ applied: 0, stale: 1 });
    const stored = await rowOf(store, row.id);
    expect(stored).toMatchObject({ status: 'delivered', finalAt: RECEIPT_AT });
    expect(stored.errorCode).toBeUndefined();
    expect(stored.providerCode).toBeUndefined();
  });

  it('a receipt that overtook the send result is matched by our message id and fills the provider id', async () => {
    const { store, ingestor } = setup();
    const row = await insertRow(store, { status: 'sending', submittedAt: undefined });
    expect(row.providerMessageId).toBeUndefined();

    const result = await ingestor.ingest([receipt('SM-NEW', 'delivered', { messageId: row.id })]);

    expect(result).toMatchObject({ applied: 1, unmatched: [] });
    expect(await rowOf(store, row.id)).toMatchObject({ status: 'delivered', providerMessageId: 'SM-NEW', finalAt: RECEIPT_AT });
    // The provider id is now indexed: a later receipt without our id finds the row (stale, not unmatched).
    const late = await ingestor.ingest([receipt('SM-NEW', 'submitted')]);
    expect(late).toMatchObject({ applied: 0, stale: 1, unmatched: [] });
  });

  it('a receipt for an unknown id is unmatched, kept, and applied on a later ingest once the row exists', async () => {
    const { store, ingestor } = setup();
    const early = receipt('SM-LATE', 'delivered');

    const first = await ingestor.ingest([early]);
    expect(first).toEqual({ applied: 0, stale: 0, unmatched: [early], inbound: 0 });
    expect(ingestor.pendingOrphans()).toBe(1);

    // Still no row: it stays an orphan.
    expect((await ingestor.ingest([])).unmatched).toEqual([early]);
    expect(ingestor.pendingOrphans()).toBe(1);

    const row = await insertRow(store, { providerMessageId: 'SM-LATE' });
    const later = await ingestor.ingest([]);

    expect(later).toEqual({ applied: 1, stale: 0, unmatched: [], inbound: 0 });
    expect(ingestor.pendingOrphans()).toBe(0);
    expect(await rowOf(store, row.id)).toMatchObject({ status: 'delivered', finalAt: RECEIPT_AT });
  });

  it.each([
    ['delivered', {}, { status: 'delivered', finalAt: RECEIPT_AT }],
    ['failed', { errorCode: 'invalid_number', providerCode: '21211' }, { status: 'failed', errorCode: 'invalid_number', providerCode: '21211', finalAt: RECEIPT_AT }],
    ['submitted', {}, { status: 'submitted', submittedAt: RECEIPT_AT }],
  ] as const)('an unknown row (crash mid-call) is healed by its %s receipt', async (status, extra, expected) => {
    const { store, ingestor } = setup();
    const row = await insertRow(store, { status: 'unknown', submittedAt: undefined, attempts: 1 });

    const result = await ingestor.ingest([receipt('SM-CRASH', status, { messageId: row.id, ...extra })]);

    expect(result).toMatchObject({ applied: 1, unmatched: [] });
    expect(await rowOf(store, row.id)).toMatchObject({ ...expected, providerMessageId: 'SM-CRASH', attempts: 1 });
  });
});

describe('EventIngestor: inbound STOP / START / HELP / replies', () => {
  it.each(['STOP', 'Stop.', 'СТОП', 'отписаться', 'UNSUBSCRIBE'])('%s from a contact opts them out of everything, locked, with one Russian confirmation', async (text) => {
    const { store, gateway, ingestor } = setup();
    const { contact, last } = await contactWithMessage(store);

    const result = await ingestor.ingest([reply(contact.phone, text)]);

    expect(result.inbound).toBe(1);
    expect(await consentOf(store, contact.id)).toEqual(OPTED_OUT_ALL);
    const history = await store.consent.history(contact.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ status: 'opted_out', scope: 'all', origin: 'recipient' });
    expect(gateway.sent).toHaveLength(1);
    expect(gateway.sent[0]).toMatchObject({ to: contact.phone, from: 'SHOP', text: DEFAULT_REPLIES.stop.ru });
    expect(await store.inbound.recent(10)).toEqual([
      expect.objectContaining({ from: contact.phone, text, kind: 'opt_out', contactId: contact.id, campaignId: 'cmp-1', messageId: last.id, variant: 'B' }),
    ]);
  });

  it('answers a +1 number sending STOP in English, and Cyrillic text from a +1 number in Russian', async () => {
    const { store, gateway, ingestor } = setup();
    const us = await contactWithMessage(store, { phone: '+12025550123' });
    const usRu = await contactWithMessage(store, { phone: '+12025550124' });

    await ingestor.ingest([reply(us.contact.phone, 'STOP'), reply(usRu.contact.phone, 'стоп')]);

    expect(gateway.sent.map((sms) => [sms.to, sms.text])).toEqual([
      [us.contact.phone, DEFAULT_REPLIES.stop.en],
      [usRu.contact.phone, DEFAULT_REPLIES.stop.ru],
    ]);
    expect(await consentOf(store, us.contact.id)).toEqual(OPTED_OUT_ALL);
    expect(await consentOf(store, usRu.contact.id)).toEqual(OPTED_OUT_ALL);
  });

  it('declares the confirmation with its real encoding and segment count', async () => {
    const { store, gateway, ingestor } = setup();
    const ru = await contactWithMessage(store);
    const us = await contactWithMessage(store, { phone: '+12025550125' });

    await ingestor.ingest([reply(ru.contact.phone, 'СТОП'), reply(us.contact.phone, 'STOP')]);

    // The Russian STOP confirmation is 72 UCS-2 characters: two SMS, not one.
    expect(countSegments(DEFAULT_REPLIES.stop.ru)).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(gateway.sent[0]).toMatchObject({ text: DEFAULT_REPLIES.stop.ru, encoding: 'UCS-2', segments: 2 });
    expect(gateway.sent[1]).toMatchObject({ text: DEFAULT_REPLIES.stop.en, encoding: 'GSM-7', segments: 1 });
  });

  it('does not declare GSM-7 for a configured reply with an ASCII character outside the GSM alphabet', async () => {
    const replies: KeywordReplies = { ...DEFAULT_REPLIES, help: { ru: DEFAULT_REPLIES.help.ru, en: 'Help: reply `STOP` to opt out.' } };
    const { gateway, ingestor } = setup({ replies });

    await ingestor.ingest([reply('+12025550126', 'HELP')]);

    expect(gateway.sent).toHaveLength(1);
    expect(gateway.sent[0]).toMatchObject({ text: replies.help.en, encoding: countSegments(replies.help.en).encoding });
    expect(gateway.sent[0]?.encoding).toBe('UCS-2');
  });

  it('a second STOP is recorded but gets no second confirmation and no second ledger entry', async () => {
    const { store, gateway, ingestor } = setup();
    const { contact } = await contactWithMessage(store);

    await ingestor.ingest([reply(contact.phone, 'STOP')]);
    await ingestor.ingest([reply(contact.phone, 'стоп')]);

    expect(gateway.sent).toHaveLength(1);
    expect(await store.consent.history(contact.id)).toHaveLength(1);
    expect((await store.inbound.recent(10)).map((record) => record.kind)).toEqual(['opt_out', 'opt_out']);
    expect(await consentOf(store, contact.id)).toEqual(OPTED_OUT_ALL);
  });

  it.each(['START', 'СТАРТ'])('%s after a STOP opts the contact back in (the recipient lifts their own lock) with a confirmation', async (text) => {
    const { store, gateway, ingestor } = setup();
    const { contact, last } = await contactWithMessage(store);

    await ingestor.ingest([reply(contact.phone, 'STOP')]);
    await ingestor.ingest([reply(contact.phone, text)]);

    expect(await consentOf(store, contact.id)).toEqual(expect.objectContaining({ marketing: 'opted_in', transactionalAllowed: true, lockedByRecipient: false }));
    const history = await store.consent.history(contact.id);
    expect(history.map((entry) => [entry.status, entry.origin])).toEqual([
      ['opted_out', 'recipient'],
      ['opted_in', 'recipient'],
    ]);
    expect(gateway.sent.map((sms) => sms.text)).toEqual([DEFAULT_REPLIES.stop.ru, DEFAULT_REPLIES.start.ru]);
    expect((await store.inbound.recent(1))[0]).toMatchObject({ kind: 'opt_in', contactId: contact.id, messageId: last.id });
  });

  it('STOP then START in one batch are applied in order', async () => {
    const { store, gateway, ingestor } = setup();
    const { contact } = await contactWithMessage(store);

    await ingestor.ingest([reply(contact.phone, 'STOP'), reply(contact.phone, 'START')]);

    expect((await consentOf(store, contact.id))?.marketing).toBe('opted_in');
    expect(gateway.sent.map((sms) => sms.text)).toEqual([DEFAULT_REPLIES.stop.ru, DEFAULT_REPLIES.start.ru]);
  });

  it.each([
    ['HELP', '+12025550127', DEFAULT_REPLIES.help.en],
    ['ПОМОЩЬ', undefined, DEFAULT_REPLIES.help.ru],
  ])('%s sends the help text and leaves consent as it was', async (text, phone, expected) => {
    const { store, gateway, ingestor } = setup();
    const { contact, last } = await contactWithMessage(store, phone ? { phone } : {});
    await recordConsent({ contactId: contact.id, status: 'opted_in', scope: 'marketing', origin: 'import', source: 'crm.csv' }, { store, clock: fixedClock(NOW), newId: () => 'e-initial' });
    const before = await consentOf(store, contact.id);

    await ingestor.ingest([reply(contact.phone, text)]);

    expect(gateway.sent).toHaveLength(1);
    expect(gateway.sent[0]).toMatchObject({ to: contact.phone, text: expected });
    expect(await consentOf(store, contact.id)).toEqual(before);
    expect(await store.consent.history(contact.id)).toHaveLength(1);
    expect((await store.inbound.recent(10))[0]).toMatchObject({ kind: 'help', contactId: contact.id, campaignId: 'cmp-1', messageId: last.id });
  });

  it('a free-text reply is recorded as a reply to the last message; nothing is sent, consent unchanged', async () => {
    const { store, gateway, ingestor } = setup();
    const { contact, last } = await contactWithMessage(store);
    await recordConsent({ contactId: contact.id, status: 'opted_in', scope: 'marketing', origin: 'import', source: 'crm.csv' }, { store, clock: fixedClock(NOW), newId: () => 'e-initial' });
    const before = await consentOf(store, contact.id);

    const result = await ingestor.ingest([reply(contact.phone, 'Когда заканчивается акция?')]);

    expect(result.inbound).toBe(1);
    expect(gateway.sent).toEqual([]);
    expect(await consentOf(store, contact.id)).toEqual(before);
    expect(await store.consent.history(contact.id)).toHaveLength(1);
    expect(await store.inbound.listByCampaign('cmp-1')).toEqual([
      expect.objectContaining({ kind: 'reply', text: 'Когда заканчивается акция?', contactId: contact.id, messageId: last.id, variant: 'B' }),
    ]);
  });

  it('a STOP from a number that is not a contact is recorded and still confirmed, without touching consent', async () => {
    const { store, gateway, ingestor } = setup();
    const stranger = '+79990001122';

    const result = await ingestor.ingest([reply(stranger, 'СТОП')]);

    expect(result.inbound).toBe(1);
    const records = await store.inbound.recent(10);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ from: stranger, kind: 'opt_out' });
    expect(records[0]?.contactId).toBeUndefined();
    expect(records[0]?.campaignId).toBeUndefined();
    // No message was ever sent to it, so the confirmation goes from the number it wrote to.
    expect(gateway.sent).toEqual([expect.objectContaining({ to: stranger, from: SHORT_CODE, text: DEFAULT_REPLIES.stop.ru })]);
    expect(await store.consent.summary()).toEqual({ optedIn: 0, optedOutMarketing: 0, optedOutAll: 0 });
  });

  it('an import after a STOP cannot opt the contact back in', async () => {
    const { store, ingestor } = setup();
    const { contact } = await contactWithMessage(store);
    await ingestor.ingest([reply(contact.phone, 'STOP')]);

    async function* rows(): AsyncIterable<SheetRow> {
      yield { row: 2, cells: [contact.phone] };
    }
    let n = 0;
    const deps = { store, clock: fixedClock('2026-11-28T10:00:00.000Z'), newId: () => `imp-${(n += 1)}` };
    const report = await importContacts(rows(), mapColumns(['phone']), { defaultCountry: 'RU', sourceName: 'crm.csv', consent: { status: 'opted_in', source: 'crm.csv' } }, deps);

    expect(report.consent).toEqual({ optedIn: 0, optedOut: 0, keptOptedOut: 1 });
    expect(await consentOf(store, contact.id)).toEqual(OPTED_OUT_ALL);

    await expect(
      recordConsent({ contactId: contact.id, status: 'opted_in', scope: 'marketing', origin: 'import', source: 'crm sync' }, deps),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await consentOf(store, contact.id)).toEqual(OPTED_OUT_ALL);
    expect(await store.consent.history(contact.id)).toHaveLength(1);
  });
});

describe('EventIngestor: batches and failures', () => {
  it('500 receipts for 500 rows are read and written in one call each', async () => {
    const { store, ingestor } = setup();
    const rows = Array.from({ length: 500 }, (_, i) => makeOutboxRow({ campaignId: 'cmp-1', contactId: `c-${i}`, gateway: GATEWAY, status: 'submitted', providerMessageId: `SM-${i}` }));
    await store.outbox.insertMany(rows);
    const update = vi.spyOn(store.outbox, 'updateMany');
    const byProvider = vi.spyOn(store.outbox, 'getByProviderIds');

    const result = await ingestor.ingest(rows.map((row) => receipt(row.providerMessageId as string, 'delivered')));

    expect(result).toEqual({ applied: 500, stale: 0, unmatched: [], inbound: 0 });
    expect(update).toHaveBeenCalledTimes(1);
    expect(update.mock.calls[0]?.[0]).toHaveLength(500);
    expect(byProvider).toHaveBeenCalledTimes(1);
    const stored = await store.outbox.getMany(rows.map((row) => row.id));
    expect([...stored.values()].every((row) => row.status === 'delivered')).toBe(true);
  });

  it('a receipt batch whose write failed is applied when the same events come again', async () => {
    const { store, ingestor } = setup();
    const row = await insertRow(store, { providerMessageId: 'SM1' });
    vi.spyOn(store.outbox, 'updateMany').mockRejectedValueOnce(new Error('disk full'));
    const events = [receipt('SM1', 'delivered')];

    await expect(ingestor.ingest(events)).rejects.toThrow('disk full');
    expect((await rowOf(store, row.id)).status).toBe('submitted');

    // The engine re-reads the uncommitted inbox batch: the receipt must not be taken for a duplicate.
    expect(await ingestor.ingest(events)).toMatchObject({ applied: 1 });
    expect((await rowOf(store, row.id)).status).toBe('delivered');
  });

  it('keeps its orphans when an ingest fails', async () => {
    const { store, ingestor } = setup();
    await ingestor.ingest([receipt('SM-LATE', 'delivered')]);
    const row = await insertRow(store, { providerMessageId: 'SM-LATE' });
    vi.spyOn(store.outbox, 'updateMany').mockRejectedValueOnce(new Error('disk full'));

    await expect(ingestor.ingest([])).rejects.toThrow('disk full');
    expect(ingestor.pendingOrphans()).toBe(1);

    expect(await ingestor.ingest([])).toMatchObject({ applied: 1, unmatched: [] });
    expect((await rowOf(store, row.id)).status).toBe('delivered');
  });

  it('a confirmation whose send throws is logged, and the rest of the batch is still handled', async () => {
    const warn = vi.fn();
    const { store, gateway, ingestor } = setup({ logger: { ...silentLogger, warn } });
    const a = await contactWithMessage(store);
    const b = await contactWithMessage(store);
    gateway.enqueue(() => {
      throw new Error('connection reset');
    });

    const result = await ingestor.ingest([reply(a.contact.phone, 'STOP'), reply(b.contact.phone, 'STOP')]);

    expect(result.inbound).toBe(2);
    expect(await consentOf(store, a.contact.id)).toEqual(OPTED_OUT_ALL);
    expect(await consentOf(store, b.contact.id)).toEqual(OPTED_OUT_ALL);
    expect(gateway.sent.map((sms) => sms.to)).toEqual([a.contact.phone, b.contact.phone]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[1]).toBe('could not send the keyword confirmation');
    expect(await store.inbound.recent(10)).toHaveLength(2);
  });

  it('a store failure mid-batch: the retry handles the rest, and not again what was handled', async () => {
    const { store, gateway, ingestor } = setup();
    const a = await contactWithMessage(store);
    const b = await contactWithMessage(store);
    const stranger = '+79990001122';
    const append = store.inbound.append.bind(store.inbound);
    let calls = 0;
    vi.spyOn(store.inbound, 'append').mockImplementation(async (records) => {
      calls += 1;
      if (calls === 2) throw new Error('disk full');
      await append(records);
    });
    const events = [reply(stranger, 'STOP'), reply(a.contact.phone, 'STOP'), reply(b.contact.phone, 'СТОП')];

    await expect(ingestor.ingest(events)).rejects.toThrow('disk full');
    expect(await consentOf(store, a.contact.id)).toBeUndefined();
    // The engine re-reads the uncommitted inbox batch.
    const retry = await ingestor.ingest(events);

    expect(retry.inbound).toBe(2);
    expect(await consentOf(store, a.contact.id)).toEqual(OPTED_OUT_ALL);
    expect(await consentOf(store, b.contact.id)).toEqual(OPTED_OUT_ALL);
    // The stranger's STOP was handled the first time: one record and one confirmation, not two.
    expect(gateway.sent.map((sms) => sms.to)).toEqual([stranger, a.contact.phone, b.contact.phone]);
    expect((await store.inbound.recent(10)).map((record) => record.from)).toEqual([stranger, a.contact.phone, b.contact.phone]);
  });
});

describe('opt-out receipts', () => {
  it('records a carrier opt-out when a receipt says the recipient opted out', async () => {
    const store = createMemoryStore();
    const contact = makeContact();
    await store.contacts.upsertMany([contact]);
    const row = makeOutboxRow({ campaignId: 'c1', contactId: contact.id, gateway: 'vonage', status: 'submitted', providerMessageId: 'V1' });
    await store.outbox.insertMany([row]);
    let n = 0;
    const ingestor = new EventIngestor({ store, clock: fixedClock('2026-11-27T10:00:00Z'), logger: silentLogger, newId: () => `n${(n += 1)}`, gateway: () => createFakeGateway() });
    await ingestor.ingest([{ type: 'status', gateway: 'vonage', providerMessageId: 'V1', status: 'failed', errorCode: 'opted_out', providerCode: '9', at: '2026-11-27T10:00:00.000Z', key: 'V1:failed' }]);
    expect((await store.consent.currentMany([contact.id])).get(contact.id)).toMatchObject({ transactionalAllowed: false, lockedByRecipient: true });
  });
});
