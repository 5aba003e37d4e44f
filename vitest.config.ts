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
    env: { SIMULATOR_ACCEPT_RATE: '1' },
  },
});
