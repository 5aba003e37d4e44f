import { afterEach, describe, expect, it } from 'vitest';
import smpp from 'smpp';
import type { PDU } from 'smpp';
import { fixedClock } from '../../../src/common/clock.js';
import type { GatewayEvent, InboundEvent, OutboundSms, SendResult, SmsGateway, StatusEvent } from '../../../src/delivery/gateway.js';
import { manualTimers } from '../../../src/delivery/timers.js';
import type { Timers } from '../../../src/delivery/timers.js';
import { splitIntoParts } from '../../../src/messages/encoding.js';
import {
  buildSubmits,
  createSmppGateway,
  mapCommandStatus,
  parseDeliverSm,
  parseReceiptText,
  parseSmppUrl,
  smppConfigSchema,
  statusFromMessageState,
  statusFromStatWord,
} from '../../../integrations/gateways/smpp/index.js';
import type { LinkState, SmppConfigInput, SmppGateway } from '../../../integrations/gateways/smpp/index.js';
import { FakeSmsc } from '../../fixtures/smpp/fake-smsc.js';
import type { FakeSmscOptions } from '../../fixtures/smpp/fake-smsc.js';
import { contractMessage, describeGatewayContract } from '../../delivery/gateway.contract.js';
import { isPartiallyDelivered } from '../../../src/delivery/outbox.js';
import { applyStatusEvent } from '../../../src/delivery/status-events.js';
import { makeOutboxRow } from '../../helpers/factories.js';

const START = '2026-03-02T10:00:00.000Z';
const CYRILLIC_300 = 'Съешь же ещё этих мягких французских булок, да выпей чаю. '.repeat(6).slice(0, 300);

/** Manual timers that also say when a timer of a given length is scheduled, so tests can wait for it. */
function watchedTimers(clock: ReturnType<typeof fixedClock>) {
  const inner = manualTimers(clock);
  const scheduled: number[] = [];
  let waiters: (() => void)[] = [];
  const timers: Timers & typeof inner = {
    ...inner,
    setTimeout(fn, ms) {
      scheduled.push(ms);
      for (const wake of waiters.splice(0)) wake();
      return inner.setTimeout(fn, ms);
    },
  };
  const untilScheduled = async (ms: number): Promise<void> => {
    while (!scheduled.includes(ms)) await new Promise<void>((resolve) => waiters.push(resolve));
    scheduled.splice(scheduled.indexOf(ms), 1);
  };
  return { timers, untilScheduled, reset: () => (waiters = []) };
}

