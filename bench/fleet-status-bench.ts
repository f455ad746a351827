import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FleetResult } from '../activities/activity-names';
import { buildSyntheticEstate, syntheticNames } from '../local/estate/synthetic-estate';
import { armThrottleLimits } from '../local/simulator/sim-throttle';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import type { BenchSandbox } from './bench-sandbox';
import type { ConnectorEvent } from './mock-connector';
import { startBenchSandbox } from './bench-sandbox';
import type { RequiredFleetReads, ThrottlingBound } from './bench-stats';
import { requiredFleetReads, throttlingBound } from './bench-stats';
import { fleetCardPhase } from './fleet-card-phase';
import type { PeakRss } from './peak-rss-meter';
import { startPeakRssMeter } from './peak-rss-meter';

export interface FleetStatusBenchOptions {
  readonly sites: number;
  readonly resourceGroups: number;
  /** Added to every Azure answer. */
  readonly latencyMs: number;
  /** Measured `status all` runs, each starting with a full ARM read bucket. */
  readonly runs: number;
  /** Items per ARM list page in the simulator (Azure's connection lists page at 50 here too). */
  readonly pageSize?: number;
  /** Longest a run may take before the benchmark gives up. */
  readonly runTimeoutMs?: number;
}

export interface FleetStatusRun {
  /** Message POSTed to the final fleet card at the connector with the orchestration Completed. */
  readonly wallMs: number;
  /** Message to the acknowledgement card. */
  readonly ackMs: number;
  /** Message to the first "collecting" fleet card; absent when the fleet was complete before the first one was due. */
  readonly firstProgressMs?: number;
  readonly progressCards: number;
  readonly orchestrationStatus: string;
  /** Every Azure call the simulator answered during the run (ARM, Key Vault), by RBAC operation. */
  readonly azureCalls: {
    readonly total: number;
    readonly byOperation: Readonly<Record<string, number>>;
    readonly byService: Readonly<Record<string, number>>;
    readonly byStatus: Readonly<Record<string, number>>;
  };
  readonly armReads: number;
  readonly throttled429: number;
  /** Largest card (attachment content JSON) and largest activity the connector received for this job. */
  readonly maxCardBytes: number;
  readonly maxActivityBytes: number;
  readonly cardsSeen: number;
  /** What the finished report said: every site in it, each one read, no gaps, is the benchmark's sanity check. */
  readonly reportedSites: number;
  /**
   * Rows whose connection could not be read (status Unknown: the read failed, e.g. still throttled after the SDK's
   * retries). A run that drops reads is not a faster run; the synthetic estate itself never reports Unknown.
   */
  readonly unreadConnections: number;
  readonly gaps: readonly string[];
  readonly memory: PeakRss;
}

export interface FleetStatusBenchResult {
  readonly sites: number;
  readonly resourceGroups: number;
  readonly latencyMs: number;
  readonly readBucket: { readonly capacity: number; readonly refillPerSecond: number };
  readonly required: RequiredFleetReads;
  readonly bound: ThrottlingBound;
  readonly startupMs: number;
  readonly runs: readonly FleetStatusRun[];
}

/**
 * `status all` over a synthetic estate, driven like production: a Teams message to /api/messages, the real app in the
 * local host, the real SDK clients against the simulator with added latency and ARM's read throttling. Before the
 * measured runs, one `help` and one single-site status warm the app (module loading, SDK clients, TLS, Table Storage),
 * and the ARM read bucket is given time to fill again, so each run starts as a warm app with its full allowance would.
 */
export async function runFleetStatusBench(options: FleetStatusBenchOptions): Promise<FleetStatusBenchResult> {
  const pageSize = options.pageSize ?? 50;
  const bucket = armThrottleLimits.reads;
  const startedAt = performance.now();
  const bench = await startBenchSandbox({
    estate: () => buildSyntheticEstate({ sites: options.sites, resourceGroups: options.resourceGroups }),
    latencyMs: options.latencyMs,
    throttling: true,
    pageSize,
  });
  try {
    const startupMs = performance.now() - startedAt;
    const info = bench.sandbox.simulator.estateInfo;
    const perGroup = info.resourceGroups.map((rg) => info.sites.filter((s) => s.resourceGroup === rg && s.connectionId !== undefined).length);
    const required = requiredFleetReads(perGroup, pageSize);
    const bound = throttlingBound(required.reads, bucket, required.sequentialCalls, options.latencyMs);

    await warmUp(bench, options.runTimeoutMs ?? 120_000);
    const runs: FleetStatusRun[] = [];
    for (let run = 0; run < options.runs; run++) {
      await waitForFullBucket(bench, bucket.refillPerSecond);
      runs.push(await measureRun(bench, options.runTimeoutMs ?? 120_000));
    }
    return { sites: options.sites, resourceGroups: options.resourceGroups, latencyMs: options.latencyMs, readBucket: bucket, required, bound, startupMs, runs };
  } finally {
    await bench.close();
  }
}

