/**
 * `npm run bench [-- --only ike,cold-start,fleet-100,fleet-500,ack,approval,rotation,load,rotate-outbound,provision,expiry]`: measures the product on this machine, prints a table and
 * writes bench/results.json. Targets are reported as met / not met; the exit code is non-zero only when a benchmark
 * could not run.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AckLatencyBenchResult } from './ack-latency-bench';
import type { ApprovalBenchResult } from './approval-bench';
import type { BenchScenario } from './bench-scenario';
import type { BenchOutcome, BenchReport, BenchResults, MeasuredRevision } from './bench-report';
import { evaluateTargets, formatReport } from './bench-report';
import type { ExpiryBenchResult } from './expiry-bench';
import type { FleetStatusBenchResult } from './fleet-status-bench';
import type { LoadBenchResult } from './load-bench';
import type { RotateOutboundBenchResult } from './rotate-outbound-bench';
import { projectRoot } from '../local/sandbox/project-root';
import { runIkeParseBench } from './ike-parse';
import { runScenarioInChild } from './run-scenario-in-child';
import { measureOutboundRotation } from '../local/strongswan/rotation';
import { strongswanSupport } from '../local/strongswan/strongswan-support';
import { runColdStartBench } from './cold-start-bench';
import { runProvisionBench } from './provision-bench';

const BENCHMARKS = ['ike', 'fleet-100', 'fleet-500', 'ack', 'approval', 'rotation', 'cold-start', 'load', 'rotate-outbound', 'provision', 'expiry'] as const;
type BenchmarkName = (typeof BENCHMARKS)[number];

/** Azure's latency as the benchmarks model it: added to every simulator answer. */
const AZURE_LATENCY_MS = 50;

const SCENARIOS = {
  // Three runs: each costs under a second plus the wait for the read bucket to refill (about 5 s).
  'fleet-100': { kind: 'fleet-status', options: { sites: 100, resourceGroups: 10, latencyMs: AZURE_LATENCY_MS, runs: 3 } },
  // One run: it takes the ~10 s the throttling bound imposes, and a second would wait 20 s for the bucket first.
  'fleet-500': { kind: 'fleet-status', options: { sites: 500, resourceGroups: 10, latencyMs: AZURE_LATENCY_MS, runs: 1 } },
  ack: { kind: 'ack-latency', options: { messages: 200, text: 'status site-paris', latencyMs: AZURE_LATENCY_MS } },
  // 100 changes, each requested, approved and run to its end before the next (one change per connection).
  approval: { kind: 'approval', options: { requests: 100, latencyMs: AZURE_LATENCY_MS } },
  // 50 people for 60 s through the Playground: commands and presses mixed, 5 % of messages delivered twice.
  load: { kind: 'load', options: { people: 50, durationMs: 60_000, latencyMs: AZURE_LATENCY_MS, seed: 20261204, redeliveryRate: 0.05 } },
  // Five rotations of site-paris from the vault CA, each approved through megan's view of the approval card.
  'rotate-outbound': { kind: 'rotate-outbound', options: { rotations: 5, latencyMs: AZURE_LATENCY_MS, connectionUpdateMs: 1500, tunnelSettleMs: 1000, logIngestionDelayMs: 1000 } },
  // The expiry report over 500 sites in 10 resource groups (ARM read throttling on), then the daily run to 20 channels.
  expiry: { kind: 'expiry', options: { sites: 500, resourceGroups: 10, latencyMs: AZURE_LATENCY_MS, conversations: 20 } },
} as const satisfies Record<Exclude<BenchmarkName, 'ike' | 'rotation' | 'cold-start' | 'provision'>, BenchScenario>;

const SCENARIO_TIMEOUT_MS = 150_000;

function selected(argv: string[]): Set<BenchmarkName> {
  const at = argv.indexOf('--only');
  if (at < 0) return new Set(BENCHMARKS);
  const names = (argv[at + 1] ?? '').split(',').filter((n) => n.length > 0);
  const unknown = names.filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) throw new Error(`--only takes a comma-separated list of ${BENCHMARKS.join(', ')}${unknown.length > 0 ? ` (not: ${unknown.join(', ')})` : ''}.`);
  return new Set(names as BenchmarkName[]);
}

/** Folders and files whose code the benchmarks measure (bench/ and tests are not product). */
const PRODUCT_PATHS = ['functions', 'bot', 'orchestrations', 'activities', 'cards', 'core', 'adapters', 'local', 'host.json', 'package.json'];

