import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app.js';
import { openApp } from '../../src/app.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/http/serve.js';
import { createManualScheduler } from '../../src/schedule/scheduler.js';

let dir: string | undefined;
let app: AppContext | undefined;
afterEach(async () => {
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('smsbridge serve', () => {
  it('refuses to start without an API key, and says what to set', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-serve-'));
    app = await openApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), { logger: silentLogger });
    await expect(startService(app, { port: 0, host: '127.0.0.1' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', hint: expect.stringContaining('API_KEY') });
  });

  it('serves health and the API, then stops gracefully: a request in flight finishes, new ones are refused', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-serve-'));
    app = await openApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', API_KEY: 'serve-key-0123456789' }), { logger: silentLogger });
    const service = await startService(app, { port: 0, host: '127.0.0.1', scheduler: createManualScheduler(app.clock) });
    const base = `http://127.0.0.1:${service.port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, checks: { engine: { ok: true } } });
    // A CSV upload whose body is still arriving when the service is told to stop.
    const csv = fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'customers-utf8-bom.csv'));
    const request = http.request(`${base}/api/v1/contacts/import`, { method: 'POST', headers: { authorization: 'Bearer serve-key-0123456789', 'content-type': 'text/csv', 'content-length': csv.length } });
    const response = new Promise<number>((resolve, reject) => {
      request.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      request.on('error', reject);
    });
    const arrived = once(service.server, 'request');
    request.write(csv.subarray(0, 100));
    await arrived;
    const stopped = service.stop();
    request.end(csv.subarray(100));
    expect(await response).toBe(200);
    await stopped;
    expect(await app.store.contacts.count()).toBe(7);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
