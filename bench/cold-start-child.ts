/**
 * One cold start, in a fresh process (bench/cold-start-bench.ts spawns it): answers `@azure/functions-core` as the
 * Functions worker does, requires the app's entry (`argv[2]`: the deployed bundle or dist/functions/index.js) with
 * production-shaped settings, and prints how long loading and registering every function took, as JSON.
 */
import { performance } from 'node:perf_hooks';
import { getFunctionsCoreRegistry, installFunctionsCoreApi } from '../local/host/functions-core-api';

/** Settings of a deployment (infra/ writes these names); ids only, nothing is called at start. */
const PRODUCTION_SETTINGS = {
  MicrosoftAppId: '0b5a3c8e-1f2d-4e6a-9b7c-3d4e5f6a7b8c',
  MicrosoftAppType: 'UserAssignedMSI',
  MicrosoftAppTenantId: '7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
  ACCESS_ALLOWED_TENANTS: '7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
  STATE_TABLES_ENDPOINT: 'https://stvpncertbench.table.core.windows.net',
  AZURE_CLIENT_ID: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
  VPN_SCOPES: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/rg-hub-network',
  DURABLE_TASK_HUB: 'bench',
};

export interface ColdStartSample {
  /** Wall time from before the require to every function registered. */
  readonly wallMs: number;
  /** CPU time (user + system) of the same span: less sensitive to other load on the machine. */
  readonly cpuMs: number;
  /** Process start to registered, Node's own start-up included. */
  readonly sinceProcessStartMs: number;
  readonly functions: number;
}

if (require.main === module) {
  const entry = process.argv[2];
  if (!entry) throw new Error('usage: cold-start-child <entry.js>');
  Object.assign(process.env, PRODUCTION_SETTINGS);
  installFunctionsCoreApi();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the entry is CommonJS, loaded as the worker loads it.
  require(entry);
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const sample: ColdStartSample = { wallMs: t1 - t0, cpuMs: (cpu.user + cpu.system) / 1000, sinceProcessStartMs: t1, functions: getFunctionsCoreRegistry().functions.size };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}
