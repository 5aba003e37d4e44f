import type { Server } from 'node:http';
import type { AppContext } from '../app.js';
import { AppError } from '../common/errors.js';
import type { Scheduler } from '../schedule/scheduler.js';
import { startWorker } from '../worker.js';
import { createHttpApp } from './app.js';

export interface RunningService {
  port: number;
  server: Server;
  /** Graceful: stop claiming, record the batch in flight (its receipts still accepted), stop accepting, flush the store. */
  stop(): Promise<void>;
}

/** `smsbridge serve`: the worker (engine + scheduler) and the HTTP app on one port. */
export async function startService(app: AppContext, options: { port?: number; host?: string; scheduler?: Scheduler } = {}): Promise<RunningService> {
  if (!app.config.API_KEY) {
    throw new AppError('CONFIG_INVALID', 'API_KEY is not set: the REST API needs a bearer key.', { hint: 'Set API_KEY (at least 16 characters; e.g. openssl rand -hex 24) in the environment or .env.' });
  }
  const worker = await startWorker(app, ...(options.scheduler ? [options.scheduler] : []));
  const engine = await app.engine();
  const http = createHttpApp({ app, engine });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = http.listen(options.port ?? app.config.PORT, options.host ?? app.config.HOST, () => resolve(listening));
    listening.once('error', reject);
  });
  server.keepAliveTimeout = 5000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? app.config.PORT);
  app.logger.info({ port, host: options.host ?? app.config.HOST }, 'sms-bridge is serving');
  return {
    port,
    server,
    stop: async () => {
      // The dispatcher stops claiming and the batch in flight is recorded first, while the port still
      // takes webhooks, so the receipts for that batch are accepted until it is recorded.
      await worker.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      // Receipts that arrived while the batch finished: applied now rather than at the next start.
      await engine.processInbox().catch((error: unknown) => app.logger.warn({ error }, 'receipts received while stopping are kept for the next start'));
      await http.clicks.flush();
      await app.store.flush();
    },
  };
}
