import { getTasks } from 'node-cron';
import { describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../src/common/clock.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import { manualTimers } from '../../src/delivery/timers.js';
import { createManualScheduler, createNodeCronScheduler, singleFlight, validateCron } from '../../src/schedule/scheduler.js';

const MINUTE = 60_000;

function spyLogger(): Logger & { warn: ReturnType<typeof vi.fn>; error: ReturnType<typeof vi.fn> } {
  const logger = { ...silentLogger, warn: vi.fn(), error: vi.fn(), child: () => logger };
  return logger;
}

/** Ticks once a minute (15 s past, then again 40 s past) from `from` until `to`, collecting runs. */
async function runMinutes(scheduler: ReturnType<typeof createManualScheduler>, from: string, to: string): Promise<void> {
  for (let t = Date.parse(from); t < Date.parse(to); t += MINUTE) {
    await scheduler.tick(new Date(t + 15_000));
    await scheduler.tick(new Date(t + 40_000));
  }
}

function recorder(clock: { now(): Date }) {
  const runs: string[] = [];
  return { runs, task: async () => void runs.push(clock.now().toISOString()) };
}

describe('manual scheduler: cron jobs', () => {
  it('fires at the local minute in Moscow and New York across the US DST change (2026-03-08)', async () => {
    const clock = fixedClock('2026-03-06T00:00:00Z');
    const scheduler = createManualScheduler(clock);
    const fired: Record<string, string[]> = { moscow: [], newYork: [], gap: [] };
    const track = (key: string) => async () => void fired[key]?.push(current.toISOString().slice(0, 16));
    let current = new Date(0);
    scheduler.cron('0 10 * * *', 'Europe/Moscow', 'moscow', track('moscow'));
    scheduler.cron('0 10 * * *', 'America/New_York', 'newYork', track('newYork'));
    scheduler.cron('30 2 * * *', 'America/New_York', 'gap', track('gap'));
    for (let t = Date.parse('2026-03-07T00:00:00Z'); t < Date.parse('2026-03-10T00:00:00Z'); t += MINUTE) {
      current = new Date(t + 20_000);
      await scheduler.tick(current);
      await scheduler.tick(new Date(t + 50_000)); // same minute again: no second run
    }
    expect(fired.moscow).toEqual(['2026-03-07T07:00', '2026-03-08T07:00', '2026-03-09T07:00']);
    // 10:00 EST = 15:00 UTC; from 8 March 10:00 EDT = 14:00 UTC.
    expect(fired.newYork).toEqual(['2026-03-07T15:00', '2026-03-08T14:00', '2026-03-09T14:00']);
    // 02:30 does not exist on 8 March in New York (02:00 EST → 03:00 EDT): no run that day.
    expect(fired.gap).toEqual(['2026-03-07T07:30', '2026-03-09T06:30']);
  });

  it('runs a fixed time once when clocks go back, but an interval every real half hour', async () => {
    const clock = fixedClock('2026-10-31T00:00:00Z');
    const scheduler = createManualScheduler(clock);
    const daily = recorder(clock);
    const halfHourly = recorder(clock);
    scheduler.cron('30 1 * * *', 'America/New_York', 'daily', daily.task);
    scheduler.cron('*/30 * * * *', 'America/New_York', 'half-hourly', halfHourly.task);
    for (let t = Date.parse('2026-11-01T04:00:00Z'); t <= Date.parse('2026-11-01T08:00:00Z'); t += MINUTE) {
      clock.set(new Date(t));
      await scheduler.tick(clock.now());
    }
    // 01:30 EDT = 05:30 UTC; 01:30 EST (06:30 UTC) is the same wall-clock minute again.
    expect(daily.runs).toEqual(['2026-11-01T05:30:00.000Z']);
    expect(halfHourly.runs).toHaveLength(9);
  });

  it('does not fire twice in the same minute, nor for the minute it was registered in', async () => {
    const clock = fixedClock('2026-06-01T07:00:10Z');
    const scheduler = createManualScheduler(clock);
    const task = vi.fn(async () => undefined);
    scheduler.cron('* * * * *', 'Europe/Moscow', 'every-minute', task);
    await scheduler.tick(new Date('2026-06-01T07:00:30Z'));
    expect(task).not.toHaveBeenCalled();
    await runMinutes(scheduler, '2026-06-01T07:01:00Z', '2026-06-01T07:04:00Z');
    expect(task).toHaveBeenCalledTimes(3);
    await scheduler.tick(new Date('2026-06-01T07:02:00Z')); // back in time: nothing
    expect(task).toHaveBeenCalledTimes(3);
  });

  it('skips a tick while the previous run is still in progress, and logs it', async () => {
    const logger = spyLogger();
    const scheduler = createManualScheduler(fixedClock('2026-06-01T00:00:00Z'), logger);
    let release: () => void = () => undefined;
    const task = vi.fn(() => new Promise<void>((resolve) => (release = resolve)));
    scheduler.cron('* * * * *', 'UTC', 'slow', task);
    const first = scheduler.tick(new Date('2026-06-01T10:00:00Z'));
    await scheduler.tick(new Date('2026-06-01T10:01:00Z'));
    expect(task).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ job: 'slow', tick: '2026-06-01T10:01:00.000Z' }), expect.stringContaining('skipped'));
    release();
    await first;
    const third = scheduler.tick(new Date('2026-06-01T10:02:00Z'));
    release();
    await third;
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('logs a failed run and keeps the job', async () => {
    const logger = spyLogger();
    const scheduler = createManualScheduler(fixedClock('2026-06-01T00:00:00Z'), logger);
    const task = vi.fn(async () => {
      throw new Error('gateway down');
    });
    scheduler.cron('* * * * *', 'UTC', 'flaky', task);
    await runMinutes(scheduler, '2026-06-01T10:00:00Z', '2026-06-01T10:02:00Z');
    expect(task).toHaveBeenCalledTimes(2);
    expect(logger.error).toHaveBeenCalledTimes(2);
  });

  it('refuses an invalid expression or zone', () => {
    const scheduler = createManualScheduler(fixedClock('2026-06-01T00:00:00Z'));
    expect(() => scheduler.cron('0 10 * *', 'UTC', 'x', async () => undefined)).toThrow(/expected 5 fields/);
    expect(() => scheduler.cron('0 10 * * *', 'Mars/Olympus', 'x', async () => undefined)).toThrow(/Unknown time zone/);
  });
});

