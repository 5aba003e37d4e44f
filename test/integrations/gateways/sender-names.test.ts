import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/common/clock.js';
import { chooseSender } from '../../../src/delivery/choose-sender.js';
import { manualTimers } from '../../../src/delivery/timers.js';
import { createSmppGateway } from '../../../integrations/gateways/smpp/index.js';
import { createSmsRuGateway } from '../../../integrations/gateways/smsru/index.js';
import { createTwilioGateway, twilioConfigSchema } from '../../../integrations/gateways/twilio/index.js';
import type { TwilioEnv } from '../../../integrations/gateways/twilio/index.js';
import { createVonageGateway } from '../../../integrations/gateways/vonage/index.js';
import { contractMessage } from '../../delivery/gateway.contract.js';
import { API_ID, CALLBACK_SECRET } from '../../fixtures/smsru/callbacks.js';
import { FakeSmsc } from '../../fixtures/smpp/fake-smsc.js';

const NOW = '2026-03-02T10:00:00.000Z';
const SID = `AC${'a1'.repeat(16)}`;
const TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const SERVICE = `MG${'b2'.repeat(16)}`;
const TWILIO = 'https://api.twilio.com';
const MESSAGES = `/2010-04-01/Accounts/${SID}/Messages.json`;
const UK = '+447700900123';
const US = '+12025550143';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const twilio = (env: Partial<TwilioEnv>) =>
  createTwilioGateway(twilioConfigSchema.parse({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, ...env }), { clock: fixedClock(NOW) });

/** Answers one Twilio send and keeps the form it got. */
function twilioSend(): { form: () => Record<string, string> } {
  let seen: Record<string, string> = {};
  nock(TWILIO).post(MESSAGES, (body: Record<string, string>) => ((seen = body), true)).reply(201, { sid: `SM${'0'.repeat(32)}`, num_segments: '1' });
  return { form: () => seen };
}

describe('Twilio: the campaign\'s sender on the phone', () => {
  it('sends an alphanumeric sender as From where the destination shows names', async () => {
    const gateway = twilio({ TWILIO_FROM: '+15017122661' });
    const sent = twilioSend();
    expect(await gateway.send(contractMessage({ to: UK, from: 'Shop' }))).toMatchObject({ ok: true });
    expect(sent.form()).toMatchObject({ To: UK, From: 'Shop' });
    expect(sent.form().MessagingServiceSid).toBeUndefined();
  });

  it('sends to US numbers from TWILIO_FROM, since US and CA show no names, and says so before sending', async () => {
    const gateway = twilio({ TWILIO_FROM: '+15017122661' });
    const sent = twilioSend();
    expect(await gateway.send(contractMessage({ to: US, from: 'Shop' }))).toMatchObject({ ok: true });
    expect(sent.form()).toMatchObject({ To: US, From: '+15017122661' });
    expect(gateway.senderNotes('Shop')).toEqual(['Twilio cannot show the name "Shop" to US, CA, PR numbers: those messages go from +15017122661 (TWILIO_FROM)']);
    expect(gateway.senderNotes('+15017122661')).toEqual([]);
  });

  it('refuses a name to a US number when there is no number to fall back on, without calling Twilio', async () => {
    const gateway = twilio({ TWILIO_FROM: 'ShopName' });
    const result = await gateway.send(contractMessage({ to: US, from: 'Shop' }));
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_sender', retryable: false, message: expect.stringContaining('set TWILIO_FROM to a Twilio number') } });
    expect(gateway.senderNotes('Shop')[0]).toContain('will be refused');
  });

  it('sends through the Messaging Service when configured, which picks the sender, and says so', async () => {
    const gateway = twilio({ TWILIO_MESSAGING_SERVICE_SID: SERVICE });
    const sent = twilioSend();
    expect(await gateway.send(contractMessage({ to: UK, from: 'Shop' }))).toMatchObject({ ok: true });
    expect(sent.form()).toEqual(expect.objectContaining({ MessagingServiceSid: SERVICE }));
    expect(sent.form().From).toBeUndefined();
    expect(gateway.senderNotes('Shop')[0]).toContain('Messaging Service MGb2…');
  });

  it('uses TWILIO_FROM for a campaign that names no sender', () => {
    expect(chooseSender(undefined, undefined, twilio({ TWILIO_FROM: '+15017122661' }))).toEqual({ sender: '+15017122661', notes: [] });
    expect(chooseSender(undefined, 'SHOP', twilio({ TWILIO_FROM: '+15017122661' })).sender).toBe('SHOP');
    expect(chooseSender('Mine', 'SHOP', twilio({ TWILIO_FROM: '+15017122661' })).sender).toBe('Mine');
    expect(() => chooseSender(undefined, undefined, twilio({ TWILIO_MESSAGING_SERVICE_SID: SERVICE }))).toThrow('No sender id: the twilio gateway has no sender configured.');
  });
});