async function warmUp(bench: BenchSandbox, timeoutMs: number): Promise<void> {
  await bench.send('help');
  const before = new Set(bench.sandbox.host.durable.list().map((i) => i.instanceId));
  await bench.send(`status ${syntheticNames.site(5)}`);
  const job = bench.sandbox.host.durable.list().find((i) => !before.has(i.instanceId) && i.name === ORCHESTRATIONS.siteStatus);
  if (!job) throw new Error('The warm-up status message started no site status job.');
  const done = await bench.sandbox.host.durable.waitFor(job.instanceId, undefined, timeoutMs);
  if (done.runtimeStatus !== 'Completed') throw new Error(`The warm-up site status job ended ${done.runtimeStatus}.`);
  await bench.sandbox.host.durable.idle();
}

/**
 * The simulator's bucket is refilled continuously; waiting for the reads made so far (since the last reset) to be
 * paid back is enough for it to be full, whatever the bucket held before.
 */
async function waitForFullBucket(bench: BenchSandbox, refillPerSecond: number): Promise<void> {
  const reads = armReadsOf(bench);
  bench.sandbox.simulator.stats.reset();
  if (reads > 0) await sleep(Math.ceil((reads / refillPerSecond) * 1000) + 100);
}

function armReadsOf(bench: BenchSandbox): number {
  return bench.sandbox.simulator.stats.calls().filter((c) => c.service === 'arm' && c.method === 'GET').length;
}

async function measureRun(bench: BenchSandbox, timeoutMs: number): Promise<FleetStatusRun> {
  const { host, simulator } = bench.sandbox;
  const before = new Set(host.durable.list().map((i) => i.instanceId));
  const meter = startPeakRssMeter();
  const sent = await bench.send('status all', timeoutMs);
  const job = host.durable.list().find((i) => !before.has(i.instanceId) && i.name === ORCHESTRATIONS.fleetStatus);
  if (!job) {
    meter.stop();
    throw new Error('`status all` started no fleet status job (the acknowledgement card was not a job card).');
  }
  const finished = await host.durable.waitFor(job.instanceId, undefined, timeoutMs);
  const completedAt = performance.now();
  await host.durable.idle();
  const memory = meter.stop();

  const final = finished.runtimeStatus === 'Completed' ? await finalCard(bench, sent.ack.activityId, sent.postedAt) : undefined;
  const cardEvents = bench.connector.events().filter((e) => e.activityId === sent.ack.activityId && e.receivedAt >= sent.postedAt);
  const updates = cardEvents.filter((e) => e.kind === 'update');
  const progress = updates.filter((e) => fleetCardPhase(e.card) === 'collecting');
  const stats = simulator.stats.snapshot();
  const output = finished.output as Partial<FleetResult> | undefined;
  const lastAt = Math.max(completedAt, final?.receivedAt ?? completedAt);
  return {
    wallMs: lastAt - sent.postedAt,
    ackMs: sent.ack.receivedAt - sent.postedAt,
    ...(progress[0] ? { firstProgressMs: progress[0].receivedAt - sent.postedAt } : {}),
    progressCards: progress.length,
    orchestrationStatus: finished.runtimeStatus,
    azureCalls: { total: stats.total, byOperation: stats.byOperation, byService: stats.byService, byStatus: stats.byStatus },
    armReads: armReadsOf(bench),
    throttled429: stats.throttled,
    maxCardBytes: Math.max(0, ...cardEvents.flatMap((e) => e.cardBytes)),
    maxActivityBytes: Math.max(0, ...cardEvents.map((e) => e.activityBytes)),
    cardsSeen: cardEvents.length,
    reportedSites: output?.summary?.total ?? 0,
    unreadConnections: (output?.rows ?? []).filter((r) => r.status === 'Unknown').length,
    gaps: output?.gaps ?? [],
    memory,
  };
}

/**
 * The finished fleet card. The orchestration completes only after the activity that updated the card has, so the card
 * is normally recorded already; the short wait covers a connector request still being read when the job completes.
 */
async function finalCard(bench: BenchSandbox, activityId: string, since: number): Promise<ConnectorEvent> {
  try {
    return await bench.connector.waitFor((e) => e.kind === 'update' && e.activityId === activityId && e.receivedAt >= since && fleetCardPhase(e.card) === 'final', 10_000);
  } catch {
    throw new Error('The fleet status job completed but its card never showed the finished fleet.');
  }
}
