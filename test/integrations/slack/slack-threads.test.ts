import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InboundEvent } from '../../../src/delivery/gateway.js';
import { makeContact, makeEntry } from '../../helpers/factories.js';
import type { SlackServer } from '../../helpers/slack.js';
import { NOTIFY, REPLIES, startSlackServer, webApi } from '../../helpers/slack.js';

const PHONE = '+79160000020';
let s: SlackServer;
let campaignId: string;

const inbound = (text: string, n: number): InboundEvent => ({
  type: 'inbound', gateway: 'simulator', providerMessageId: `in-${n}`, from: PHONE, to: 'SHOP', text, at: new Date().toISOString(), key: `in-${n}`,
});
const toContact = async () => (await s.app.store.outbox.lastToPhone(PHONE));

beforeAll(async () => {
  s = await startSlackServer();
  const contact = makeContact({ phone: PHONE, firstName: 'Анна', lastName: 'Иванова', country: 'RU', timezone: 'Europe/Moscow' });
  await s.app.store.contacts.upsertMany([contact]);
  await s.app.store.consent.append([makeEntry({ contactId: contact.id })]);
  const campaign = await s.app.campaigns.create({
    name: 'Spring sale', kind: 'marketing', audience: { phones: [PHONE] }, variants: [{ name: 'A', text: 'Spring sale: 20% off', weight: 1 }],
    campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' },
  });
  campaignId = campaign.id;
  await s.app.campaigns.start(campaignId);
  await s.engine.step();
});
afterAll(async () => {
  await s.close();
  nock.enableNetConnect();
});

describe('Slack notifications', () => {
  it('posts the start, then updates it and adds the report summary when the campaign finishes', async () => {
    const posted = webApi('chat.postMessage', { channel: NOTIFY, ts: '400.1' });
    const updated = webApi('chat.update', { channel: NOTIFY, ts: '400.1' });
    await s.slack.outbox.drain();
    expect(posted.calls[0]).toMatchObject({ channel: NOTIFY, text: expect.stringContaining(`Campaign \`${campaignId}\` Spring sale started: 1 recipients`) });
    expect((await s.app.campaigns.get(campaignId)).status).toBe('completed');
    expect(updated.calls).toEqual([expect.objectContaining({ channel: NOTIFY, ts: '400.1', text: expect.stringContaining('finished: 0 delivered of 1 submitted') })]);
    expect(posted.calls[1]).toMatchObject({ channel: NOTIFY, thread_ts: '400.1', text: expect.stringContaining('finished') });
    nock.cleanAll();
  });

  it('loses nothing while Slack is down: the post waits, then goes, also across a restart', async () => {
    await s.slack.notify({ type: 'circuit_open', gateway: 'twilio', failover: 'smsru', until: '2026-12-03T12:00:00.000Z' });
    nock('https://slack.com').post('/api/chat.postMessage').reply(503, 'down');
    const first = await s.slack.outbox.drain();
    expect(first.failure?.reason).toBe('http_503');
    expect(await s.slack.outbox.pending()).toBe(1);
    const dataDir = s.dataDir;
    await s.stop();
    s = await startSlackServer({ dataDir });
    const posted = webApi('chat.postMessage', { channel: NOTIFY, ts: '401.1' });
    expect((await s.slack.outbox.drain()).posted).toBe(1);
    expect(posted.calls).toEqual([expect.objectContaining({ channel: NOTIFY, text: expect.stringContaining('Gateway *twilio* keeps failing') })]);
    nock.cleanAll();
  });
});