describe('Vonage and SMS.ru: `from` is the campaign\'s sender, or the configured one', () => {
  it('Vonage posts from=<sender>, and VONAGE_FROM is the default', async () => {
    const base = 'https://rest.vonage.test';
    const gateway = createVonageGateway({ VONAGE_API_KEY: 'abcd1234', VONAGE_API_SECRET: 'abcdef0123456789', VONAGE_API_BASE: base, VONAGE_FROM: 'Bakery' }, { clock: fixedClock(NOW) });
    let seen: Record<string, string> = {};
    nock(base).post('/sms/json', (body: Record<string, string>) => ((seen = body), true)).reply(200, { 'message-count': '1', messages: [{ to: '447700900123', 'message-id': 'V1', status: '0' }] });
    expect(await gateway.send(contractMessage({ to: UK, from: 'Shop' }))).toMatchObject({ ok: true, providerMessageId: 'V1' });
    expect(seen.from).toBe('Shop');
    expect(chooseSender(undefined, undefined, gateway)).toEqual({ sender: 'Bakery', notes: [] });
  });

  it('SMS.ru posts from=<sender>, and SMSRU_FROM is the default', async () => {
    const gateway = createSmsRuGateway({ SMSRU_API_ID: API_ID, SMSRU_CALLBACK_SECRET: CALLBACK_SECRET, SMSRU_FROM: 'Bakery' }, { clock: fixedClock(NOW) });
    let seen: Record<string, string> = {};
    nock('https://sms.ru').post('/sms/send', (body: Record<string, string>) => ((seen = body), true))
      .reply(200, { status: 'OK', status_code: 100, sms: { '79123456789': { status: 'OK', status_code: 100, sms_id: 'R1' } } });
    expect(await gateway.send(contractMessage({ to: '+79123456789', from: 'Shop' }))).toMatchObject({ ok: true, providerMessageId: 'R1' });
    expect(seen.from).toBe('Shop');
    expect(chooseSender(undefined, undefined, gateway).sender).toBe('Bakery');
  });
});

describe('SMPP: source_addr and its TON on the wire', () => {
  it('sends a name with TON 5, a number with TON 1 and NPI 1, and SMPP_SOURCE_ADDR when the campaign names none', async () => {
    const smsc = await new FakeSmsc().start();
    const clock = fixedClock(NOW);
    const gateway = createSmppGateway({ SMPP_URL: smsc.url, SMPP_SYSTEM_ID: 'esme', SMPP_PASSWORD: 'secret', SMPP_SOURCE_ADDR: '+79001234567' }, { clock, timers: manualTimers(clock), onEvents: () => undefined });
    try {
      expect(await gateway.send(contractMessage({ from: 'Shop' }))).toMatchObject({ ok: true });
      const { sender } = chooseSender(undefined, undefined, gateway);
      expect(sender).toBe('+79001234567');
      expect(await gateway.send(contractMessage({ from: sender }))).toMatchObject({ ok: true });
      expect(smsc.submits.map((pdu) => [pdu.source_addr, pdu.source_addr_ton, pdu.source_addr_npi])).toEqual([['Shop', 5, 0], ['79001234567', 1, 1]]);
    } finally {
      await gateway.close();
      await smsc.close();
    }
  });
});
