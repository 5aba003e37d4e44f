import type { AppContext } from '../../app.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Waits for SIGTERM or SIGINT, then runs `stop` within SHUTDOWN_GRACE_S. Past the grace time, or on a
 * second signal, the process exits at once: nothing is lost, since rows still being sent are marked
 * unknown at the next start and never re-sent blindly.
 */
export async function untilStopSignal(app: AppContext, what: string, stop: () => Promise<void>): Promise<void> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const name of SIGNALS) process.once(name, () => resolve(name));
  });
  const graceMs = app.config.SHUTDOWN_GRACE_S * 1000;
  app.logger.info({ signal, graceSeconds: app.config.SHUTDOWN_GRACE_S }, `stopping: ${what}`);
  process.stderr.write(`stopping (${signal}): ${what}... (again to stop at once)\n`);
  const forced = (reason: string) => (): void => {
    app.logger.error({ signal, graceSeconds: app.config.SHUTDOWN_GRACE_S }, `${reason}: exiting now; messages still being sent are marked unknown at the next start`);
    process.exit(1);
  };
  const deadline = setTimeout(forced(`not stopped within SHUTDOWN_GRACE_S`), graceMs);
  deadline.unref();
  for (const name of SIGNALS) process.once(name, forced(`${name} again while stopping`));
  try {
    await stop();
  } finally {
    clearTimeout(deadline);
  }
  app.logger.info({ signal }, 'stopped');
}

/**
 * Once the service has stopped and its store is closed, the process ends even if a stray handle (a
 * keep-alive socket, a library timer) would keep it alive, so a supervisor never waits on it.
 */
export function exitWhenIdle(graceMs = 1000): void {
  setTimeout(() => process.exit(process.exitCode ?? 0), graceMs).unref();
}