describe('manual scheduler: one-offs', () => {
  it('fires once when its time has come; a past one at the next tick; a stopped one never', async () => {
    const clock = fixedClock('2026-06-01T10:00:00Z');
    const scheduler = createManualScheduler(clock);
    const later = vi.fn(async () => undefined);
    const past = vi.fn(async () => undefined);
    const stopped = vi.fn(async () => undefined);
    scheduler.at(new Date('2026-06-01T10:05:00Z'), 'later', later);
    scheduler.at(new Date('2026-06-01T09:00:00Z'), 'past', past);
    scheduler.at(new Date('2026-06-01T10:03:00Z'), 'stopped', stopped).stop();
    await scheduler.tick(new Date('2026-06-01T10:01:00Z'));
    expect([later.mock.calls.length, past.mock.calls.length]).toEqual([0, 1]);
    await scheduler.tick(new Date('2026-06-01T10:05:00Z'));
    await scheduler.tick(new Date('2026-06-01T10:06:00Z'));
    expect([later.mock.calls.length, past.mock.calls.length, stopped.mock.calls.length]).toEqual([1, 1, 0]);
  });

  it('stopAll removes cron jobs and one-offs', async () => {
    const scheduler = createManualScheduler(fixedClock('2026-06-01T00:00:00Z'));
    const task = vi.fn(async () => undefined);
    scheduler.cron('* * * * *', 'UTC', 'c', task);
    scheduler.at(new Date('2026-06-01T00:00:00Z'), 'o', task);
    scheduler.stopAll();
    await scheduler.tick(new Date('2026-06-01T10:00:00Z'));
    expect(task).not.toHaveBeenCalled();
  });
});

describe('singleFlight', () => {
  it('runs one call at a time and releases the guard after a failure', async () => {
    const onSkip = vi.fn();
    let fail = true;
    const guarded = singleFlight(async () => {
      await Promise.resolve();
      if (fail) throw new Error('boom');
    }, onSkip);
    const first = guarded();
    await guarded();
    expect(onSkip).toHaveBeenCalledTimes(1);
    await expect(first).rejects.toThrow('boom');
    fail = false;
    await expect(guarded()).resolves.toBeUndefined();
    expect(onSkip).toHaveBeenCalledTimes(1);
  });
});

