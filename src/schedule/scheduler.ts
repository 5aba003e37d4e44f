import { createTask, validate, validateDetailed, type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { isValidTimeZone } from '../contacts/timezone.js';
import { realTimers, type Timers } from '../delivery/timers.js';
import { createCronGate, parseCron, triggerExpression, type CronSpec } from './cron-expression.js';

export interface ScheduledJob {
  stop(): void;
}

export interface Scheduler {
  /** Runs `task` on a cron expression in a time zone; overlapping runs are skipped (a run still in progress makes the next tick a no-op, logged). */
  cron(expression: string, timezone: string, name: string, task: () => Promise<void>): ScheduledJob;
  /** Runs `task` once at `when` (or at once if `when` is past). */
  at(when: Date, name: string, task: () => Promise<void>): ScheduledJob;
  stopAll(): void;
}

const CRON_HELP =
  'Use 5 fields "minute hour day-of-month month day-of-week", e.g. "0 10 * * *" = every day at 10:00, ' +
  '"*/15 9-18 * * mon-fri" = every 15 minutes from 9:00 to 18:45 on weekdays, "0 12 1 * *" = noon on the 1st.';

/** node-cron's validate plus the subset the manual scheduler evaluates (see CronSpec). */
export function validateCron(expression: string): { ok: true } | { ok: false; reason: string } {
  const parsed = parseCron(expression);
  if (!parsed.ok) return { ok: false, reason: `Invalid cron expression "${expression}": ${parsed.reason}. ${CRON_HELP}` };
  if (!validate(expression)) {
    const why = validateDetailed(expression).errors[0]?.message ?? 'node-cron rejects it';
    return { ok: false, reason: `Invalid cron expression "${expression}": ${why}. ${CRON_HELP}` };
  }
  return { ok: true };
}

function parsedOrThrow(expression: string, timezone: string): CronSpec {
  const checked = validateCron(expression);
  if (!checked.ok) throw new AppError('VALIDATION_FAILED', checked.reason);
  if (!isValidTimeZone(timezone)) {
    throw new AppError('VALIDATION_FAILED', `Unknown time zone "${timezone}"`, { hint: 'Use an IANA name such as Europe/Moscow.' });
  }
  const parsed = parseCron(expression);
  if (!parsed.ok) throw new AppError('INTERNAL', parsed.reason);
  return parsed.spec;
}

function validWhen(when: Date): number {
  const ms = when.getTime();
  if (Number.isNaN(ms)) throw new AppError('VALIDATION_FAILED', 'A one-off schedule needs a valid date');
  return ms;
}

/**
 * The overlap guard: while a run is in progress, further calls do not start the task; they call
 * `onSkip` and resolve at once. A failed run releases the guard and rejects to its caller.
 */
export function singleFlight(task: () => Promise<void>, onSkip?: () => void): () => Promise<void> {
  let running = false;
  return async () => {
    if (running) {
      onSkip?.();
      return;
    }
    running = true;
    try {
      await task();
    } finally {
      running = false;
    }
  };
}

/** A run that logs its failure instead of rejecting: a failing job must not stop the scheduler. */
function logged(logger: Logger, name: string, task: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await task();
    } catch (error) {
      logger.error({ job: name, err: error }, 'Scheduled job failed');
    }
  };
}

/** Skips are logged at warn: a recurring send that overlaps itself is worth a look. */
function guardedRun(logger: Logger, name: string, task: () => Promise<void>): (tick: Date) => Promise<void> {
  let tickAt = new Date(0);
  const run = singleFlight(logged(logger, name, task), () => {
    logger.warn({ job: name, tick: tickAt.toISOString() }, 'Previous run still in progress; this run is skipped');
  });
  return (tick) => {
    tickAt = tick;
    return run();
  };
}

/** node-cron's logger interface, routed to ours. */
function cronLogger(logger: Logger): CronLogger {
  return {
    info: (message) => logger.info({ source: 'node-cron' }, message),
    warn: (message) => logger.warn({ source: 'node-cron' }, message),
    error: (message, err) => logger.error({ source: 'node-cron', err: err ?? message }, String(message)),
    debug: (message) => logger.debug({ source: 'node-cron' }, String(message)),
  };
}

