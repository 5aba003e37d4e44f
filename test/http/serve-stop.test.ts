import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signTwilioRequest } from '../../integrations/gateways/twilio/index.js';
import type { AppContext } from '../../src/app.js';
import { openApp } from '../../src/app.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/http/serve.js';
import { createManualScheduler } from '../../src/schedule/scheduler.js';
import type { TwilioStandIn } from '../helpers/twilio-stand-in.js';
import { startTwilioStandIn } from '../helpers/twilio-stand-in.js';

let dir: string | undefined;
let app: AppContext | undefined;
let standIn: TwilioStandIn | undefined;
afterEach(async () => {
  await app?.close();
  await standIn?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('graceful stop of serve', () => {
  it('keeps accepting webhooks while the batch in flight is being recorded, then stops', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-serve-stop-'));
    // Twilio takes the messages but never answers: the batch stays in flight until the adapter's timeout.
    standIn = await startTwilioStandIn({ mode: 'hang', createBeforeFailing: true });
    const publicUrl = 'https://sms.example.com';
    app = await openApp(loadConfig({
      DATA_DIR: dir, LOG_LEVEL: 'silent', API_KEY: 'serve-key-0123456789', SMS_SENDER: 'SHOP', PUBLIC_URL: publicUrl,
      ...standIn.env({ mps: 10 }), TWILIO_TIMEOUT_MS: '1500',
    }), { logger: silentLogger });
    const service = await startService(app, { port: 0, host: '127.0.0.1', scheduler: createManualScheduler(app.clock) });
    const campaign = await app.campaigns.create({
      name: 'stop', kind: 'transactional', audience: { phones: ['+14155550001', '+14155550002'] }, variants: [{ name: 'A', text: 'Your order has shipped.', weight: 1 }],
      campaignVariables: {}, sender: 'SHOP', gateway: 'default', schedule: { type: 'now' },
    });
    await app.campaigns.start(campaign.id);
    const deadline = Date.now() + 10_000;
    while (standIn.stats.hung < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(standIn.stats.hung).toBe(2);

    let stopped = false;
    const stopping = service.stop().then(() => (stopped = true));
    // A receipt for a message of that batch, posted while the service is stopping.
    const sid = standIn.messages[0]!.sid;
    const params = { MessageSid: sid, MessageStatus: 'sent', To: '+14155550001', From: '+15005550006', AccountSid: standIn.accountSid };
    const receipt = await fetch(`http://127.0.0.1:${service.port}/webhooks/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(standIn.authToken, `${publicUrl}/webhooks/twilio/status`, params) },
      body: new URLSearchParams(params).toString(),
    });
    expect(stopped).toBe(false);
    expect(receipt.status).toBe(204);
    await stopping;
    await expect(fetch(`http://127.0.0.1:${service.port}/healthz`)).rejects.toThrow();
    // The batch was recorded (timeouts: unknown, never sent again), nothing is left `sending`.
    const counts = await app.store.outbox.countByStatus(campaign.id);
    expect(counts.sending ?? 0).toBe(0);
  }, 20_000);
});