interface Rig {
  smsc: FakeSmsc;
  gateway: SmppGateway;
  events: GatewayEvent[];
  timers: ReturnType<typeof watchedTimers>['timers'];
  untilScheduled(ms: number): Promise<void>;
  untilState(state: LinkState): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function rig(env: Partial<SmppConfigInput> = {}, options: FakeSmscOptions = {}, onEvents?: (events: GatewayEvent[]) => void | Promise<void>): Promise<Rig> {
  const smsc = await new FakeSmsc(options).start();
  const clock = fixedClock(START);
  const { timers, untilScheduled } = watchedTimers(clock);
  const events: GatewayEvent[] = [];
  let state: LinkState = 'idle';
  const waiters: (() => void)[] = [];
  const gateway = createSmppGateway(
    { SMPP_URL: smsc.url, SMPP_SYSTEM_ID: 'esme', SMPP_PASSWORD: 'secret', ...env },
    {
      clock,
      timers,
      onEvents: onEvents ?? ((batch) => void events.push(...batch)),
      onLinkState: (next) => {
        state = next;
        for (const wake of waiters.splice(0)) wake();
      },
    },
  );
  const untilState = async (wanted: LinkState): Promise<void> => {
    while (state !== wanted) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  cleanups.push(async () => {
    await gateway.close();
    await smsc.close();
  });
  return { smsc, gateway, events, timers, untilScheduled, untilState };
}

const statuses = (events: GatewayEvent[]) => events.filter((e): e is StatusEvent => e.type === 'status');
const inbound = (events: GatewayEvent[]) => events.filter((e): e is InboundEvent => e.type === 'inbound');
const ok = (result: SendResult): string => {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.providerMessageId;
};
const text = (pdu: PDU): string => (pdu.short_message as { message: string }).message;
const concatIe = (pdu: PDU): number[] => [...(pdu.short_message as { udh: Buffer[] }).udh[0]!];
const ucs2 = (overrides: Partial<OutboundSms>) => contractMessage({ text: CYRILLIC_300, encoding: 'UCS-2', segments: 5, ...overrides });

describeGatewayContract('smpp', async () => {
  // SMPP has no Retry-After: the configured backoff is what a throttled send reports.
  const r = await rig({ SMPP_THROTTLE_BACKOFF_MS: '1500', SMPP_OPTED_OUT_STATUSES: '0x40A' });
  let barrier: Promise<void> = Promise.resolve();
  let down = false;
  // Sends wait for the link change a scenario started (the ESME learns of a dropped TCP link asynchronously).
  const gateway: SmsGateway = { ...r.gateway, send: async (message) => (await barrier, r.gateway.send(message)) };
  return {
    gateway,
    scenario: {
      accept: () => {
        if (!down) return;
        down = false;
        // The SMSC is back; the reconnect scheduled 1 s after the drop fires, and send waits for the bind.
        barrier = r.smsc.start(r.smsc.port).then(() => r.timers.advance(1000));
      },
      rejectInvalid: () => r.smsc.next({ status: smpp.errors.ESME_RINVDSTADR! }),
      throttle: (retryAfterMs) => {
        expect(retryAfterMs).toBe(1500);
        r.smsc.next({ status: smpp.errors.ESME_RTHROTTLED! });
      },
      serverDown: () => {
        down = true;
        barrier = r.smsc.stop().then(() => (r.gateway.linkState() === 'idle' ? undefined : r.untilState('waiting')));
      },
      // A vendor-specific status, configured in SMPP_OPTED_OUT_STATUSES (SMPP 3.4 defines none).
      optedOut: () => r.smsc.next({ status: 0x40a }),
    },
    events: () => r.events,
    settle: () => r.smsc.settle(),
    close: async () => {
      await r.gateway.close();
      await r.smsc.close();
    },
  };
});

describe('smpp: long messages on the wire', () => {
  it('sends 300 Cyrillic characters as five numbered UCS-2 parts that reassemble to the original', async () => {
    const { smsc, gateway } = await rig();
    const result = await gateway.send(ucs2({}));
    expect(result).toMatchObject({ ok: true, providerMessageId: 'MSG-1', segments: 5 });
    expect(smsc.submits).toHaveLength(5);
    const headers = smsc.submits.map(concatIe);
    for (const [index, pdu] of smsc.submits.entries()) {
      expect(pdu).toMatchObject({ data_coding: 8, registered_delivery: 1, destination_addr: '79123456789', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'SmsBridge' });
      expect((pdu.esm_class as number) & 0x40).toBe(0x40);
      expect(headers[index]).toEqual([0x00, 0x03, headers[0]![2], 5, index + 1]);
      expect(text(pdu).length).toBeLessThanOrEqual(67);
    }
    expect(smsc.submits.map(text).join('')).toBe(CYRILLIC_300);
    // The next long message gets the next reference.
    await gateway.send(ucs2({}));
    expect(concatIe(smsc.submits[5]!)[2]).toBe((headers[0]![2]! + 1) & 0xff);
  });

  it('sends long GSM text as data_coding 0 septets, escapes and @ included', async () => {
    const { smsc, gateway } = await rig();
    const gsm = 'Price @ 10€ {promo} [code] ~ '.repeat(8);
    const parts = splitIntoParts(gsm, 'GSM-7');
    expect(ok(await gateway.send(contractMessage({ text: gsm, segments: parts.length })))).toBe('MSG-1');
    expect(smsc.submits.map((pdu) => pdu.data_coding)).toEqual(parts.map(() => 0));
    expect(smsc.submits.map(text)).toEqual(parts);
  });

  it('sends the whole text in message_payload with an empty short_message in payload mode', async () => {
    const { smsc, gateway } = await rig({ SMPP_LONG_MESSAGES: 'payload' });
    expect(await gateway.send(ucs2({}))).toMatchObject({ ok: true, segments: 5 });
    expect(smsc.submits).toHaveLength(1);
    const [pdu] = smsc.submits;
    expect(pdu).toMatchObject({ data_coding: 8, esm_class: 0, short_message: { message: '' }, message_payload: { message: CYRILLIC_300 } });
  });
});

describe('smpp: receipts and inbound messages', () => {
  it('reads a receipt from the TLVs, with the network error code', async () => {
    const { smsc, gateway, events } = await rig({}, { receipts: 'none' });
    const id = ok(await gateway.send(contractMessage()));
    const resp = await smsc.deliver({ esm_class: 4, receipted_message_id: id, message_state: smpp.MESSAGE_STATE.UNDELIVERABLE, network_error_code: Buffer.from([3, 0, 27]) });
    expect(resp.command_status).toBe(0);
    expect(statuses(events)).toEqual([
      { type: 'status', gateway: 'smpp', providerMessageId: id, status: 'undelivered', providerCode: 'UNDELIVERABLE err:27', at: START, key: `${id}:undelivered` },
    ]);
  });

  it('reads a receipt from the text alone when the SMSC sends no TLVs', async () => {
    const { smsc, gateway, events } = await rig({}, { receipts: 'text' });
    const id = ok(await gateway.send(contractMessage()));
    await smsc.settle();
    expect(statuses(events)).toEqual([expect.objectContaining({ providerMessageId: id, status: 'delivered', providerCode: 'DELIVRD', key: `${id}:delivered` })]);
  });

  it('reads a receipt sent as data_sm', async () => {
    const { smsc, gateway, events } = await rig({}, { receipts: 'none' });
    const id = ok(await gateway.send(contractMessage()));
    const resp = await smsc.deliver({ esm_class: 4, receipted_message_id: id, message_state: smpp.MESSAGE_STATE.DELIVERED }, 'data_sm');
    expect(resp).toMatchObject({ command: 'data_sm_resp', command_status: 0 });
    expect(statuses(events)).toEqual([expect.objectContaining({ providerMessageId: id, status: 'delivered' })]);
  });

  it('passes every part’s receipt on, named by the first part’s id, so a failed later part makes the message undelivered', async () => {
    const { smsc, gateway, events } = await rig({}, { receipts: 'none' });
    const id = ok(await gateway.send(contractMessage({ text: 'a'.repeat(300), segments: 2 })));
    expect(smsc.submits).toHaveLength(2);
    await smsc.deliver({ esm_class: 4, receipted_message_id: 'MSG-1', message_state: smpp.MESSAGE_STATE.DELIVERED });
    await smsc.deliver({ esm_class: 4, receipted_message_id: 'MSG-2', message_state: smpp.MESSAGE_STATE.UNDELIVERABLE, network_error_code: Buffer.from([3, 0, 27]) });
    const receipts = statuses(events);
    expect(receipts).toEqual([
      expect.objectContaining({ providerMessageId: id, status: 'delivered', part: { id: 'MSG-1', total: 2 }, key: 'MSG-1:delivered' }),
      expect.objectContaining({ providerMessageId: id, status: 'undelivered', part: { id: 'MSG-2', total: 2 }, key: 'MSG-2:undelivered' }),
    ]);
    // Folded into the message's row, as the event ingestion does: not delivered, with the failed part's code.
    let row = makeOutboxRow({ campaignId: 'c1', contactId: 'r1', gateway: 'smpp', status: 'submitted', providerMessageId: id, segments: 2 });
    for (const receipt of receipts) {
      const applied = applyStatusEvent(row, receipt, START);
      if (applied.outcome === 'applied') row = applied.row;
    }
    expect(row).toMatchObject({ status: 'undelivered', providerCode: expect.stringContaining('err:27') });
    expect(isPartiallyDelivered(row)).toBe(true);
  });

  it('a one-part message’s receipt carries no part', async () => {
    const { smsc, gateway, events } = await rig();
    const id = ok(await gateway.send(contractMessage()));
    await smsc.settle();
    expect(statuses(events)).toEqual([expect.objectContaining({ providerMessageId: id, status: 'delivered' })]);
    expect(statuses(events)[0]?.part).toBeUndefined();
  });

  it('turns a deliver_sm into an inbound message from an E.164 number', async () => {
    const { smsc, gateway, events } = await rig();
    await gateway.start();
    const resp = await smsc.deliver({ source_addr_ton: 1, source_addr_npi: 1, source_addr: '79123456789', destination_addr: 'SmsBridge', data_coding: 8, short_message: 'СТОП' });
    expect(resp.command_status).toBe(0);
    expect(inbound(events)).toEqual([
      { type: 'inbound', gateway: 'smpp', providerMessageId: expect.stringMatching(/^in-/), from: '+79123456789', to: 'SmsBridge', text: 'СТОП', at: START, key: expect.any(String) },
    ]);
    expect(inbound(events)[0]!.key).toBe(inbound(events)[0]!.providerMessageId);
  });

  it('joins UDH-concatenated inbound parts that arrive out of order into one message', async () => {
    const { smsc, gateway, events } = await rig();
    await gateway.start();
    const parts = ['Когда заканчивается ', 'акция? Хочу успеть ', 'купить.'];
    const part = (seq: number) => ({ source_addr_ton: 1, source_addr: '79120000001', destination_addr: 'Shop', data_coding: 8, short_message: { udh: Buffer.from([5, 0, 3, 42, 3, seq]), message: parts[seq - 1] } });
    for (const seq of [2, 3]) expect((await smsc.deliver(part(seq))).command_status).toBe(0);
    expect(events).toEqual([]);
    await smsc.deliver(part(1));
    expect(inbound(events).map((e) => [e.from, e.text])).toEqual([['+79120000001', parts.join('')]]);
  });

  it('answers every deliver_sm, even one it cannot use, and asks for redelivery when the hand-off fails', async () => {
    let fail = false;
    const events: GatewayEvent[] = [];
    const { smsc, gateway } = await rig({}, {}, (batch) => {
      if (fail) throw new Error('store busy');
      events.push(...batch);
    });
    await gateway.start();
    expect((await smsc.deliver({ esm_class: 4, short_message: 'not a receipt' })).command_status).toBe(0);
    expect((await smsc.deliver({ esm_class: 4, receipted_message_id: 'X1', message_state: 42 })).command_status).toBe(0);
    expect((await smsc.deliver({ data_coding: 4, short_message: Buffer.from([1, 2, 3]) })).command_status).toBe(0);
    expect(events).toEqual([]);
    fail = true;
    expect((await smsc.deliver({ esm_class: 4, receipted_message_id: 'X1', message_state: 2 })).command_status).toBe(smpp.errors.ESME_RX_T_APPN);
    fail = false;
    expect((await smsc.deliver({ esm_class: 4, receipted_message_id: 'X1', message_state: 2 })).command_status).toBe(0);
    expect(statuses(events).map((e) => e.key)).toEqual(['X1:delivered']);
  });
});

describe('smpp: the link', () => {
  it('answers the SMSC’s enquire_link and sends its own every SMPP_ENQUIRE_LINK_MS', async () => {
    const { smsc, gateway, timers } = await rig({ SMPP_ENQUIRE_LINK_MS: '30000' });
    await gateway.start();
    expect((await smsc.request('enquire_link')).command_status).toBe(0);
    // No answer for alert_notification (none is defined); an unsupported request is refused, not ignored.
    smsc.notify('alert_notification');
    expect(await smsc.request('query_sm')).toMatchObject({ command: 'query_sm_resp', command_status: smpp.errors.ESME_RINVCMDID });
    timers.advance(29_999);
    expect(smsc.enquireLinks).toHaveLength(0);
    timers.advance(1);
    await smsc.until(() => smsc.enquireLinks.length === 1);
    expect(gateway.linkState()).toBe('bound');
  });

  it('drops a link whose enquire_link goes unanswered, then binds again', async () => {
    const { smsc, gateway, timers, untilState } = await rig({ SMPP_ENQUIRE_LINK_MS: '30000', SMPP_RESPONSE_TIMEOUT_MS: '5000' }, { answerEnquireLink: false });
    await gateway.start();
    timers.advance(30_000);
    await smsc.until(() => smsc.enquireLinks.length === 1);
    timers.advance(5000);
    await untilState('waiting');
    timers.advance(1000);
    await untilState('bound');
    expect(smsc.binds).toHaveLength(2);
  });

  it('reconnects with exponential backoff after the SMSC drops the connection or goes away', async () => {
    const { smsc, gateway, timers, untilState } = await rig();
    ok(await gateway.send(contractMessage()));
    smsc.dropConnections();
    await untilState('waiting');
    expect(await gateway.send(contractMessage())).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true, retryAfterMs: 1000 } });
    timers.advance(1000);
    ok(await gateway.send(contractMessage()));
    expect(smsc.binds).toHaveLength(2);

    await smsc.stop();
    await untilState('waiting');
    timers.advance(1000);
    await untilState('waiting');
    const refused = await gateway.send(contractMessage());
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true, retryAfterMs: 2000 } });
    expect(refused.ok || refused.error.message).toMatch(/ECONNREFUSED/);
    await smsc.start(smsc.port);
    timers.advance(2000);
    ok(await gateway.send(contractMessage()));
    expect(smsc.binds).toHaveLength(3);
  });

  it('keeps at most SMPP_WINDOW submit_sm awaiting an answer', async () => {
    const { smsc, gateway } = await rig({ SMPP_WINDOW: '10' }, { hold: true, receipts: 'none' });
    await gateway.start();
    const results = Promise.all(Array.from({ length: 30 }, () => gateway.send(contractMessage())));
    for (let batch = 1; batch <= 3; batch++) {
      await smsc.until(() => smsc.submits.length === batch * 10);
      // One more turn of the event loop: a client ignoring the window would have sent the rest by now.
      await new Promise((resolve) => setImmediate(resolve));
      smsc.release();
    }
    expect((await results).every((r) => r.ok)).toBe(true);
    expect(smsc.maxOutstanding).toBe(10);
    expect(gateway.capabilities().maxInFlight).toBe(10);
  });

  it('reports an unanswered submit_sm as an unknown outcome, never a retryable failure', async () => {
    const { smsc, gateway, timers } = await rig({ SMPP_RESPONSE_TIMEOUT_MS: '8000' });
    await gateway.start();
    smsc.next('silent');
    const pending = gateway.send(contractMessage());
    await smsc.until(() => smsc.submits.length === 1);
    timers.advance(8000);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'timeout', retryable: false, outcomeUnknown: true } });
    // The window slot came back.
    ok(await gateway.send(contractMessage()));

    smsc.next('silent');
    const cut = gateway.send(contractMessage());
    await smsc.until(() => smsc.submits.length === 3);
    smsc.dropConnections();
    expect(await cut).toMatchObject({ ok: false, error: { code: 'timeout', retryable: false, outcomeUnknown: true } });
  });

  it('asks query_sm about a long message cut off after its first part, by the id the SMSC returned', async () => {
    const { smsc, gateway } = await rig({}, { receipts: 'none' });
    smsc.next({ status: 0 }, { status: smpp.errors.ESME_RINVDSTADR! });
    const message = contractMessage({ text: 'c'.repeat(200), segments: 2 });
    const partial = await gateway.send(message);
    expect(partial).toMatchObject({ ok: false, error: { outcomeUnknown: true, providerMessageId: 'MSG-1' } });
    const query = { messageId: message.messageId, to: message.to, from: message.from, text: message.text, since: new Date(START) };
    expect(await gateway.findSent({ ...query, providerMessageId: 'MSG-1' })).toMatchObject({
      found: 'sent', providerMessageId: 'MSG-1', status: { status: 'submitted', providerMessageId: 'MSG-1', messageId: message.messageId },
    });
    expect(smsc.queries[0]).toMatchObject({ message_id: 'MSG-1', source_addr: message.from });
    expect(await gateway.findSent({ ...query, providerMessageId: 'MSG-404' })).toMatchObject({ found: 'cannot_tell', reason: expect.stringContaining('query_sm refused') });
    // Without an id there is nothing to ask an SMSC about.
    expect(await gateway.findSent(query)).toMatchObject({ found: 'cannot_tell' });
    expect(smsc.queries).toHaveLength(2);
  });

  it('backs off on ESME_RTHROTTLED and ESME_RMSGQFUL, doubling while they repeat', async () => {
    const { smsc, gateway } = await rig();
    smsc.next({ status: 0x58 }, { status: 0x14 }, { status: 0 }, { status: 0x58 });
    expect(await gateway.send(contractMessage())).toMatchObject({ ok: false, error: { code: 'throttled', retryable: true, retryAfterMs: 1000, providerCode: '0x00000058 ESME_RTHROTTLED' } });
    expect(await gateway.send(contractMessage())).toMatchObject({ ok: false, error: { code: 'throttled', retryAfterMs: 2000, providerCode: '0x00000014 ESME_RMSGQFUL' } });
    ok(await gateway.send(contractMessage()));
    expect(await gateway.send(contractMessage())).toMatchObject({ ok: false, error: { retryAfterMs: 1000 } });
  });

  it('reports a refused bind as auth_failed without the password, also from verifyCredentials', async () => {
    const { gateway } = await rig({ SMPP_PASSWORD: 'hunter2' });
    const result = await gateway.send(contractMessage());
    expect(result).toMatchObject({ ok: false, error: { code: 'auth_failed', retryable: false, providerCode: '0x0000000E ESME_RINVPASWD' } });
    const check = await gateway.verifyCredentials();
    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining('ESME_RINVPASWD') });
    expect(JSON.stringify([result, check])).not.toContain('hunter2');
  });

  it('verifies credentials by binding', async () => {
    const { smsc, gateway } = await rig();
    expect(await gateway.verifyCredentials()).toEqual({ ok: true, detail: `Bound to 127.0.0.1:${smsc.port} as esme` });
    expect(smsc.binds[0]).toMatchObject({ system_id: 'esme', interface_version: 0x34 });
  });

  it('resends a throttled later part with the same header, and calls a part refused for good an unknown outcome', async () => {
    const { smsc, gateway, timers, untilScheduled } = await rig({}, { receipts: 'none' });
    await gateway.start();
    smsc.next({ status: 0 }, { status: 0x58 });
    const pending = gateway.send(contractMessage({ text: 'b'.repeat(200), segments: 2 }));
    await untilScheduled(1000);
    timers.advance(1000);
    expect(ok(await pending)).toBe('MSG-1');
    expect(smsc.submits.map((pdu) => concatIe(pdu)[4])).toEqual([1, 2, 2]);
    expect(concatIe(smsc.submits[2]!)).toEqual(concatIe(smsc.submits[1]!));

    smsc.next({ status: 0 }, { status: 0x0b });
    const partial = await gateway.send(contractMessage({ text: 'c'.repeat(200), segments: 2 }));
    expect(partial).toMatchObject({ ok: false, error: { code: 'invalid_number', retryable: false, outcomeUnknown: true, message: expect.stringContaining('parts 1-1 of 2 were accepted as MSG-3') } });
  });

  it('unbinds on close and refuses later sends as unavailable', async () => {
    const { smsc, gateway } = await rig();
    await gateway.start();
    await gateway.close();
    await smsc.until(() => smsc.connections() === 0);
    expect(gateway.linkState()).toBe('closed');
    expect(await gateway.send(contractMessage())).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true } });
  });
});

