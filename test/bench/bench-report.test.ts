import { describe, expect, it } from 'vitest';
import type { ExpiryBenchResult } from '../../bench/expiry-bench';
import type { RotateOutboundBenchResult } from '../../bench/rotate-outbound-bench';
import type { AckLatencyBenchResult } from '../../bench/ack-latency-bench';
import type { ApprovalBenchResult } from '../../bench/approval-bench';
import type { LoadBenchResult } from '../../bench/load-bench';
import type { BenchResults, TargetVerdict } from '../../bench/bench-report';
import { evaluateTargets, formatReport } from '../../bench/bench-report';
import type { ColdStartBenchResult } from '../../bench/cold-start-bench';
import type { FleetStatusBenchResult, FleetStatusRun } from '../../bench/fleet-status-bench';
import type { IkeParseBenchResult } from '../../bench/ike-parse';

function run(over: Partial<FleetStatusRun> = {}): FleetStatusRun {
  return {
    wallMs: 700,
    ackMs: 15,
    progressCards: 0,
    orchestrationStatus: 'Completed',
    azureCalls: { total: 112, byOperation: { 'Microsoft.Network/connections/read': 110 }, byService: { arm: 110, keyvault: 2 }, byStatus: { '200': 112 } },
    armReads: 110,
    throttled429: 0,
    maxCardBytes: 9_800,
    maxActivityBytes: 10_400,
    cardsSeen: 2,
    reportedSites: 100,
    unreadConnections: 0,
    gaps: [],
    memory: { method: 'kernel', self: { pid: 1, name: 'bench process', startBytes: 150e6, peakBytes: 180e6 }, children: [] },
    ...over,
  };
}

function fleet(sites: number, boundSeconds: number, runs: FleetStatusRun[]): FleetStatusBenchResult {
  return {
    sites,
    resourceGroups: 10,
    latencyMs: 50,
    readBucket: { capacity: 250, refillPerSecond: 25 },
    required: { listCalls: 10, connectionGets: sites, reads: sites + 10, sequentialCalls: 2 },
    bound: { throttleSeconds: boundSeconds - 0.1, latencySeconds: 0.1, boundSeconds },
    startupMs: 4000,
    runs,
  };
}

const ike: IkeParseBenchResult = { lines: 100_000, seconds: 0.4, linesPerSecond: 250_000, roundSeconds: [0.4, 0.45, 0.5, 0.42, 0.41], medianLinesPerSecond: 238_095 };

function ack(p99: number): AckLatencyBenchResult {
  return {
    messages: 200,
    text: 'status site-paris',
    latencyMs: 50,
    startupMs: 4000,
    ack: { count: 200, p50: 9, p99, max: p99 + 5, mean: 12 },
    httpAnswer: { count: 200, p50: 20, p99: 140, max: 200, mean: 30 },
    ackSamples: [9],
    jobs: { started: 200, byStatus: { Completed: 200 }, drainMs: 15_000 },
    azureCalls: 1500,
    throttled429: 300,
  };
}

function approval(cardP99: number, pressP99: number, historyBytes: number): ApprovalBenchResult {
  return {
    requests: 100,
    latencyMs: 50,
    startupMs: 4000,
    planToApprovalCard: { count: 100, p50: cardP99 / 2, p99: cardP99, max: cardP99 + 5, mean: cardP99 / 2 },
    pressToRequesterCard: { count: 100, p50: pressP99 / 2, p99: pressP99, max: pressP99 + 5, mean: pressP99 / 2 },
    history: { bytes: historyBytes, events: 60 },
    outcomes: { done: 100 },
  };
}

function load(ackP99: number, lostMessages: number, startedTwice: number): LoadBenchResult {
  const latency = (p99: number) => ({ count: 1000, p50: p99 / 4, p99, max: p99 + 10, mean: p99 / 3 });
  return {
    people: 50,
    durationMs: 60_000,
    latencyMs: 50,
    startupMs: 9000,
    messages: { sent: 1400, answered: 1400 - lostMessages, redelivered: 70, byCommand: { status: 500 } },
    presses: { sent: 380, answered: 380, throughPlaygroundApi: 40, byVerb: { runCommand: 340 } },
    ack: latency(ackP99),
    ackSeen: latency(ackP99 - 20),
    press: latency(ackP99),
    lost: { messages: lostMessages, presses: 0, jobsNotEnded: 0, cardsNotUpdated: 0, examples: lostMessages > 0 ? ['message "status" answered 500'] : [] },
    jobs: { started: 680, byStatus: { Completed: 680 }, startedTwice, drainMs: 5000 },
    memory: { peak: { method: 'kernel', self: { pid: 1, name: 'node', startBytes: 1, peakBytes: 2 }, children: [] }, samples: [], heapGrowthSecondHalfMb: 3 },
    azureCalls: 6500,
    throttled429: 100,
  };
}

