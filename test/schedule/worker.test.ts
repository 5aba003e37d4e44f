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
import { makeContact, makeEntry } from '../helpers/factories.js';

let app: AppContext | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('worker: scheduled campaigns', () => {
  it('fires a one-off missed within the grace period, parks one missed for longer, and runs recurring ones anew', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-worker-'));
    const clock = fixedClock('2026-11-27T07:00:00.000Z');
    app = await openApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), { clock, logger: silentLogger });
    const contact = makeContact({ city: 'Москва', timezone: 'Europe/Moscow', country: 'RU' });
    await app.store.contacts.upsertMany([contact]);
    await app.store.consent.append([makeEntry({ contactId: contact.id })]);
    const base = { kind: 'transactional' as const, audience: { filter: { and: [] } }, variants: [{ name: 'A', text: 'Заказ готов', weight: 1 }], campaignVariables: {}, sender: 'SHOP', gateway: 'simulator' };
    const recent = await app.campaigns.create({ ...base, name: 'recent', schedule: { type: 'at', at: '2026-11-27T06:50:00.000Z' } });
    const old = await app.campaigns.create({ ...base, name: 'old', schedule: { type: 'at', at: '2026-11-27T04:00:00.000Z' } });
    const weekly = await app.campaigns.create({ ...base, name: 'weekly', schedule: { type: 'cron', cron: '5 10 * * *', timezone: 'Europe/Moscow' } });

    const scheduler = createManualScheduler(clock);
    const worker = await startWorker(app, scheduler);
    await scheduler.tick(clock.now());
    expect((await app.campaigns.get(recent.id)).status).toBe('sending');
    expect((await app.campaigns.get(old.id)).status).toBe('draft');
    expect((await app.campaigns.get(weekly.id)).status).toBe('scheduled');

    clock.set('2026-11-27T07:05:00.000Z'); // 10:05 in Moscow
    await scheduler.tick(clock.now());
    const runs = (await app.store.campaigns.list()).filter((c) => c.name.startsWith('weekly '));
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('sending');
    expect((await app.campaigns.get(weekly.id)).lastRunAt).toBe('2026-11-27T07:05:00.000Z');
    await worker.stop();
  });
});
