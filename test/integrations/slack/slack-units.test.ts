import { describe, expect, it } from 'vitest';
import { approvalProblem, maySend } from '../../../integrations/slack/access.js';
import { gsmAlternative, previewMessage } from '../../../integrations/slack/blocks.js';
import { parseSmsCommand, unescapeSlackText } from '../../../integrations/slack/command-text.js';
import { slackSettings } from '../../../integrations/slack/config.js';
import { failureSpike, FailureWatch } from '../../../integrations/slack/failure-spike.js';
import { mapSlackError } from '../../../integrations/slack/map-error.js';
import { loadConfig } from '../../../src/config.js';

describe('parseSmsCommand', () => {
  it.each([
    ['', { type: 'help' }],
    ['help', { type: 'help' }],
    ['send vip Hello there', { type: 'send', target: { type: 'segment', name: 'vip' }, text: 'Hello there', kind: 'marketing' }],
    ['send --transactional +79161234567 Hi', { type: 'send', target: { type: 'phones', phones: ['+79161234567'] }, text: 'Hi', kind: 'transactional' }],
    ['send +79161234567,89161234568 --transactional Your order is ready', { type: 'send', target: { type: 'phones', phones: ['+79161234567', '89161234568'] }, text: 'Your order is ready', kind: 'transactional' }],
    ['send list:123 Hi &amp; bye &lt;3', { type: 'send', target: { type: 'list', listId: '123' }, text: 'Hi & bye <3', kind: 'marketing' }],
    ['send <tel:+79161234567|+79161234567> Hi', { type: 'send', target: { type: 'phones', phones: ['+79161234567'] }, text: 'Hi', kind: 'marketing' }],
    ['status', { type: 'status' }],
    ['status 3f2a9c1d', { type: 'status', campaignId: '3f2a9c1d' }],
    ['PAUSE 3f2a9c1d', { type: 'pause', campaignId: '3f2a9c1d' }],
  ])('%j', (text, expected) => {
    expect(parseSmsCommand(text)).toEqual(expected);
  });

  it.each(['send', 'send vip', 'send list:abc hi', 'report', 'cancel a b', 'status a b', 'blast vip hi', 'report ../etc'])('refuses %j with the reason', (text) => {
    expect(parseSmsCommand(text)).toMatchObject({ type: 'invalid', problem: expect.any(String) });
  });

  it('keeps what the person typed from Slack\'s escaping', () => {
    expect(unescapeSlackText('a &amp;&lt;b&gt; <mailto:x@y.z|x@y.z>')).toBe('a &<b> x@y.z');
  });
});

describe('mapSlackError', () => {
  it.each([
    [{ code: 'slack_webapi_platform_error', data: { error: 'channel_not_found' } }, { retry: false, reason: 'channel_not_found' }],
    [{ code: 'slack_webapi_platform_error', data: { error: 'not_in_channel' } }, { retry: false, reason: 'not_in_channel' }],
    [{ code: 'slack_webapi_platform_error', data: { error: 'invalid_auth' } }, { retry: true, reason: 'invalid_auth' }],
    [{ code: 'slack_webapi_platform_error', data: { error: 'internal_error' } }, { retry: true, reason: 'internal_error' }],
    [{ code: 'slack_webapi_rate_limited_error', retryAfter: 7 }, { retry: true, reason: 'rate_limited', waitMs: 7000 }],
    [{ code: 'slack_webapi_http_error', statusCode: 503 }, { retry: true, reason: 'http_503' }],
    [{ code: 'slack_webapi_http_error', statusCode: 404 }, { retry: false, reason: 'http_404' }],
    [{ code: 'slack_webapi_request_error' }, { retry: true, reason: 'request_error' }],
    [new Error('boom'), { retry: true, reason: 'boom' }],
  ])('%j', (error, expected) => {
    expect(mapSlackError(error)).toEqual(expected);
  });
});

describe('failure spikes', () => {
  it('warns on many new failures that are a large share, once per quiet period', () => {
    expect(failureSpike({ delivered: 100, failed: 0 }, { delivered: 150, failed: 25 })).toEqual({ failed: 25, of: 75 });
    expect(failureSpike({ delivered: 100 }, { delivered: 1000, failed: 25 })).toBeUndefined();
    expect(failureSpike({}, { failed: 5 })).toBeUndefined();
    const watch = new FailureWatch();
    expect(watch.observe('c1', { delivered: 10 }, 0)).toBeUndefined();
    expect(watch.observe('c1', { delivered: 10, rejected: 30 }, 60_000)).toEqual({ failed: 30, of: 30 });
    expect(watch.observe('c1', { delivered: 10, rejected: 60 }, 120_000)).toBeUndefined();
    expect(watch.observe('c1', { delivered: 10, rejected: 90 }, 20 * 60_000)).toEqual({ failed: 30, of: 30 });
  });
});

