// Order matters: a later block's no-restricted-imports replaces an earlier one's for the same files.
// Lint enforces the architecture's boundaries (see README "Project structure"):
// - orchestrations/ stay deterministic: no SDK, no Node built-in, no adapters, no clock or randomness;
// - core/ and cards/ are framework-free: no Azure SDK, no botbuilder, no durable-functions;
// - only adapters/teams/ may import botbuilder (archived upstream; one folder to replace);
// - only adapters/ (and local/ tooling) may import Azure SDK clients;
// - bot/ (command handling) talks to Teams, Azure and Durable only through ports, so it imports none of them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const azureSdk = ['@azure/arm-*', '@azure/keyvault-*', '@azure/monitor-*', '@azure/data-tables', '@azure/identity', '@azure/core-*'];
const botbuilder = ['botbuilder', 'botbuilder-*', 'botframework-*'];
const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'http', 'https', 'net', 'tls', 'crypto', 'child_process', 'timers', 'timers/*', 'util', 'events', 'stream', 'dns', 'worker_threads', 'zlib'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.sandbox/**', 'deploy/dist/**', 'appPackage/build/**', '.tools/**'] },
  // Build scripts run by Node directly (npm run build:deploy).
  { files: ['deploy/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['functions/**/*.ts', 'bot/**/*.ts', 'activities/**/*.ts', 'orchestrations/**/*.ts', 'cards/**/*.ts', 'core/**/*.ts', 'adapters/azure/**/*.ts', 'adapters/storage/**/*.ts', 'local/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['test/adapters/teams/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: botbuilder, message: 'botbuilder is archived upstream: keep it inside adapters/teams/.' }] }],
    },
  },
  {
    // Deployed code never reaches into local/ (the sandbox, simulator and host are not deployed).
    files: ['functions/**/*.ts', 'activities/**/*.ts', 'adapters/azure/**/*.ts', 'adapters/storage/**/*.ts', 'adapters/durable/**/*.ts', 'adapters/logging/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: botbuilder, message: 'botbuilder is archived upstream: keep it inside adapters/teams/.' },
          { group: ['**/local/**'], message: 'local/ is never deployed.' },
        ],
      }],
    },
  },
  {
    files: ['adapters/teams/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/local/**'], message: 'local/ is never deployed.' }] }],
    },
  },
  {
    files: ['bot/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: [...azureSdk, ...botbuilder, 'durable-functions', '@azure/functions'], message: 'bot/ works through ports (bot/chat-ports.ts); adapters implement them.' },
          { group: ['**/adapters/**', '**/local/**', '**/functions/**'], message: 'bot/ must not depend on adapters or the host.' },
        ],
      }],
    },
  },
  {
    files: ['orchestrations/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: [...azureSdk, ...botbuilder, ...nodeBuiltins], message: 'Orchestrations are deterministic: call an activity for I/O.' },
          { group: ['**/adapters/**', '**/local/**'], message: 'Orchestrations import activity names and types only, never adapters.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'Use context.df.createTimer.' },
        { name: 'setInterval', message: 'Use context.df.createTimer.' },
        { name: 'fetch', message: 'Call an activity for I/O.' },
        { name: 'process', message: 'Orchestrations must not read the environment.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Use context.df.currentUtcDateTime.' },
        { object: 'Math', property: 'random', message: 'Use context.df.newGuid.' },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use context.df.currentUtcDateTime.' }],
    },
  },
  {
    // Workflows use the Durable SDK's types only; the one value they need (RetryOptions) is built in
    // orchestration-context.ts, so every other workflow file stays free of runtime SDK code.
    files: ['orchestrations/**/*.ts'],
    ignores: ['orchestrations/orchestration-context.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'durable-functions', allowTypeImports: true, message: 'Import Durable types only; build SDK values in orchestration-context.ts.' }],
      }],
    },
  },
  {
    files: ['core/**/*.ts', 'cards/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: [...azureSdk, ...botbuilder, 'durable-functions', '@azure/functions'], message: 'core/ and cards/ are framework-free.' },
          { group: ['**/adapters/**', '**/local/**', '**/activities/**', '**/orchestrations/**', '**/functions/**'], message: 'core/ and cards/ depend on nothing outside core/ and cards/.' },
        ],
      }],
    },
  },
);
