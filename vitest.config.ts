import { defineConfig } from 'vitest/config';

/**
 * The cluster drill (three service processes, one SIGKILLed, every sliding second counted at the
 * gateway stand-in) runs last and alone: its window check measures the machine's timing, so it gets
 * the cores to itself. Every other file runs two at a time: half the suite waits on sockets, child
 * processes and PostgreSQL, and vitest's default of (cores - 1) workers leaves a 2-core machine's
 * second core idle while it does.
 */
const ALONE = ['test/cluster/multi-instance-kill.test.ts'];

export default defineConfig({
  test: {
    // Hang guards, not speed checks (speed is for `npm run bench`): wide enough for a file that shares the
    // machine with another one and with whatever else the host runs.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Message ids are random, so the simulator's 1% random refusals would make end-to-end counts flaky;
    // tests that need refusals configure the simulator (or a fake gateway) directly.
    // Every test runs on the embedded store unless it opens PostgreSQL itself: those tests read the
    // server's URL from TEST_DATABASE_URL (default: DATABASE_URL, which .ci/run sets), so a DATABASE_URL
    // in the shell never sends other tests, or the processes they start, to that database.
    env: { SIMULATOR_ACCEPT_RATE: '1', DATABASE_URL: '', TEST_DATABASE_URL: process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? '' },
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/bench/**', 'node_modules/**', ...ALONE], maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