/** setTimeout holds at most 2^31-1 ms (~24.8 days); a later one-off re-arms until it is near. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The service's scheduler. node-cron decides when to wake up (its own wall clock, in `timezone`);
 * every wake-up is checked against this module's matcher, so the production and manual schedulers
 * agree on POSIX day-of-month/day-of-week semantics and on DST. One-offs use `timers` and `clock`.
 */
export function createNodeCronScheduler(deps: { clock: Clock; logger: Logger; timers?: Timers }): Scheduler {
  const timers = deps.timers ?? realTimers;
  const jobs = new Set<ScheduledJob>();

  const track = (stop: () => void): ScheduledJob => {
    const job: ScheduledJob = {
      stop: () => {
        if (!jobs.delete(job)) return;
        stop();
      },
    };
    jobs.add(job);
    return job;
  };

  return {
    cron(expression, timezone, name, task) {
      const spec = parsedOrThrow(expression, timezone);
      const gate = createCronGate(spec, timezone);
      const run = guardedRun(deps.logger, name, task);
      const cronTask: ScheduledTask = createTask(triggerExpression(spec), (context) => (gate(context.date) ? run(context.date) : undefined), {
        timezone,
        name,
        logger: cronLogger(deps.logger),
      });
      void cronTask.start();
      deps.logger.info({ job: name, cron: expression, timezone }, 'Cron job scheduled');
      // destroy(), not stop(): it also drops the task from node-cron's global registry.
      return track(() => void Promise.resolve(cronTask.destroy()).catch(() => undefined));
    },

    at(when, name, task) {
      const due = validWhen(when);
      const run = logged(deps.logger, name, task);
      let handle: unknown;
      const arm = (): void => {
        const delay = due - deps.clock.now().getTime();
        if (delay > MAX_TIMER_MS) {
          handle = timers.setTimeout(arm, MAX_TIMER_MS);
          return;
        }
        handle = timers.setTimeout(() => {
          if (!jobs.delete(job)) return;
          void run();
        }, Math.max(0, delay));
      };
      const job = track(() => timers.clearTimeout(handle));
      arm();
      return job;
    },

    stopAll() {
      for (const job of [...jobs]) job.stop();
    },
  };
}

interface ManualCron {
  gate: (tick: Date) => boolean;
  run: (tick: Date) => Promise<void>;
}

interface ManualOneOff {
  due: number;
  run: () => Promise<void>;
}

/**
 * A scheduler driven by `tick(now)`, for tests and simulations. A tick evaluates each cron job for the
 * minute containing `now` (minutes between ticks are not caught up), fires one-offs whose time has
 * come, and resolves when the runs it started have settled. A cron job never fires for the minute
 * it was registered in or earlier (by `clock`), as node-cron does not.
 */
export function createManualScheduler(clock: Clock, logger: Logger = silentLogger): Scheduler & { tick(now: Date): Promise<void> } {
  const crons = new Set<ManualCron>();
  const oneOffs = new Set<ManualOneOff>();

  return {
    cron(expression, timezone, name, task) {
      const spec = parsedOrThrow(expression, timezone);
      const registered = Math.floor(clock.now().getTime() / 1000) * 1000;
      const entry: ManualCron = { gate: createCronGate(spec, timezone, registered), run: guardedRun(logger, name, task) };
      crons.add(entry);
      return { stop: () => void crons.delete(entry) };
    },

    at(when, name, task) {
      const entry: ManualOneOff = { due: validWhen(when), run: logged(logger, name, task) };
      oneOffs.add(entry);
      return { stop: () => void oneOffs.delete(entry) };
    },

    stopAll() {
      crons.clear();
      oneOffs.clear();
    },

    async tick(now) {
      const started: Promise<void>[] = [];
      for (const entry of crons) if (entry.gate(now)) started.push(entry.run(now));
      for (const entry of oneOffs) {
        if (entry.due > now.getTime()) continue;
        oneOffs.delete(entry);
        started.push(entry.run());
      }
      await Promise.allSettled(started);
    },
  };
}