function rotation(overheadMs: number, downMs: number, historyBytes: number): RotateOutboundBenchResult {
  const run = { totalMs: 5000 + overheadMs, azureMs: 5000, overheadMs, readyToEndMs: 400, azureCalls: 30, downtime: [{ outages: 1, ms: downMs }, { outages: 1, ms: downMs }] };
  return { options: { rotations: 2, latencyMs: 50, connectionUpdateMs: 1500, tunnelSettleMs: 1000, logIngestionDelayMs: 1000 }, runs: [run, run], history: { bytes: historyBytes, events: 70 }, outcomes: { done: 2 } };
}

const good: BenchResults = {
  ikeParse: { ok: true, result: ike },
  fleetStatus100: { ok: true, result: fleet(100, 0.1, [run({ wallMs: 800 }), run({ wallMs: 700 }), run({ wallMs: 1400 })]) },
  fleetStatus500: { ok: true, result: fleet(500, 10.5, [run({ wallMs: 12_000, reportedSites: 500, throttled429: 116 })]) },
  ackLatency: { ok: true, result: ack(70) },
  coldStart: { ok: true, result: coldStart(240) },
  approval: { ok: true, result: approval(40, 90, 20_000) },
  load: { ok: true, result: load(600, 0, 0) },
  rotateOutbound: { ok: true, result: rotation(600, 1000, 30_000) },
  provision: { ok: true, result: { sites: 500, latencyMs: 50, preflightMs: [1100, 1200, 1900], overheadMs: [600, 700, 2900], overlapMicros: 40 } },
  expiry: { ok: true, result: expiry(1000, 20_000, 900) },
};

function expiry(wallMs: number, maxCardBytes: number, postingMs: number): ExpiryBenchResult {
  return {
    sites: 500,
    resourceGroups: 10,
    latencyMs: 50,
    required: { armListCalls: 10, keyVaultReads: 500, sequentialCalls: 18 },
    bound: { throttleSeconds: 0, latencySeconds: 0.9, boundSeconds: 0.9 },
    wallMs,
    runsMs: [wallMs - 50, wallMs, wallMs + 80],
    appBusyMs: wallMs / 2,
    simulatorBusyMs: wallMs / 4,
    azureCalls: { armReads: 10, keyVaultReads: 500, throttled429: 0 },
    maxCardBytes,
    rowsReported: 25,
    postingMs,
    posted: 20,
    deliveryWallMs: postingMs + 500,
  };
}

function coldStart(bundledMs: number): ColdStartBenchResult {
  const samples = (ms: number) => Array.from({ length: 10 }, (_, i) => ({ wallMs: ms + i - 5, cpuMs: ms, sinceProcessStartMs: ms + 20, functions: 13 }));
  const variant = (ms: number) => ({ samples: samples(ms), medianWallMs: ms, medianCpuMs: ms });
  return { runs: 10, functions: 13, bundled: variant(bundledMs), unbundled: variant(530), bundleFiles: { 'index.js': 3_615_090 }, packageZipBytes: 1_331_000 };
}

const verdict = (verdicts: TargetVerdict[], id: TargetVerdict['id']) => verdicts.find((v) => v.id === id)!;

