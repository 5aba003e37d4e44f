import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/common/clock.js';
import type { OutboundSms, WebhookRequest } from '../../src/delivery/gateway.js';
import { createTwilioGateway, twilioConfigSchema, verifyTwilioSignature } from '../../integrations/gateways/twilio/index.js';
import type { TwilioStandIn } from './twilio-stand-in.js';
import { startTwilioStandIn } from './twilio-stand-in.js';
import { startTwilioStandInThread } from './twilio-stand-in-thread.js';

let standIn: TwilioStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

const sms = (to: string, n = 1): OutboundSms => ({ messageId: `m-${n}`, to, from: 'SHOP', text: `hello ${n}`, encoding: 'GSM-7', segments: 1 });

/** The real adapter; a short timeout only where a test waits for one (a loaded machine answers slowly). */
function adapter(stand: TwilioStandIn, env: Record<string, string> = {}, timeoutMs = 10_000) {
  const config = twilioConfigSchema.parse({ ...stand.env(), ...env });
  return createTwilioGateway({ ...config, timeoutMs }, { clock: systemClock });
}

async function listMessages(stand: TwilioStandIn, query: Record<string, string>) {
  const response = await fetch(`${stand.url}/2010-04-01/Accounts/${stand.accountSid}/Messages.json?${new URLSearchParams(query).toString()}`, {
    headers: { authorization: `Basic ${Buffer.from(`${stand.accountSid}:${stand.authToken}`).toString('base64')}` },
  });
  return { status: response.status, body: (await response.json()) as { messages: { sid: string; to: string; body: string }[]; next_page_uri: string | null } };
}