describe('smpp: map-error', () => {
  it.each([
    [0x0b, 'invalid_number', false],
    [0x50, 'invalid_number', false],
    [0x0a, 'invalid_sender', false],
    [0x48, 'invalid_sender', false],
    [0x58, 'throttled', true],
    [0x14, 'throttled', true],
    [0x08, 'unavailable', true],
    [0x04, 'unavailable', true],
    [0x0d, 'auth_failed', false],
    [0x0e, 'auth_failed', false],
    [0x0f, 'auth_failed', false],
    [0x45, 'message_rejected', false],
    [0x01, 'message_rejected', false],
    [0x101, 'blocked', false],
    [0x40a, 'unknown', false],
    [0x9999, 'unknown', false],
  ] as const)('maps command_status %i to %s (retryable %s)', (status, code, retryable) => {
    expect(mapCommandStatus(status)).toMatchObject({ code, retryable });
  });

  it('maps configured vendor statuses to opted_out, and names codes for reports', () => {
    expect(mapCommandStatus(0x40a, { optedOutStatuses: [0x40a] })).toMatchObject({ code: 'opted_out', retryable: false, providerCode: '0x0000040A vendor-specific' });
    expect(mapCommandStatus(0x58, { throttleRetryAfterMs: 750 })).toMatchObject({ retryAfterMs: 750, providerCode: '0x00000058 ESME_RTHROTTLED' });
    expect(mapCommandStatus(0x9999).providerCode).toBe('0x00009999');
  });

  it.each([
    [1, 'submitted'], [2, 'delivered'], [3, 'expired'], [4, 'failed'], [5, 'undelivered'], [6, 'submitted'], [7, 'failed'], [8, 'rejected'],
  ] as const)('maps message_state %i to %s', (state, status) => {
    expect(statusFromMessageState(state)?.status).toBe(status);
  });

  it.each([
    ['DELIVRD', 'delivered'], ['EXPIRED', 'expired'], ['DELETED', 'failed'], ['UNDELIV', 'undelivered'], ['ACCEPTD', 'submitted'], ['UNKNOWN', 'failed'], ['REJECTD', 'rejected'], ['enroute', 'submitted'],
  ] as const)('maps stat:%s to %s', (word, status) => {
    expect(statusFromStatWord(word)?.status).toBe(status);
  });

  it('knows nothing of states outside the spec', () => {
    expect(statusFromMessageState(42)).toBeUndefined();
    expect(statusFromStatWord('WHATEVER')).toBeUndefined();
  });
});

