import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Message ids are random, so the simulator's 1% random refusals would make end-to-end counts flaky;
    // tests that need refusals configure the simulator (or a fake gateway) directly.
    // Every test runs on the embedded store unless it opens PostgreSQL itself: those tests read the
    // server's URL from TEST_DATABASE_URL (default: DATABASE_URL, which .ci/run sets), so a DATABASE_URL
    // in the shell never sends other tests, or the processes they start, to that database.
    env: { SIMULATOR_ACCEPT_RATE: '1', DATABASE_URL: '', TEST_DATABASE_URL: process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? '' },
  },
});
