import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Answers `require('@azure/functions-core')` the way the Functions Node worker does, before any app code loads.
    setupFiles: ['local/host/vitest-setup.ts'],
  },
});