describe('smpp: receipt text and deliver_sm parsing', () => {
  it.each([
    // SMPP 3.4 Appendix B layout.
    ['id:0123456789 sub:001 dlvrd:001 submit date:0610191018 done date:0610191018 stat:DELIVRD err:000 text:Hello', { id: '0123456789', stat: 'DELIVRD', err: '000' }],
    // Long hex id, dates with seconds, capitalised Text:.
    ['id:7f3a9c2e-11 sub:001 dlvrd:000 submit date:260302100001 done date:260302100502 stat:UNDELIV err:069 Text:Привет', { id: '7f3a9c2e-11', stat: 'UNDELIV', err: '069' }],
    // An SMSC that leaves out sub, dlvrd and the dates.
    ['id:A1B2 stat:EXPIRED err:1', { id: 'A1B2', stat: 'EXPIRED', err: '1' }],
    ['id:A1B2 stat:REJECTD', { id: 'A1B2', stat: 'REJECTD' }],
  ])('parses %s', (receipt, expected) => {
    expect(parseReceiptText(receipt)).toEqual(expected);
  });

  it('refuses text that is no receipt', () => {
    expect(parseReceiptText('Спасибо!')).toBeUndefined();
    expect(parseReceiptText('id:only')).toBeUndefined();
  });

  it('prefers the TLVs over the text, and keeps an error code', () => {
    const text = 'id:TEXT-ID sub:001 dlvrd:001 submit date:2603021000 done date:2603021001 stat:DELIVRD err:000 text:';
    expect(parseDeliverSm({ esm_class: 4, short_message: { message: text }, receipted_message_id: 'TLV-ID', message_state: 3 })).toEqual({ kind: 'receipt', receiptedId: 'TLV-ID', status: 'expired', providerCode: 'EXPIRED' });
    expect(parseDeliverSm({ esm_class: 4, short_message: { message: text.replace('DELIVRD err:000', 'UNDELIV err:005') } })).toEqual({ kind: 'receipt', receiptedId: 'TEXT-ID', status: 'undelivered', providerCode: 'UNDELIV err:005' });
  });

  it('reads inbound text from message_payload and concatenation from sar TLVs or a 16-bit reference', () => {
    expect(parseDeliverSm({ source_addr: '123', destination_addr: '456', short_message: { message: '' }, message_payload: { message: 'long reply' } })).toEqual({ kind: 'inbound', from: '123', to: '456', text: 'long reply' });
    expect(parseDeliverSm({ short_message: { message: 'a' }, sar_msg_ref_num: 300, sar_total_segments: 2, sar_segment_seqnum: 2 })).toMatchObject({ concat: { reference: 300, total: 2, sequence: 2 } });
    expect(parseDeliverSm({ esm_class: 0x40, short_message: { message: 'a', udh: [Buffer.from([0x08, 4, 0x01, 0x2c, 3, 1])] } })).toMatchObject({ concat: { reference: 300, total: 3, sequence: 1 } });
    expect(parseDeliverSm({ esm_class: 'x' })).toMatchObject({ kind: 'unusable' });
    // An SME acknowledgement is not a reply; an intermediate notification is read as a receipt.
    expect(parseDeliverSm({ esm_class: 0x08, short_message: { message: 'ok' } })).toMatchObject({ kind: 'unusable' });
    expect(parseDeliverSm({ esm_class: 0x20, receipted_message_id: 'M1', message_state: 1 })).toMatchObject({ kind: 'receipt', status: 'submitted' });
  });
});