describe('evaluateTargets', () => {
  it('meets every target when the numbers are inside them (the 100-site target is on the median run)', () => {
    const verdicts = evaluateTargets(good);
    expect(verdicts.map((v) => [v.id, v.verdict])).toEqual([
      ['fleet-100-wall', 'met'],
      ['fleet-500-bound', 'met'],
      ['fleet-card-size', 'met'],
      ['ike-parse-rate', 'met'],
      ['ack-p99', 'met'],
      ['cold-start', 'met'],
      ['approval-card-p99', 'met'],
      ['approval-press-p99', 'met'],
      ['change-history-size', 'met'],
      ['rotation-overhead', 'met'],
      ['rotation-downtime', 'met'],
      ['rotation-history-size', 'met'],
      ['provision-preflight', 'met'],
      ['provision-overhead', 'met'],
      ['load-ack-p99', 'met'],
      ['load-nothing-lost', 'met'],
      ['load-no-job-twice', 'met'],
      ['expiry-bound', 'met'],
      ['expiry-card-size', 'met'],
      ['expiry-posting', 'met'],
    ]);
    expect(verdict(verdicts, 'fleet-500-bound').measured).toMatch(/^1\.14x/);
  });

  it('misses each target that a number is outside of, and says by how much', () => {
    const verdicts = evaluateTargets({
      ikeParse: { ok: true, result: { ...ike, linesPerSecond: 150_000 } },
      fleetStatus100: { ok: true, result: fleet(100, 0.1, [run({ wallMs: 1200 }), run({ wallMs: 1000 }), run({ wallMs: 900 })]) },
      fleetStatus500: { ok: true, result: fleet(500, 10.5, [run({ wallMs: 12_700, reportedSites: 500, maxCardBytes: 28 * 1024 })]) },
      ackLatency: { ok: true, result: ack(1000) },
      coldStart: { ok: true, result: coldStart(301) },
      approval: { ok: true, result: approval(1001, 1200, 40_000) },
      load: { ok: true, result: load(1001, 1, 2) },
      rotateOutbound: { ok: true, result: rotation(2001, 2500, 40_000) },
      provision: { ok: true, result: { sites: 500, latencyMs: 50, preflightMs: [2100, 2001, 1500], overheadMs: [3001, 3100, 100], overlapMicros: 40 } },
      expiry: { ok: true, result: expiry(1100, 29_000, 2001) },
    });
    expect(verdicts.every((v) => v.verdict === 'not met')).toBe(true);
    expect(verdict(verdicts, 'expiry-bound').reason).toBe('1.22x the bound');
    expect(verdict(verdicts, 'rotation-overhead').reason).toBe('worst 2001 ms');
    expect(verdict(verdicts, 'cold-start').reason).toBe('median 301 ms');
    expect(verdict(verdicts, 'approval-press-p99').reason).toBe('p99 1200 ms');
    expect(verdict(verdicts, 'fleet-500-bound').reason).toBe('1.21x the bound');
    expect(verdict(verdicts, 'fleet-card-size').reason).toBe('a card of 28672 bytes');
    expect(verdict(verdicts, 'load-nothing-lost').reason).toBe('message "status" answered 500');
    expect(verdict(verdicts, 'load-no-job-twice').reason).toBe('2 jobs');
    expect(verdict(verdicts, 'provision-preflight').reason).toBe('median 2001 ms');
    expect(verdict(verdicts, 'provision-overhead').reason).toBe('median 3001 ms');
  });

  it('does not count a fast run whose report was incomplete', () => {
    const verdicts = evaluateTargets({
      fleetStatus100: { ok: true, result: fleet(100, 0.1, [run({ wallMs: 300, reportedSites: 75, gaps: ['Could not read 25 connection(s)'] })]) },
      fleetStatus500: { ok: true, result: fleet(500, 10.5, [run({ wallMs: 2_000, orchestrationStatus: 'Failed', reportedSites: 0 })]) },
    });
    expect(verdict(verdicts, 'fleet-100-wall')).toMatchObject({ verdict: 'not met', reason: 'the report held 75 of 100 sites' });
    expect(verdict(verdicts, 'fleet-500-bound')).toMatchObject({ verdict: 'not met', reason: 'the job ended Failed' });
  });

  it('does not count a run under the bound that gave up on throttled reads', () => {
    const verdicts = evaluateTargets({ fleetStatus500: { ok: true, result: fleet(500, 10.5, [run({ wallMs: 10_200, reportedSites: 500, unreadConnections: 11 })]) } });
    expect(verdict(verdicts, 'fleet-500-bound')).toMatchObject({ verdict: 'not met', reason: '11 connection(s) could not be read' });
  });

  it('marks targets of benchmarks that could not run, or were not selected, as not run', () => {
    const verdicts = evaluateTargets({ ackLatency: { ok: false, error: 'Azurite: not ready after 20000 ms.\nstack' } });
    expect(verdict(verdicts, 'ack-p99')).toMatchObject({ verdict: 'not run', reason: 'Azurite: not ready after 20000 ms.' });
    expect(verdict(verdicts, 'ike-parse-rate')).toMatchObject({ verdict: 'not run', reason: 'not selected' });
    expect(verdict(verdicts, 'fleet-card-size').verdict).toBe('not run');
  });
});

describe('formatReport', () => {
  it('prints the target table and each benchmark\'s detail', () => {
    const text = formatReport({
      ...good,
      date: '2026-01-01T00:00:00.000Z',
      durationSeconds: 70,
      machine: { cpuCount: 2, cpuModel: 'Test CPU', node: 'v22.0.0', platform: 'linux', totalMemoryBytes: 8 * 1024 ** 3 },
      targets: evaluateTargets(good),
    });
    expect(text).toContain('2 CPU (Test CPU), Node v22.0.0');
    expect(text).toMatch(/100 sites: message to final card < 1000 ms \(median of runs\)\s+800 ms \(runs: 800 ms, 700 ms, 1400 ms\)\s+met/);
    expect(text).toContain('required ARM reads 510 (10 list + 500 GET), 2 in sequence -> bound 10.50 s');
    expect(text).toContain('ack p50 9.0 / p99 70.0');
    expect(text).toContain('Memory: peak RSS during the 500-site run 172 MB');
    expect(text).toMatch(/cold start of the deployed bundle <= 300 ms \(median of 10 fresh processes\)\s+240 ms \(CPU 240 ms\); unbundled dist\/ 530 ms/);
    expect(text).toContain('package azd ships: index.js 3.45 MB; zipped 1.27 MB');
  });
});
