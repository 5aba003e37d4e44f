import fs from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app.js';
import { openApp } from '../../src/app.js';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import { createHttpApp } from '../../src/http/app.js';

const KEY = 'test-key-0123456789';
const NOTICE = { to: '+79123456789', text: 'Заказ готов' };
let dataDir: string;
let app: AppContext;
let server: Server | undefined;
afterEach(async () => {
  if (!server) return;
  const open = server;
  open.closeAllConnections();
  await new Promise((resolve) => open.close(resolve));
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  server = undefined;
});

describe('Idempotency-Key expiry (IDEMPOTENCY_TTL_HOURS)', () => {
  it('replays within the TTL, treats an expired key as new, and prunes expired keys from the store', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-idem-ttl-'));
    const clock = fixedClock('2026-11-27T10:00:00.000Z');
    app = await openApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', API_KEY: KEY, SMS_SENDER: 'SHOP', IDEMPOTENCY_TTL_HOURS: '1' }), { logger: silentLogger, clock });
    server = createHttpApp({ app, engine: await app.engine() }).listen(0, '127.0.0.1');
    const listening = server;
    await once(listening, 'listening');
    const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    const send = async (key: string): Promise<{ status: number; id: string; replayed: string | null }> => {
      const res = await fetch(`${base}/api/v1/messages`, {
        method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(NOTICE),
      });
      return { status: res.status, id: ((await res.json()) as { id: string }).id, replayed: res.headers.get('idempotent-replayed') };
    };
    await app.store.idempotency.put({ id: 'stale', fingerprint: 'f', status: 202, body: {}, at: '2026-11-27T08:00:00.000Z' });

    const first = await send('order-1');
    expect(first.status).toBe(202);
    expect(await app.store.idempotency.get('stale')).toBeUndefined();
    clock.advance(30 * 60_000);
    expect(await send('order-1')).toEqual({ ...first, replayed: 'true' });
    clock.advance(31 * 60_000);
    const later = await send('order-1');
    expect(later.replayed).toBeNull();
    expect(later.id).not.toBe(first.id);
    expect((await app.store.idempotency.list()).map((r) => [r.id, r.at])).toEqual([['order-1', '2026-11-27T11:01:00.000Z']]);
  });

  it('rejects a TTL that is not a positive number, naming the variable', () => {
    expect(() => loadConfig({ IDEMPOTENCY_TTL_HOURS: '0' })).toThrow(/IDEMPOTENCY_TTL_HOURS/);
  });
});