describe('access', () => {
  const settings = { allowedUsers: ['U1'], allowedChannels: ['C1'], approvers: ['U1', 'U2'] };
  it('lets a listed user anywhere, and anyone in a listed channel, send', () => {
    expect(maySend(settings, 'U1', 'C9')).toBe(true);
    expect(maySend(settings, 'U9', 'C1')).toBe(true);
    expect(maySend(settings, 'U9', 'C9')).toBe(false);
    expect(maySend({ allowedUsers: [], allowedChannels: [] }, 'U1', 'C1')).toBe(false);
  });
  it('never lets the requester approve', () => {
    expect(approvalProblem(settings, 'U1', 'U1')).toContain('own');
    expect(approvalProblem(settings, 'U3', 'U1')).toContain('SLACK_APPROVERS');
    expect(approvalProblem(settings, 'U2', 'U1')).toBeUndefined();
  });
});

describe('Slack configuration', () => {
  it('is off without a bot token, and names what a mode is missing', () => {
    expect(slackSettings(loadConfig({}))).toBeUndefined();
    expect(() => slackSettings(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' }))).toThrow(/SLACK_SIGNING_SECRET is not set/);
    expect(() => slackSettings(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SOCKET_MODE: 'true' }))).toThrow(/SLACK_APP_TOKEN is not set/);
    expect(slackSettings(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SOCKET_MODE: 'true', SLACK_APP_TOKEN: 'xapp-1' }))?.mode).toEqual({ type: 'socket', appToken: 'xapp-1' });
    expect(() => loadConfig({ SLACK_ALLOWED_USERS: 'ann, bob' })).toThrow(/SLACK_ALLOWED_USERS: must be Slack ids/);
    expect(() => loadConfig({ SLACK_API_URL: 'not a url' })).toThrow(/SLACK_API_URL/);
    const settings = slackSettings(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: '0123456789abcdef', SLACK_NOTIFY_CHANNEL: 'C1', SLACK_USER_PHONES: 'U1=+79161234567, U2 = 8 916 123-45-68' }));
    expect(settings).toMatchObject({ repliesChannel: 'C1', userPhones: { U1: '+79161234567', U2: '8 916 123-45-68' }, maxAudience: 1000, approvalTtlMs: 3_600_000 });
  });
});

describe('gsmAlternative', () => {
  it('offers GSM-7 only when it costs fewer segments', () => {
    const curly = `“Sale” ${'x'.repeat(70)}`;
    expect(gsmAlternative(curly)).toMatchObject({ text: `"Sale" ${'x'.repeat(70)}`, segments: 1, ucs2Segments: 2 });
    expect(gsmAlternative('Plain text')).toBeUndefined();
    expect(gsmAlternative('Привет')).toBeUndefined();
  });
});

describe('previewMessage', () => {
  it('says how many wait for quiet hours, and offers only Cancel when nobody can receive it', () => {
    const summary = {
      audience: 10, toSend: 8, sendNow: 5, deferred: { count: 3, earliest: '2026-12-03T06:00:00.000Z', latest: '2026-12-03T09:00:00.000Z' }, excluded: { opted_out: 2 }, excludedTotal: 2,
      uncertainTimezone: 0, segments: 8, cost: 28, currency: 'RUB', encodings: { 'GSM-7': 0, 'UCS-2': 8 }, variants: {}, samples: [{ phone: '+79161234567', variant: 'A', text: 'Привет', encoding: 'UCS-2' as const, segments: 1, sendAfter: null }],
    };
    const text = JSON.stringify(previewMessage({ pendingId: 'p1', target: 'segment "vip"', kind: 'marketing', summary, needsApproval: false, maxAudience: 1000 }).blocks);
    expect(text).toContain('3 deferred by quiet hours until 2026-12-03T09:00:00.000Z');
    expect(text).toContain('Excluded:* 2 (opted out 2)');
    expect(text).toContain('28.00 RUB');
    expect(text).toContain('+7916***4567');
    const nobody = previewMessage({ pendingId: 'p1', target: 'x', kind: 'marketing', summary: { ...summary, toSend: 0, samples: [] }, needsApproval: false, maxAudience: 1000 });
    expect(JSON.stringify(nobody.blocks)).not.toContain('sms_confirm');
  });
});
