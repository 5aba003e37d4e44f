import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../integrations/slack/blocks.js';
import { USAGE } from '../../../integrations/slack/command-text.js';
import { makeContact, makeEntry } from '../../helpers/factories.js';
import type { SlackServer } from '../../helpers/slack.js';
import { NOTIFY, responseUrl, startSlackServer, webApi } from '../../helpers/slack.js';

let s: SlackServer;
const phones = Array.from({ length: 5 }, (_, i) => `+7916000001${i}`);

beforeAll(async () => {
  s = await startSlackServer({ env: { SLACK_MAX_AUDIENCE: '3', FREQUENCY_CAP_MAX: '100' } });
  const contacts = phones.map((phone) => makeContact({ phone, country: 'RU', timezone: 'Europe/Moscow', tags: ['vip'] }));
  await s.app.store.contacts.upsertMany(contacts);
  await s.app.store.consent.append(contacts.map((c) => makeEntry({ contactId: c.id })));
  const at = new Date().toISOString();
  await s.app.store.segments.put({ name: 'vip', filter: { field: 'tags', op: 'has_any', value: ['vip'] }, createdAt: at, updatedAt: at });
});
afterAll(async () => {
  await s.close();
  nock.enableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

const buttons = (message: { blocks?: Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }> }) =>
  (message.blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);

/** Runs /sms send and returns the preview that follows through response_url, with its pending id. */
async function preview(text: string, user = 'UALLOWED1') {
  const hook = responseUrl(`/commands/T1/preview-${Math.random().toString(36).slice(2)}`);
  const ack = await s.command(text, { user, responseUrl: hook.url });
  const message = await hook.next();
  return { ack, message, id: buttons(message).find((b) => b.action_id === ACTIONS.confirm)?.value as string };
}

describe('/sms over a signed request to the running service', () => {
  it('acknowledges at once, then sends the preview through response_url', async () => {
    const { ack, message, id } = await preview('send +79160000010,+79160000011 Hello {{firstName}}, 10% off today');
    expect(ack.status).toBe(200);
    // The acknowledgement is sent before the preview is worked out: it carries none of its figures.
    expect(ack.body).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('Working out') });
    expect(message.response_type).toBe('ephemeral');
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('2 will get it');
    expect(text).toContain('cost:');
    expect(text).toContain('Hello Анна, 10% off today');
    expect(buttons(message).map((b) => b.action_id)).toEqual([ACTIONS.confirm, ACTIONS.test, ACTIONS.cancel]);
    expect(id).toMatch(/^[a-f0-9]{12}$/);
  });

  it('shows exclusions by reason and the GSM-safe alternative when UCS-2 doubles the cost', async () => {
    const { message } = await preview('send +79160000010,+79160000099 Big “sale” today — everything must go, come and see what we have for you this week only!!');
    const text = JSON.stringify(message.blocks);
    expect(text).toMatch(/Excluded:\*\s*1 \(no consent 1\)/);
    expect(text).toContain('GSM-safe version');
  });

  it('confirm starts the campaign, replaces the preview with its status, and notifies the channel', async () => {
    const { id } = await preview('send +79160000010,+79160000011 Confirm me');
    const hook = responseUrl('/actions/T1/confirm/x');
    expect((await s.click(ACTIONS.confirm, id, { responseUrl: hook.url })).status).toBe(200);
    const replaced = await hook.next();
    expect(replaced.replace_original).toBe(true);
    expect(replaced.text).toMatch(/: sending\. /);
    const pending = await s.slack.state.pending(id);
    expect((await s.app.campaigns.get(pending?.campaignId ?? '')).status).toBe('sending');
    const posted = webApi('chat.postMessage', { channel: NOTIFY, ts: '100.1' });
    await s.slack.outbox.drain();
    expect(posted.calls).toContainEqual(expect.objectContaining({ channel: NOTIFY, text: expect.stringMatching(/started by <@UALLOWED1>: 2 recipients/) }));
    // Sent and finished: the start message is updated, and so is the requester's status in place of the preview.
    const updated = webApi('chat.update', { channel: NOTIFY, ts: '100.1' });
    await s.engine.step();
    await s.slack.outbox.drain();
    expect(updated.calls).toEqual([expect.objectContaining({ ts: '100.1', text: expect.stringContaining('finished: ') })]);
    expect(await hook.next()).toMatchObject({ replace_original: true, text: expect.stringMatching(/: completed\. 2 submitted/) });
    nock.cleanAll();
  });

  it('"Test to me" sends to the clicking member\'s number and unlocks the send', async () => {
    const { id } = await preview('send +79160000012 Test me');
    const hook = responseUrl('/actions/T1/test/x');
    await s.click(ACTIONS.test, id, { responseUrl: hook.url });
    expect((await hook.next()).text).toContain('Test message sent to +7916***0001');
    const campaignId = (await s.slack.state.pending(id))?.campaignId ?? '';
    expect((await s.app.campaigns.get(campaignId)).testSentAt).toBeDefined();
    const [row] = await s.app.store.outbox.listByCampaign(campaignId, { limit: 10 });
    expect(row).toMatchObject({ phone: '+79160000001', test: true, status: 'submitted', gateway: 'simulator' });
  });

  it('"Test to me" reads the Slack profile phone when no mapping is configured', async () => {
    const { id } = await preview('send +79160000012 Profile phone', 'UALLOWED2');
    const info = webApi('users.info', { user: { id: 'UALLOWED2', profile: { phone: '+7 916 000-00-02' } } });
    const hook = responseUrl('/actions/T1/test2/x');
    await s.click(ACTIONS.test, id, { user: 'UALLOWED2', responseUrl: hook.url });
    expect((await hook.next()).text).toContain('+7916***0002');
    expect(info.calls).toEqual([expect.objectContaining({ user: 'UALLOWED2' })]);
    nock.cleanAll();
  });

  it('cancel discards the preview and sends nothing', async () => {
    const { id } = await preview('send +79160000013 Cancel me');
    const hook = responseUrl('/actions/T1/cancel/x');
    await s.click(ACTIONS.cancel, id, { responseUrl: hook.url });
    expect(await hook.next()).toMatchObject({ replace_original: true, text: expect.stringContaining('Canceled') });
    const campaignId = (await s.slack.state.pending(id))?.campaignId ?? '';
    expect((await s.app.campaigns.get(campaignId)).status).toBe('canceled');
    expect(await s.app.store.outbox.listByCampaign(campaignId, { limit: 10 })).toEqual([]);
  });

  it('a blast above SLACK_MAX_AUDIENCE needs a second person: self-approval is refused, an approver starts it', async () => {
    const { message, id } = await preview('send vip Big news');
    expect(buttons(message)[0]).toMatchObject({ action_id: ACTIONS.confirm, text: { text: 'Request approval' } });
    const posted = webApi('chat.postMessage', { channel: NOTIFY, ts: '200.1' });
    const requesterHook = responseUrl('/actions/T1/request/x');
    await s.click(ACTIONS.confirm, id, { responseUrl: requesterHook.url });
    expect((await requesterHook.next()).text).toContain('Approval requested');
    const request = posted.calls[0] as { channel: string; blocks: string };
    expect(request.channel).toBe(NOTIFY);
    expect(JSON.parse(request.blocks).flatMap((b: { elements?: Array<{ action_id?: string }> }) => b.elements ?? []).map((e: { action_id?: string }) => e.action_id)).toEqual(
      expect.arrayContaining([ACTIONS.approve, ACTIONS.reject]),
    );
    const campaignId = (await s.slack.state.pending(id))?.campaignId ?? '';

    const selfHook = responseUrl('/actions/T1/self/x');
    await s.click(ACTIONS.approve, id, { user: 'UALLOWED1', responseUrl: selfHook.url });
    expect(await selfHook.next()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('cannot approve your own') });
    expect((await s.app.campaigns.get(campaignId)).status).toBe('draft');

    const strangerHook = responseUrl('/actions/T1/stranger/x');
    await s.click(ACTIONS.approve, id, { user: 'USTRANGER', responseUrl: strangerHook.url });
    expect((await strangerHook.next()).text).toContain('Only the people in SLACK_APPROVERS');

    const approverHook = responseUrl('/actions/T1/approve/x');
    await s.click(ACTIONS.approve, id, { user: 'UAPPROVER', responseUrl: approverHook.url });
    expect((await approverHook.next()).text).toContain('Approved by <@UAPPROVER>');
    expect((await requesterHook.next()).text).toMatch(/: sending\. /);
    expect((await s.app.campaigns.get(campaignId)).status).toBe('sending');
    nock.cleanAll();
  });

  it('an approval request expires', async () => {
    const { id } = await preview('send vip Expiring news');
    webApi('chat.postMessage', { channel: NOTIFY, ts: '300.1' });
    const requesterHook = responseUrl('/actions/T1/request2/x');
    await s.click(ACTIONS.confirm, id, { responseUrl: requesterHook.url });
    expect((await requesterHook.next()).text).toContain('Approval requested');
    s.clock.advance(61 * 60_000);
    const hook = responseUrl('/actions/T1/late/x');
    await s.click(ACTIONS.approve, id, { user: 'UAPPROVER', responseUrl: hook.url });
    expect((await hook.next()).text).toContain('expired');
    expect((await s.app.campaigns.get((await s.slack.state.pending(id))?.campaignId ?? '')).status).toBe('canceled');
    s.clock.set(new Date());
    nock.cleanAll();
  });

  it('refuses an unlisted member politely and does nothing', async () => {
    const before = (await s.app.store.campaigns.list()).length;
    const ack = await s.command('send vip Hello', { user: 'USTRANGER' });
    expect(ack.status).toBe(200);
    expect(ack.body.text).toMatch(/^Sorry, you are not on the list/);
    expect((await s.app.store.campaigns.list()).length).toBe(before);
  });

  it('answers bad input with the usage text, ephemeral', async () => {
    for (const text of ['frobnicate', 'send', 'send vip', 'report', 'pause a b', 'send list:abc hi']) {
      const ack = await s.command(text);
      expect(ack.status, text).toBe(200);
      expect(ack.body.response_type).toBe('ephemeral');
      expect(ack.body.text, text).toContain(USAGE);
    }
    expect((await s.command('help')).body.text).toBe(USAGE);
  });

  it('says that list: targets need HubSpot when it is not configured', async () => {
    const hook = responseUrl('/commands/T1/list/x');
    await s.command('send list:123 Hello', { responseUrl: hook.url });
    expect((await hook.next()).text).toContain('HubSpot is not configured');
  });

  it('status, report, pause and resume', async () => {
    const { id } = await preview('send +79160000014 Status me');
    const hook = responseUrl('/actions/T1/confirm2/x');
    await s.click(ACTIONS.confirm, id, { responseUrl: hook.url });
    await hook.next();
    const campaignId = (await s.slack.state.pending(id))?.campaignId ?? '';
    expect((await s.command('status')).body.text).toContain(campaignId);
    expect((await s.command(`report ${campaignId}`)).body.text).toContain(`Campaign ${campaignId}`);
    expect((await s.command(`pause ${campaignId}`)).body.text).toBe(`Campaign ${campaignId} is now paused.`);
    expect((await s.command(`resume ${campaignId}`, { user: 'USTRANGER' })).body.text).toMatch(/^Sorry/);
    expect((await s.command(`resume ${campaignId}`)).body.text).toBe(`Campaign ${campaignId} is now sending.`);
    expect((await s.command('report nosuch')).body.text).toContain('No campaign with id nosuch');
    nock.cleanAll();
  });
});

describe('after a restart', () => {
  it('a pending preview can still be confirmed', async () => {
    const { id } = await preview('send +79160000010 Survive a restart');
    const dataDir = s.dataDir;
    await s.stop();
    s = await startSlackServer({ dataDir, env: { SLACK_MAX_AUDIENCE: '3', FREQUENCY_CAP_MAX: '100' } });
    const hook = responseUrl('/actions/T1/after-restart/x');
    await s.click(ACTIONS.confirm, id, { responseUrl: hook.url });
    expect((await hook.next()).text).toMatch(/: sending\. /);
  });
});
