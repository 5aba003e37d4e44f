import { randomUUID } from 'node:crypto';
import type { AppContext, OpenOptions } from '../app.js';
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { Config } from '../config.js';
import { loadConfig, loadDotEnv } from '../config.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';

/**
 * Opens the app for one command and always closes it (flushing the store and releasing its lock),
 * whether the command succeeds or fails. The app (gateways, engine, integrations) is loaded only here,
 * so a command that needs the store alone (withStore) starts without it.
 */
export async function withApp<T>(options: OpenOptions, run: (app: AppContext) => Promise<T>): Promise<T> {
  loadDotEnv();
  const config = loadConfig(process.env);
  const { openApp } = await import('../app.js');
  const app = await openApp(config, options);
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

/** What a command that only reads and writes stored data needs. */
export interface StoreContext {
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  newId: () => string;
}

/**
 * Opens the store alone for one command (an import: no gateway, engine or integration is used) and
 * always closes it, flushing it and releasing its lock. The same store, config and logger as withApp.
 */
export async function withStore<T>(options: { readOnly?: boolean }, run: (context: StoreContext) => Promise<T>): Promise<T> {
  loadDotEnv();
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT === 'auto' ? 'text' : config.LOG_FORMAT });
  const store = await openStore(config, Boolean(options.readOnly));
  try {
    return await run({ config, store, logger, clock: systemClock, newId: randomUUID });
  } finally {
    await store.close();
  }
}