/** Which code was measured; undefined outside a git checkout. */
function measuredRevision(root: string): MeasuredRevision | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', 'HEAD').trim();
    const uncommittedProductFiles = git('status', '--porcelain', '--', ...PRODUCT_PATHS)
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => line.slice(3));
    return { commit, uncommittedProductFiles };
  } catch {
    return undefined;
  }
}

async function attempt<T>(name: string, run: () => Promise<T>): Promise<BenchOutcome<T>> {
  process.stderr.write(`bench: ${name}…\n`);
  const started = performance.now();
  try {
    const result = await run();
    process.stderr.write(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return { ok: true, result };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${name} could not run: ${text}\n`);
    return { ok: false, error: text };
  }
}

async function main(): Promise<void> {
  const only = selected(process.argv.slice(2));
  const started = performance.now();
  const date = new Date().toISOString();
  const loadAtStart = loadavg();
  const root = projectRoot();
  const revision = measuredRevision(root);
  const results: { -readonly [K in keyof BenchResults]: BenchResults[K] } = {};

  // First, while nothing else runs in this process: the parser benchmark measures CPU alone.
  if (only.has('ike')) results.ikeParse = await attempt('IKE log parsing', () => runIkeParseBench(100_000));
  if (only.has('cold-start')) results.coldStart = await attempt('cold start, bundled vs dist/', () => Promise.resolve(runColdStartBench(root)));
  if (only.has('fleet-100')) results.fleetStatus100 = await attempt('fleet status, 100 sites', () => runScenarioInChild(SCENARIOS['fleet-100'], SCENARIO_TIMEOUT_MS) as Promise<FleetStatusBenchResult>);
  if (only.has('fleet-500')) results.fleetStatus500 = await attempt('fleet status, 500 sites', () => runScenarioInChild(SCENARIOS['fleet-500'], SCENARIO_TIMEOUT_MS) as Promise<FleetStatusBenchResult>);
  if (only.has('ack')) results.ackLatency = await attempt('acknowledgement latency', () => runScenarioInChild(SCENARIOS.ack, SCENARIO_TIMEOUT_MS) as Promise<AckLatencyBenchResult>);
  if (only.has('rotation')) {
    // Two real charons (root, strongSwan): where they cannot run, the report says why instead of failing the bench.
    const support = strongswanSupport();
    if (support.ok) results.rotationDowntime = await attempt('outbound rotation between real charons', () => measureOutboundRotation({ runs: 5 }));
    else results.rotationNotRun = support.reason;
  }
  if (only.has('approval')) results.approval = await attempt('approval pipeline', () => runScenarioInChild(SCENARIOS.approval, 2 * SCENARIO_TIMEOUT_MS) as Promise<ApprovalBenchResult>);
  if (only.has('rotate-outbound')) results.rotateOutbound = await attempt('outbound rotation through the pipeline', () => runScenarioInChild(SCENARIOS['rotate-outbound'], 2 * SCENARIO_TIMEOUT_MS) as Promise<RotateOutboundBenchResult>);
  if (only.has('provision')) results.provision = await attempt('provision: preflight over 500 sites, bot overhead', () => runProvisionBench({ runs: 3 }));
  if (only.has('expiry')) results.expiry = await attempt('expiry report, 500 sites, posted to 20 channels', () => runScenarioInChild(SCENARIOS.expiry, SCENARIO_TIMEOUT_MS) as Promise<ExpiryBenchResult>);
  if (only.has('load')) results.load = await attempt('load, 50 people for 60 s', () => runScenarioInChild(SCENARIOS.load, 2 * SCENARIO_TIMEOUT_MS) as Promise<LoadBenchResult>);

  const cpuList = cpus();
  const report: BenchReport = {
    date,
    ...(revision ? { revision } : {}),
    durationSeconds: (performance.now() - started) / 1000,
    machine: { cpuCount: cpuList.length, cpuModel: cpuList[0]?.model.trim() ?? 'unknown', node: process.version, platform: `${platform()} ${release()}`, totalMemoryBytes: totalmem(), loadAverage: { atStart: loadAtStart, atEnd: loadavg() } },
    ...results,
    targets: evaluateTargets(results),
  };
  console.log(formatReport(report));
  // The committed results are the full run's; a partial run (--only) must not overwrite them with holes.
  const path = join(root, 'bench', only.size === BENCHMARKS.length ? 'results.json' : 'results.partial.json');
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`, 'utf8');
  console.log(`\nWrote ${path}`);
  const failed = Object.values(results).some((outcome) => typeof outcome === 'object' && !outcome.ok);
  if (failed) process.exitCode = 1;
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