describe('validateCron', () => {
  it('accepts a valid expression', () => {
    expect(validateCron('0 10 * * *')).toEqual({ ok: true });
    expect(validateCron('*/15 9-18 * * mon-fri')).toEqual({ ok: true });
  });

  it.each([
    ['0 10 * *', 'expected 5 fields but got 4'],
    ['0 25 * * *', 'hour "25" is outside 0-23'],
    ['0 0 10 * * *', 'seconds field is not supported'],
    ['@daily', 'nicknames'],
    ['0 0 30 2 *', 'never occurs'],
    ['0 0 30 2 1', 'impossible day of month'], // node-cron's own verdict
  ])('explains %j', (expression, why) => {
    const result = validateCron(expression);
    expect(result.ok).toBe(false);
    const reason = result.ok ? '' : result.reason;
    expect(reason).toContain(`Invalid cron expression "${expression}"`);
    expect(reason).toContain(why);
    expect(reason).toContain('"0 10 * * *" = every day at 10:00');
  });
});

describe('node-cron scheduler', () => {
  it('starts a cron job and stops it without waiting for a tick', () => {
    const clock = fixedClock('2026-06-01T00:00:00Z');
    const scheduler = createNodeCronScheduler({ clock, logger: silentLogger, timers: manualTimers(clock) });
    const task = vi.fn(async () => undefined);
    const job = scheduler.cron('0 10 * * *', 'Europe/Moscow', 'nightly-test', task);
    const named = () => [...getTasks().values()].filter((t) => t.name === 'nightly-test');
    expect(named()).toHaveLength(1);
    expect(named()[0]?.getStatus()).toBe('idle');
    job.stop();
    expect(named()).toHaveLength(0);
    scheduler.cron('0 11 * * *', 'Europe/Moscow', 'nightly-test', task);
    scheduler.stopAll();
    expect(named()).toHaveLength(0);
    expect(task).not.toHaveBeenCalled();
    expect(() => scheduler.cron('61 * * * *', 'UTC', 'bad', task)).toThrow(/minute "61"/);
  });

  it('fires on either day when both day fields are restricted (node-cron alone would need both)', async () => {
    vi.useFakeTimers({ now: new Date('2026-05-31T00:00:00Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const scheduler = createNodeCronScheduler({ clock: fixedClock('2026-05-31T00:00:00Z'), logger: silentLogger });
      const runs: string[] = [];
      // "10:00 on the 3rd and on Mondays", Moscow time: 1 June is a Monday, 3 June a Wednesday.
      scheduler.cron('0 10 3 * 1', 'Europe/Moscow', 'posix-days', async () => void runs.push(new Date().toISOString()));
      await vi.advanceTimersByTimeAsync(9 * 24 * 60 * MINUTE);
      scheduler.stopAll();
      expect(runs).toEqual(['2026-06-01T07:00:00.000Z', '2026-06-03T07:00:00.000Z', '2026-06-08T07:00:00.000Z']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fires a one-off through the injected timers, re-arming beyond the 24.8-day timer limit', () => {
    const clock = fixedClock('2026-06-01T00:00:00Z');
    const timers = manualTimers(clock);
    const scheduler = createNodeCronScheduler({ clock, logger: silentLogger, timers });
    const soon = vi.fn(async () => undefined);
    const far = vi.fn(async () => undefined);
    const past = vi.fn(async () => undefined);
    const stopped = vi.fn(async () => undefined);
    scheduler.at(new Date('2026-06-01T01:00:00Z'), 'soon', soon);
    scheduler.at(new Date('2026-07-11T00:00:00Z'), 'far', far); // 40 days ahead
    scheduler.at(new Date('2026-05-01T00:00:00Z'), 'past', past);
    scheduler.at(new Date('2026-06-01T02:00:00Z'), 'stopped', stopped).stop();
    timers.advance(0);
    expect(past).toHaveBeenCalledTimes(1);
    timers.advance(60 * MINUTE);
    expect(soon).toHaveBeenCalledTimes(1);
    timers.advance(30 * 24 * 60 * MINUTE);
    expect(far).not.toHaveBeenCalled();
    timers.advance(10 * 24 * 60 * MINUTE);
    expect(far).toHaveBeenCalledTimes(1);
    expect(stopped).not.toHaveBeenCalled();
    expect(timers.pending()).toBe(0);
  });
});