describe('the Twilio stand-in, driven by the real Twilio adapter over a socket', () => {
  it('creates messages (201, queued, a SM sid), lists them by To and DateSent, and counts per recipient', async () => {
    standIn = await startTwilioStandIn();
    const gateway = adapter(standIn);
    const first = await gateway.send(sms('+15005550001', 1));
    await gateway.send(sms('+15005550002', 2));
    await gateway.send(sms('+15005550001', 3));
    expect(first).toMatchObject({ ok: true, providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    expect(standIn.messages.map((m) => m.status)).toEqual(['queued', 'queued', 'queued']);
    expect(standIn.countByTo().get('+15005550001')).toBe(2);

    const today = new Date().toISOString().slice(0, 10);
    const listed = await listMessages(standIn, { To: '+15005550001', 'DateSent>': today, PageSize: '1' });
    expect(listed.status).toBe(200);
    expect(listed.body.messages.map((m) => m.body)).toEqual(['hello 3']);
    expect(listed.body.next_page_uri).toContain('Page=1');
    expect((await listMessages(standIn, { To: '+15005550001', 'DateSent>': new Date(Date.now() + 60_000).toISOString() })).body.messages).toEqual([]);
    expect((await gateway.lookup(standIn.messages[1]!.sid))?.providerMessageId).toBe(standIn.messages[1]!.sid);
    expect(await gateway.verifyCredentials()).toMatchObject({ ok: true });
  });

  it('refuses a wrong auth token and a bad number as Twilio does', async () => {
    standIn = await startTwilioStandIn();
    const wrong = adapter(standIn, { TWILIO_AUTH_TOKEN: 'not-the-token' });
    expect(await wrong.send(sms('+15005550001'))).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    expect(await adapter(standIn).send(sms('12'))).toMatchObject({ ok: false, error: { providerCode: '21211' } });
    expect(standIn.messages).toHaveLength(0);
  });

  it('enforces its rate: sends past it in one second answer 429 and are not created; arrivals are recorded per second', async () => {
    standIn = await startTwilioStandIn({ ratePerSecond: 3 });
    const gateway = adapter(standIn);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => gateway.send(sms(`+1500555000${i}`, i))));
    const throttled = results.filter((r) => !r.ok && r.error.code === 'throttled');
    // All six may straddle a second boundary, so at least 3 and at most 6 get through.
    expect(standIn.messages.length).toBeGreaterThanOrEqual(3);
    expect(standIn.messages.length + throttled.length).toBe(6);
    expect([...standIn.arrivalsPerSecond().values()].reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('throttles with Retry-After, hangs, and drops connections when told to', async () => {
    standIn = await startTwilioStandIn({ mode: 'throttle', retryAfterSeconds: 300 });
    const gateway = adapter(standIn, {}, 1500);
    expect(await gateway.send(sms('+15005550001'))).toMatchObject({ ok: false, error: { code: 'throttled', retryable: true, retryAfterMs: 300_000 } });
    standIn.setMode('hang', { createBeforeFailing: true });
    expect(await gateway.send(sms('+15005550002'))).toMatchObject({ ok: false, error: { code: 'timeout', outcomeUnknown: true } });
    standIn.setMode('drop', { createBeforeFailing: false });
    expect(await gateway.send(sms('+15005550003'))).toMatchObject({ ok: false, error: { outcomeUnknown: true } });
    // The hung send was created (its answer was lost); the dropped one was not.
    expect(standIn.messages.map((m) => m.to)).toEqual(['+15005550002']);
    expect(standIn.stats).toMatchObject({ throttled: 1, hung: 1, dropped: 1 });
  });

  it('posts status callbacks signed with X-Twilio-Signature to the StatusCallback URL', async () => {
    const { received, receiver, publicUrl } = await callbackReceiver();
    try {
      standIn = await startTwilioStandIn({ callbacks: { delayMs: 5, outcome: () => 'undelivered' } });
      await adapter(standIn, { PUBLIC_URL: publicUrl }).send(sms('+15005550001'));
      await expect.poll(() => standIn?.callbackAttempts.length, { timeout: 2000 }).toBe(2);
      expect(standIn.callbackAttempts.map((a) => [a.status, a.answer])).toEqual([['sent', 204], ['undelivered', 204]]);
      expect(received.every((request) => verifyTwilioSignature(standIn!.authToken, request))).toBe(true);
      expect(received[1]!.rawBody).toContain('ErrorCode=30003');
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
  it('on a thread of its own: times arrivals there, follows stats, and posts signed callbacks from the caller', async () => {
    const { received, receiver, publicUrl } = await callbackReceiver();
    const threaded = await startTwilioStandInThread({ latencyMs: 5, ratePerSecond: 100, callbacks: { delayMs: 5 } });
    try {
      const config = twilioConfigSchema.parse({ ...threaded.env(), PUBLIC_URL: publicUrl });
      const gateway = createTwilioGateway({ ...config, timeoutMs: 10_000 }, { clock: systemClock });
      const before = Date.now();
      const results = await Promise.all([1, 2, 3].map((n) => gateway.send(sms(`+1500555000${n}`, n))));
      expect(results.every((r) => r.ok)).toBe(true);
      await expect.poll(() => threaded.stats.created, { timeout: 2000 }).toBe(3);
      await expect.poll(() => threaded.callbackAttempts.length, { timeout: 2000 }).toBe(6);
      expect(threaded.callbackAttempts.map((a) => a.answer)).toEqual([204, 204, 204, 204, 204, 204]);
      expect(received.every((request) => verifyTwilioSignature(threaded.authToken, request))).toBe(true);
      expect(received.map((request) => new URL(request.url).searchParams.get('mid')).sort()).toEqual(['m-1', 'm-1', 'm-2', 'm-2', 'm-3', 'm-3']);
      const { arrivalTimes, handledTimes } = await threaded.finish();
      expect(arrivalTimes).toHaveLength(3);
      expect(arrivalTimes.every((t) => t >= before - 1 && t <= Date.now())).toBe(true);
      // Handled after the 5 ms latency.
      expect(handledTimes.every((t, i) => t >= (arrivalTimes[i] as number))).toBe(true);
    } finally {
      await threaded.close();
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

/** A local server that records the status callbacks it is sent (as the webhook layer would see them) and answers 204. */
async function callbackReceiver(): Promise<{ received: WebhookRequest[]; receiver: http.Server; publicUrl: string }> {
  const received: WebhookRequest[] = [];
  let publicUrl = '';
  const receiver = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(req.headers)) headers[key] = Array.isArray(value) ? value.join(',') : value;
      received.push({ method: 'POST', url: `${publicUrl}${req.url ?? ''}`, headers, rawBody: raw, fields: {} });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  publicUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  return { received, receiver, publicUrl };
}