describe('smpp: encode', () => {
  const settings = { longMessages: 'udh', sourceTon: 'auto', sourceNpi: 'auto' } as const;
  const encode = (overrides: Partial<OutboundSms>, config: Parameters<typeof buildSubmits>[1] = settings) => buildSubmits(contractMessage(overrides), config, 7);

  it('writes GSM text as unpacked septets with data_coding 0, and UCS-2 as UTF-16BE with data_coding 8', () => {
    expect(encode({ text: '@€a' })).toMatchObject({ ok: true, segments: 1, submits: [{ data_coding: 0, esm_class: 0, short_message: Buffer.from([0x00, 0x1b, 0x65, 0x61]) }] });
    expect(encode({ text: 'Я😀', encoding: 'UCS-2' })).toMatchObject({ ok: true, submits: [{ data_coding: 8, short_message: Buffer.from([0x04, 0x2f, 0xd8, 0x3d, 0xde, 0x00]) }] });
  });

  it('never splits a surrogate pair across parts', () => {
    const encoded = encode({ text: `${'Я'.repeat(66)}😀${'Я'.repeat(10)}`, encoding: 'UCS-2' });
    if (!encoded.ok) throw new Error(encoded.error.message);
    expect(encoded.submits.map((s) => (s.short_message.length - 6) / 2)).toEqual([66, 12]);
    expect([...encoded.submits[0]!.short_message.subarray(0, 6)]).toEqual([5, 0, 3, 7, 2, 1]);
  });

  it('picks TON/NPI from the sender unless configured, and strips the plus signs', () => {
    expect(encode({ from: '+79001234567' })).toMatchObject({ submits: [{ source_addr_ton: 1, source_addr_npi: 1, source_addr: '79001234567', dest_addr_ton: 1, dest_addr_npi: 1 }] });
    expect(encode({ from: 'Shop' })).toMatchObject({ submits: [{ source_addr_ton: 5, source_addr_npi: 0, source_addr: 'Shop' }] });
    expect(encode({ from: '79001234567' })).toMatchObject({ submits: [{ source_addr_ton: 1, source_addr_npi: 1 }] });
    expect(encode({ from: '7575' })).toMatchObject({ submits: [{ source_addr_ton: 3, source_addr_npi: 0, source_addr: '7575' }] });
    expect(encode({ from: '7575' }, { ...settings, sourceTon: 6, sourceNpi: 1 })).toMatchObject({ submits: [{ source_addr_ton: 6, source_addr_npi: 1 }] });
  });

  it('carries the validity period', () => {
    const validUntil = new Date('2026-03-02T12:00:00Z');
    expect(encode({ validUntil })).toMatchObject({ submits: [{ validity_period: validUntil }] });
  });

  it.each([
    [{ to: '+7 912' }, 'invalid_number'],
    [{ from: 'AVeryLongSenderName' }, 'invalid_sender'],
    [{ from: 'Магазин' }, 'invalid_sender'],
    [{ text: 'Привет', encoding: 'GSM-7' as const }, 'message_rejected'],
    [{ text: '' }, 'message_rejected'],
  ])('refuses %j as %s', (overrides, code) => {
    expect(encode(overrides)).toMatchObject({ ok: false, error: { code, retryable: false } });
  });
});