describe('reply threads', () => {
  it('posts a reply in the contact\'s thread (name, masked number, campaign), and a team answer there goes out as SMS', async () => {
    const posted = webApi('chat.postMessage', { channel: REPLIES, ts: '500.1' });
    await s.engine.accept([inbound('Is it still on?', 1)]);
    await s.engine.step();
    await s.slack.outbox.drain();
    expect(posted.calls[0]).toMatchObject({ channel: REPLIES, text: expect.stringContaining('*Анна Иванова* (+7916***0020)') });
    expect(posted.calls[0]?.text).toContain(`campaign \`${campaignId}\` Spring sale`);
    expect(posted.calls[1]).toMatchObject({ channel: REPLIES, thread_ts: '500.1', text: '>Is it still on?' });

    const campaigns = async () => (await s.app.store.campaigns.list()).length;
    const before = await campaigns();
    const reply = { type: 'message', channel: REPLIES, user: 'UALLOWED2', text: 'Yes, until Sunday', ts: '500.2', thread_ts: '500.1' };
    expect((await s.event(reply, 'Ev-reply')).status).toBe(200);
    // The event is acknowledged first; the answer is handled once its note to the thread is queued.
    await vi.waitFor(async () => expect(await s.slack.outbox.pending()).toBe(1), { timeout: 5000, interval: 20 });
    expect(await campaigns()).toBe(before + 1);
    await s.engine.step();
    const sms = await toContact();
    expect(sms).toMatchObject({ phone: PHONE, text: 'Yes, until Sunday', kind: 'transactional', gateway: 'simulator', status: 'submitted' });
    // Slack retries an event it thinks was missed: still one SMS.
    await s.event(reply, 'Ev-reply');
    await s.engine.step();
    expect((await toContact())?.id).toBe(sms?.id);
    expect(await campaigns()).toBe(before + 1);
    await s.slack.outbox.drain();
    expect(posted.calls.slice(2)).toContainEqual(expect.objectContaining({ thread_ts: '500.1', text: expect.stringContaining('Sent by SMS to +7916***0020') }));
    nock.cleanAll();
  });

  it('shows a STOP as an opt-out, and the contact\'s STOP blocks an answer from the thread', async () => {
    const posted = webApi('chat.postMessage', { channel: REPLIES, ts: '500.9' });
    await s.engine.accept([inbound('STOP', 2)]);
    await s.engine.step();
    await s.slack.outbox.drain();
    expect(posted.calls).toEqual([expect.objectContaining({ channel: REPLIES, thread_ts: '500.1', text: expect.stringContaining('*Opted out*') })]);
    const before = await toContact();
    await s.event({ type: 'message', channel: REPLIES, user: 'UALLOWED2', text: 'Sorry to see you go', ts: '500.3', thread_ts: '500.1' });
    await vi.waitFor(async () => {
      await s.slack.outbox.drain();
      expect(posted.calls.map((c) => c.text)).toContainEqual(expect.stringContaining('Not sent: +7916***0020 has opted out'));
    }, { timeout: 5000, interval: 20 });
    await s.engine.step();
    expect((await toContact())?.id).toBe(before?.id);
    nock.cleanAll();
  });

  it('ignores messages outside contact threads and the bot\'s own posts', async () => {
    const campaigns = (await s.app.store.campaigns.list()).length;
    await s.event({ type: 'message', channel: REPLIES, user: 'UALLOWED2', text: 'not a contact thread', ts: '600.2', thread_ts: '600.1' });
    await s.event({ type: 'message', channel: REPLIES, user: 'U0BOT', bot_id: 'B0BOT', text: 'echo', ts: '500.5', thread_ts: '500.1' });
    await s.event({ type: 'message', channel: 'COTHER001', user: 'UALLOWED2', text: 'elsewhere', ts: '500.6', thread_ts: '500.1' });
    // A real answer last: once its note is queued, the three before it have been handled too.
    await s.slack.outbox.drain().catch(() => undefined);
    nock.cleanAll();
    const queued = await s.slack.outbox.pending();
    await s.event({ type: 'message', channel: REPLIES, user: 'UALLOWED2', text: 'Still there?', ts: '500.7', thread_ts: '500.1' });
    await vi.waitFor(async () => expect(await s.slack.outbox.pending()).toBe(queued + 1), { timeout: 5000, interval: 20 });
    // Only the real answer made a (one-message, consent-refused) campaign.
    expect((await s.app.store.campaigns.list()).length).toBe(campaigns + 1);
  });
});

describe('failure spikes', () => {
  it('warns the notify channel when failures spike in a sending campaign', async () => {
    const numbers = Array.from({ length: 30 }, (_, i) => `+7917000${String(i).padStart(4, '0')}`);
    const campaign = await s.app.campaigns.create({
      name: 'Order notices', kind: 'transactional', audience: { phones: numbers }, variants: [{ name: 'A', text: 'Your order is ready', weight: 1 }],
      campaignVariables: {}, sender: 'SHOP', gateway: 'simulator', schedule: { type: 'now' },
    });
    await s.app.campaigns.start(campaign.id);
    await s.slack.outbox.drain().catch(() => undefined);
    nock.cleanAll();
    await s.slack.watchFailures();
    const rows = await s.app.store.outbox.listByCampaign(campaign.id, { limit: 100 });
    await s.app.store.outbox.updateMany(rows.map((row, i) => ({ ...row, status: i < 25 ? 'rejected' as const : 'submitted' as const, errorCode: 'blocked' as const })));
    await s.slack.watchFailures();
    const posted = webApi('chat.postMessage', { channel: NOTIFY, ts: '700.1' });
    await s.slack.outbox.drain();
    expect(posted.calls.map((c) => c.text)).toContainEqual(expect.stringContaining(`Failures are spiking in campaign \`${campaign.id}\` Order notices: 25 of the last 30`));
    await s.slack.watchFailures();
    expect(await s.slack.outbox.pending()).toBe(0);
    nock.cleanAll();
  });
});
