// Lint enforces the architecture's import boundaries as allow-lists (eslint/allowed-imports.mjs): each product layer
// names exactly what it may import, and anything else is an error. Enforced, per layer:
// - orchestrations/: orchestrations/, core/ and activities/activity-names only; the package durable-functions, as
//   types only except in orchestration-context.ts. No clock, randomness, timers, environment or I/O (see the
//   determinism block below, which also covers every core/ module an orchestration imports).
// - activities/: activities/, core/, cards/ and adapters/ (never bot/, orchestrations/ or functions/); node:crypto.
// - adapters/: adapters/, core/ and cards/ (never bot/, orchestrations/, activities/ or functions/); the Azure SDKs
//   and node built-ins; botbuilder only in adapters/teams/; durable-functions only in adapters/durable/.
// - bot/: bot/, core/ and cards/; no package (it reaches Teams, Azure and Durable through core/ports).
// - core/ and cards/: core/ and cards/ only; core/ may use @peculiar/* (X.509) and node:crypto, cards/ no package.
// - functions/ (the composition root and thin triggers): any product folder but local/; @azure/functions,
//   durable-functions, the Azure SDKs and node built-ins.
// - local/, test/, bench/ are tooling: only botbuilder stays inside adapters/teams/ (and its tests).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { allowedImportsRule, coreModulesImportedBy } from './eslint/allowed-imports.mjs';

const azureSdk = ['@azure/arm-*', '@azure/keyvault-*', '@azure/monitor-*', '@azure/data-tables', '@azure/identity', '@azure/core-*'];
const botbuilder = ['botbuilder', 'botbuilder-*', 'botframework-*'];
const nodeBuiltins = ['node:*'];

const layer = (name, files, modules, packages, ignores = []) => ({
  files,
  ignores,
  plugins: { boundaries: { rules: { 'allowed-imports': allowedImportsRule } } },
  rules: { 'boundaries/allowed-imports': ['error', { layer: name, modules, packages }] },
});

/** The core/ modules orchestrations import (transitively): their code runs in the orchestrator, so it must be deterministic too. */
const coreInOrchestrations = coreModulesImportedBy('orchestrations');

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
  layer('orchestrations/', ['orchestrations/**/*.ts'], ['orchestrations/', 'core/', 'activities/activity-names'], ['durable-functions']),
  layer('activities/', ['activities/**/*.ts'], ['activities/', 'core/', 'cards/', 'adapters/'], ['node:crypto']),
  layer('adapters/', ['adapters/**/*.ts'], ['adapters/', 'core/', 'cards/'], [...azureSdk, ...nodeBuiltins], ['adapters/teams/**', 'adapters/durable/**']),
  layer('adapters/teams/', ['adapters/teams/**/*.ts'], ['adapters/', 'core/', 'cards/'], [...botbuilder, ...nodeBuiltins]),
  layer('adapters/durable/', ['adapters/durable/**/*.ts'], ['adapters/', 'core/', 'cards/'], ['durable-functions', ...nodeBuiltins]),
  layer('bot/', ['bot/**/*.ts'], ['bot/', 'core/', 'cards/'], []),
  layer('core/', ['core/**/*.ts'], ['core/', 'cards/'], ['@peculiar/*', 'node:crypto']),
  layer('cards/', ['cards/**/*.ts'], ['cards/', 'core/'], []),
  layer('functions/', ['functions/**/*.ts'], ['functions/', 'bot/', 'orchestrations/', 'activities/', 'cards/', 'core/', 'adapters/'], ['@azure/functions', 'durable-functions', ...azureSdk, ...nodeBuiltins]),
  {
    // Tooling may use anything, but botbuilder stays in one folder (archived upstream) and its tests.
    files: ['local/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['test/adapters/teams/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: botbuilder, message: 'botbuilder is archived upstream: keep it inside adapters/teams/.' }] }] },
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
    // Determinism: replay must take the same path every time. In orchestrations and the core/ modules they import.
    files: ['orchestrations/**/*.ts', ...coreInOrchestrations],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['node:*', 'crypto', 'perf_hooks', 'timers', 'timers/*', 'fs', 'fs/*', 'http', 'https', 'net', 'dns', 'child_process', 'worker_threads'], message: 'Orchestrations are deterministic: no I/O, clock or randomness; call an activity.' }],
      }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'Use context.df.createTimer.' },
        { name: 'setInterval', message: 'Use context.df.createTimer.' },
        { name: 'setImmediate', message: 'Use context.df.createTimer.' },
        { name: 'fetch', message: 'Call an activity for I/O.' },
        { name: 'process', message: 'Orchestrations must not read the environment.' },
        { name: 'crypto', message: 'Randomness breaks replay: use context.df.newGuid.' },
        { name: 'performance', message: 'Use context.df.currentUtcDateTime.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Use context.df.currentUtcDateTime.' },
        { object: 'Math', property: 'random', message: 'Use context.df.newGuid.' },
        { object: 'globalThis', property: 'Date', message: 'Use context.df.currentUtcDateTime.' },
        { object: 'globalThis', property: 'crypto', message: 'Randomness breaks replay: use context.df.newGuid.' },
        { object: 'globalThis', property: 'performance', message: 'Use context.df.currentUtcDateTime.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use context.df.currentUtcDateTime.' },
        { selector: "CallExpression[callee.name='Date']", message: 'Date() is the current time: use context.df.currentUtcDateTime.' },
      ],
    },
  },
);
