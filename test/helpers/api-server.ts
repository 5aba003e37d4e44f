import fs from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AppContext } from '../../src/app.js';
import { openApp } from '../../src/app.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config.js';
import type { DeliveryEngine } from '../../src/engine.js';
import { createHttpApp } from '../../src/http/app.js';

export const API_KEY = 'test-key-0123456789';

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers, checked field by field
}

export interface ApiServer {
  app: AppContext;
  engine: DeliveryEngine;
  base: string;
  dataDir: string;
  /** A JSON request to /api/v1 with the bearer key. */
  api(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Closes the server and the app, keeping the data dir (for restart tests). */
  stop(): Promise<void>;
  /** stop(), and removes the data dir. */
  close(): Promise<void>;
}

/** The real service's HTTP app on 127.0.0.1 over a scratch (or given) data dir. */
export async function startApiServer(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<ApiServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'smsb-api-'));
  const app = await openApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', API_KEY, SMS_SENDER: 'SHOP', SIMULATOR_ACCEPT_RATE: '1', ...options.env }), { logger: silentLogger });
  const engine = await app.engine();
  const server: Server = createHttpApp({ app, engine }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.close();
  };
  return {
    app, engine, base, dataDir, stop,
    close: async () => {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    api: async (method, route, body, headers = {}) => {
      const res = await fetch(`${base}/api/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}