describe('smpp: config', () => {
  const env = { SMPP_URL: 'ssmpp://smsc.example.com', SMPP_SYSTEM_ID: 'esme', SMPP_PASSWORD: 'secret' };

  it('fills the documented defaults', () => {
    expect(smppConfigSchema.parse(env)).toEqual({
      ...env, SMPP_MPS: 50, SMPP_WINDOW: 10, SMPP_ENQUIRE_LINK_MS: 30_000, SMPP_LONG_MESSAGES: 'udh', SMPP_SOURCE_TON: 'auto', SMPP_SOURCE_NPI: 'auto',
      SMPP_RESPONSE_TIMEOUT_MS: 10_000, SMPP_THROTTLE_BACKOFF_MS: 1000, SMPP_OPTED_OUT_STATUSES: [], SMPP_MAX_RETRY_AFTER_S: 60,
    });
    expect(parseSmppUrl(env.SMPP_URL)).toEqual({ host: 'smsc.example.com', port: 3550, tls: true });
    expect(parseSmppUrl('smpp://10.0.0.1')).toEqual({ host: '10.0.0.1', port: 2775, tls: false });
  });

  it('coerces strings and parses its own output again', () => {
    const parsed = smppConfigSchema.parse({ ...env, SMPP_WINDOW: '25', SMPP_SOURCE_TON: '3', SMPP_OPTED_OUT_STATUSES: '0x40A, 1035' });
    expect(parsed).toMatchObject({ SMPP_WINDOW: 25, SMPP_SOURCE_TON: 3, SMPP_OPTED_OUT_STATUSES: [0x40a, 1035] });
    expect(smppConfigSchema.parse(parsed)).toEqual(parsed);
  });

  it.each([
    [{ SMPP_URL: 'http://smsc' }, 'smpp://host'],
    [{ SMPP_PASSWORD: undefined }, 'SMPP_PASSWORD is required'],
    [{ SMPP_SYSTEM_ID: 'a-very-long-system-id' }, 'at most 15'],
    [{ SMPP_WINDOW: '0' }, 'at least 1'],
    [{ SMPP_LONG_MESSAGES: 'sar' }, 'udh'],
    [{ SMPP_SOURCE_TON: 'seven' }, 'auto or a whole number'],
    [{ SMPP_OPTED_OUT_STATUSES: 'DND' }, 'not a command_status'],
  ])('rejects %j', (overrides, message) => {
    const result = smppConfigSchema.safeParse({ ...env, ...overrides });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join('\n')).toContain(message);
  });
});
