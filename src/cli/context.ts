import type { AppContext, OpenOptions } from '../app.js';
import { openApp } from '../app.js';
import { loadConfig, loadDotEnv } from '../config.js';

/**
 * Opens the app for one command and always closes it (flushing the store and releasing its lock),
 * whether the command succeeds or fails.
 */
export async function withApp<T>(options: OpenOptions, run: (app: AppContext) => Promise<T>): Promise<T> {
  loadDotEnv();
  const config = loadConfig(process.env);
  const app = await openApp(config, options);
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}
