import type { Logger } from '../common/logger.js';
import type { Scheduler } from '../schedule/scheduler.js';

/**
 * The scheduler as every instance of a cluster runs it: each instance keeps the same jobs, and on each
 * tick only the leader runs the task, so a schedule fires once across the cluster. A tick that falls
 * while no instance leads (the leader died and the lock is not yet taken again, a few seconds) is
 * skipped and logged; the next tick runs as usual.
 */
export function leaderOnly(scheduler: Scheduler, isLeader: () => boolean, logger: Logger): Scheduler {
  const gate = (name: string, task: () => Promise<void>) => async (): Promise<void> => {
    if (!isLeader()) {
      logger.debug({ job: name }, 'scheduled job left to the cluster leader');
      return;
    }
    await task();
  };
  return {
    cron: (expression, timezone, name, task) => scheduler.cron(expression, timezone, name, gate(name, task)),
    at: (when, name, task) => scheduler.at(when, name, gate(name, task)),
    stopAll: () => scheduler.stopAll(),
  };
}
