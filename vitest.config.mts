import { configDefaults, defineConfig } from 'vitest/config';

/** Checks that read what the rest of the run recorded (the Azure calls of the end-to-end tests); they run last. */
const derivedFromTheRun = ['test/infra/least-privilege.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Answers `require('@azure/functions-core')` the way the Functions Node worker does, before any app code loads.
    setupFiles: ['local/host/vitest-setup.ts'],
    // Clears this run's folder of recorded Azure calls (test/support/azure-call-log.ts).
    globalSetup: ['test/support/azure-call-log.ts'],
    // Group orders start at 1: vitest moves order-0 files into a group of its own that runs last on a 1-worker machine.
    projects: [
      { extends: true, test: { name: 'app', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...derivedFromTheRun], sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'derived', include: derivedFromTheRun, sequence: { groupOrder: 2 } } },
    ],
  },
});
