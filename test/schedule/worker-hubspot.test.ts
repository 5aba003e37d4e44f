import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app.js';
import { openApp } from '../../src/app.js';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import { createManualScheduler } from '../../src/schedule/scheduler.js';
import { startWorker } from '../../src/worker.js';
import { startHubSpotStandIn, type HubSpotStandIn } from '../helpers/hubspot-stand-in.js';

let app: AppContext | undefined;
let dir: string | undefined;
let standIn: HubSpotStandIn | undefined;
afterEach(async () => {
  await app?.close();
  await standIn?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('worker: HubSpot sync on HUBSPOT_SYNC_CRON', () => {
  it('syncs contacts when the cron expression is due, and not before', async () => {
    standIn = await startHubSpotStandIn({ contacts: [{ id: '1', updatedAt: '2026-11-01T00:00:00.000Z', properties: { mobilephone: '+79123456789', sms_consent: 'opted_in' } }] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-worker-hubspot-'));
    const clock = fixedClock('2026-11-27T07:01:00.000Z');
    app = await openApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', HUBSPOT_ACCESS_TOKEN: 'pat-na1-worker', HUBSPOT_API_BASE: standIn.url, HUBSPOT_SYNC_CRON: '*/15 * * * *' }), { clock, logger: silentLogger });
    const scheduler = createManualScheduler(clock);
    const worker = await startWorker(app, scheduler);
    await scheduler.tick(clock.now());
    expect(await app.store.contacts.count()).toBe(0);
    clock.set('2026-11-27T07:15:00.000Z');
    await scheduler.tick(clock.now());
    expect(await app.store.contacts.count()).toBe(1);
    expect((await app.store.cursors.get('hubspot-contacts'))?.data).toMatchObject({ watermark: expect.any(String) });
    await worker.stop();
  });
});
