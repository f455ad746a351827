import type { AckLatencyBenchResult } from './ack-latency-bench';
import type { ApprovalBenchResult } from './approval-bench';
import type { RotateOutboundBenchResult } from './rotate-outbound-bench';
import type { ProvisionBenchResult } from './provision-bench';
import type { ExpiryBenchResult } from './expiry-bench';
import type { LatencySummary } from './bench-stats';
import { median } from './bench-stats';
import type { ColdStartBenchResult } from './cold-start-bench';
import type { FleetStatusBenchResult, FleetStatusRun } from './fleet-status-bench';
import type { IkeParseBenchResult } from './ike-parse';
import type { LoadBenchResult } from './load-bench';
import { IKE_PARSE_ROUNDS } from './ike-parse';
import type { RotationMeasurement } from '../local/strongswan/rotation';

export interface MachineInfo {
  readonly cpuCount: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly totalMemoryBytes: number;
  /** 1, 5 and 15 minute load averages when the run started and ended: other work on the machine shows here. */
  readonly loadAverage?: { readonly atStart: readonly number[]; readonly atEnd: readonly number[] };
}

/** A benchmark's result, or why it could not run. */
export type BenchOutcome<T> = { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: string };

export interface BenchResults {
  readonly ikeParse?: BenchOutcome<IkeParseBenchResult>;
  readonly fleetStatus100?: BenchOutcome<FleetStatusBenchResult>;
  readonly fleetStatus500?: BenchOutcome<FleetStatusBenchResult>;
  readonly ackLatency?: BenchOutcome<AckLatencyBenchResult>;
  /** Outbound rotation between two real charons; absent where strongSwan cannot run (see `rotationNotRun`). */
  readonly rotationDowntime?: BenchOutcome<RotationMeasurement>;
  /** Why the rotation benchmark did not run on this machine. */
  readonly rotationNotRun?: string;
  readonly coldStart?: BenchOutcome<ColdStartBenchResult>;
  readonly approval?: BenchOutcome<ApprovalBenchResult>;
  readonly load?: BenchOutcome<LoadBenchResult>;
  /** rotate <site> outbound through the pipeline (issue 9): the bot's overhead, tunnel downtime, history size. */
  readonly rotateOutbound?: BenchOutcome<RotateOutboundBenchResult>;
  /** provision (issue 10): the preflight over 500 sites, and the bot's own time per provisioning. */
  readonly provision?: BenchOutcome<ProvisionBenchResult>;
  /** The expiry report over 500 sites and the daily run to 20 channels (issue 11). */
  readonly expiry?: BenchOutcome<ExpiryBenchResult>;
}

export type Verdict = 'met' | 'not met' | 'not run';

export interface TargetVerdict {
  readonly id: 'fleet-100-wall' | 'fleet-500-bound' | 'fleet-card-size' | 'ike-parse-rate' | 'ack-p99' | 'cold-start' | 'approval-card-p99' | 'approval-press-p99' | 'change-history-size' | 'load-ack-p99' | 'load-nothing-lost' | 'load-no-job-twice' | 'rotation-overhead' | 'rotation-downtime' | 'rotation-history-size' | 'provision-preflight' | 'provision-overhead' | 'expiry-bound' | 'expiry-card-size' | 'expiry-posting';
  readonly target: string;
  readonly measured: string;
  readonly verdict: Verdict;
  /** Why a target was not met or not measured. */
  readonly reason?: string;
}

/** The code measured: the commit, and whether product files differed from it (others' work in progress). */
export interface MeasuredRevision {
  readonly commit: string;
  readonly uncommittedProductFiles: readonly string[];
}

export interface BenchReport extends BenchResults {
  readonly date: string;
  readonly revision?: MeasuredRevision;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly targets: readonly TargetVerdict[];
}

export const TARGETS = {
  fleet100WallMs: 1000,
  fleet500BoundRatio: 1.2,
  cardBytes: 28 * 1024,
  ikeLinesPerSecond: 200_000,
  ackP99Ms: 1000,
  coldStartMs: 300,
  approvalCardP99Ms: 1000,
  approvalPressP99Ms: 1000,
  changeHistoryBytes: 32 * 1024,
  rotationOverheadMs: 2000,
  rotationHistoryBytes: 32 * 1024,
  provisionPreflightMs: 2000,
  provisionOverheadMs: 3000,
  expiryBoundRatio: 1.2,
  expiryPostingMs: 2000,
} as const;

/** Why a run's timing says nothing about the product's speed: the job did not finish with the whole fleet in it. */
export function incompleteRun(run: FleetStatusRun, sites: number): string | undefined {
  if (run.orchestrationStatus !== 'Completed') return `the job ended ${run.orchestrationStatus}`;
  if (run.reportedSites !== sites) return `the report held ${run.reportedSites} of ${sites} sites`;
  if (run.unreadConnections > 0) return `${run.unreadConnections} connection(s) could not be read`;
  if (run.gaps.length > 0) return `the report had gaps: ${run.gaps.join('; ')}`;
  return undefined;
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function notRun(id: TargetVerdict['id'], target: string, outcome: BenchOutcome<unknown> | undefined): TargetVerdict {
  return { id, target, measured: '-', verdict: 'not run', reason: outcome && !outcome.ok ? firstLine(outcome.error) : 'not selected' };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

/** Each target as met / not met / not run, with what was measured against it. */
export function evaluateTargets(results: BenchResults): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];

  const f100 = results.fleetStatus100;
  const t100 = `100 sites: message to final card < ${ms(TARGETS.fleet100WallMs)} (median of runs)`;
  if (f100?.ok && f100.result.runs.length > 0) {
    const walls = f100.result.runs.map((r) => r.wallMs);
    const wall = median(walls);
    const broken = f100.result.runs.map((r) => incompleteRun(r, f100.result.sites)).find((x) => x !== undefined);
    const measured = `${ms(wall)} (runs: ${walls.map(ms).join(', ')})`;
    verdicts.push(
      broken
        ? { id: 'fleet-100-wall', target: t100, measured, verdict: 'not met', reason: broken }
        : wall < TARGETS.fleet100WallMs
          ? { id: 'fleet-100-wall', target: t100, measured, verdict: 'met' }
          : { id: 'fleet-100-wall', target: t100, measured, verdict: 'not met', reason: `median ${ms(wall)} is over the target` },
    );
  } else verdicts.push(notRun('fleet-100-wall', t100, f100));

  const f500 = results.fleetStatus500;
  const t500 = `500 sites: wall time within ${TARGETS.fleet500BoundRatio}x of the throttling bound`;
  if (f500?.ok && f500.result.runs.length > 0) {
    const bound = f500.result.bound.boundSeconds * 1000;
    const ratio = median(f500.result.runs.map((r) => r.wallMs)) / bound;
    const broken = f500.result.runs.map((r) => incompleteRun(r, f500.result.sites)).find((x) => x !== undefined);
    const measured = `${ratio.toFixed(2)}x (${f500.result.runs.map((r) => ms(r.wallMs)).join(', ')} vs bound ${ms(bound)})`;
    verdicts.push(
      broken
        ? { id: 'fleet-500-bound', target: t500, measured, verdict: 'not met', reason: broken }
        : ratio <= TARGETS.fleet500BoundRatio
          ? { id: 'fleet-500-bound', target: t500, measured, verdict: 'met' }
          : { id: 'fleet-500-bound', target: t500, measured, verdict: 'not met', reason: `${ratio.toFixed(2)}x the bound` },
    );
  } else verdicts.push(notRun('fleet-500-bound', t500, f500));

  const tCard = `every fleet card < ${kb(TARGETS.cardBytes)}`;
  const fleetRuns = [f100, f500].flatMap((o) => (o?.ok ? o.result.runs : []));
  if (fleetRuns.length > 0) {
    const largest = Math.max(...fleetRuns.map((r) => r.maxCardBytes));
    const measured = `largest ${largest} B (${kb(largest)}) over ${fleetRuns.reduce((n, r) => n + r.cardsSeen, 0)} cards`;
    verdicts.push(
      largest < TARGETS.cardBytes
        ? { id: 'fleet-card-size', target: tCard, measured, verdict: 'met' }
        : { id: 'fleet-card-size', target: tCard, measured, verdict: 'not met', reason: `a card of ${largest} bytes` },
    );
  } else verdicts.push(notRun('fleet-card-size', tCard, f100?.ok === false ? f100 : f500));

  const ike = results.ikeParse;
  const tIke = `IKE parsing >= ${TARGETS.ikeLinesPerSecond.toLocaleString('en-US')} lines/s (best of ${IKE_PARSE_ROUNDS})`;
  if (ike?.ok) {
    const measured = `best ${ike.result.linesPerSecond.toLocaleString('en-US')}, median ${ike.result.medianLinesPerSecond.toLocaleString('en-US')} lines/s`;
    verdicts.push(
      ike.result.linesPerSecond >= TARGETS.ikeLinesPerSecond
        ? { id: 'ike-parse-rate', target: tIke, measured, verdict: 'met' }
        : { id: 'ike-parse-rate', target: tIke, measured, verdict: 'not met', reason: 'the fastest round is below the target' },
    );
  } else verdicts.push(notRun('ike-parse-rate', tIke, ike));

  const ack = results.ackLatency;
  const tAck = `acknowledgement card p99 < ${ms(TARGETS.ackP99Ms)}`;
  if (ack?.ok) {
    const a = ack.result.ack;
    const measured = `p50 ${a.p50.toFixed(1)} ms, p99 ${a.p99.toFixed(1)} ms, max ${a.max.toFixed(1)} ms (${a.count} messages)`;
    verdicts.push(
      a.p99 < TARGETS.ackP99Ms
        ? { id: 'ack-p99', target: tAck, measured, verdict: 'met' }
        : { id: 'ack-p99', target: tAck, measured, verdict: 'not met', reason: `p99 ${a.p99.toFixed(0)} ms` },
    );
  } else verdicts.push(notRun('ack-p99', tAck, ack));

  const cold = results.coldStart;
  const tCold = `cold start of the deployed bundle <= ${ms(TARGETS.coldStartMs)} (median of ${cold?.ok ? cold.result.runs : 10} fresh processes)`;
  if (cold?.ok) {
    const b = cold.result.bundled;
    const measured = `${ms(b.medianWallMs)} (CPU ${ms(b.medianCpuMs)}); unbundled dist/ ${ms(cold.result.unbundled.medianWallMs)} (CPU ${ms(cold.result.unbundled.medianCpuMs)})`;
    verdicts.push(
      b.medianWallMs <= TARGETS.coldStartMs
        ? { id: 'cold-start', target: tCold, measured, verdict: 'met' }
        : { id: 'cold-start', target: tCold, measured, verdict: 'not met', reason: `median ${ms(b.medianWallMs)}` },
    );
  } else verdicts.push(notRun('cold-start', tCold, cold));
  const approval = results.approval;
  const tApprovalCard = `plan card -> approval card visible to approvers p99 <= ${ms(TARGETS.approvalCardP99Ms)}`;
  const tPress = `approval press -> requester's card updated p99 <= ${ms(TARGETS.approvalPressP99Ms)}`;
  const tHistory = `history of one approved change <= ${kb(TARGETS.changeHistoryBytes)} (goal)`;
  if (approval?.ok) {
    const r = approval.result;
    const latency = (id: 'approval-card-p99' | 'approval-press-p99', target: string, s: LatencySummary, limit: number): TargetVerdict => {
      const measured = `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms (${s.count} changes)`;
      return s.p99 <= limit ? { id, target, measured, verdict: 'met' } : { id, target, measured, verdict: 'not met', reason: `p99 ${s.p99.toFixed(0)} ms` };
    };
    verdicts.push(latency('approval-card-p99', tApprovalCard, r.planToApprovalCard, TARGETS.approvalCardP99Ms));
    verdicts.push(latency('approval-press-p99', tPress, r.pressToRequesterCard, TARGETS.approvalPressP99Ms));
    const measured = `${r.history.bytes} B (${kb(r.history.bytes)}), ${r.history.events} events`;
    verdicts.push(r.history.bytes <= TARGETS.changeHistoryBytes ? { id: 'change-history-size', target: tHistory, measured, verdict: 'met' } : { id: 'change-history-size', target: tHistory, measured, verdict: 'not met', reason: `${kb(r.history.bytes)}` });
  } else {
    verdicts.push(notRun('approval-card-p99', tApprovalCard, approval), notRun('approval-press-p99', tPress, approval), notRun('change-history-size', tHistory, approval));
  }
  const pipelineRotation = results.rotateOutbound;
  const tOverhead = `bot overhead per outbound rotation (all but the simulator's modelled Azure time) <= ${ms(TARGETS.rotationOverheadMs)}`;
  const tDowntime = 'tunnel downtime during a rotation = one renegotiation';
  const tRotationHistory = `history of one rotation <= ${kb(TARGETS.rotationHistoryBytes)}`;
  if (pipelineRotation?.ok) {
    const r = pipelineRotation.result;
    const worst = Math.max(...r.runs.map((x) => x.overheadMs));
    const overheads = r.runs.map((x) => `${ms(x.overheadMs)}`).join(', ');
    verdicts.push(
      worst <= TARGETS.rotationOverheadMs
        ? { id: 'rotation-overhead', target: tOverhead, measured: `${overheads} (${r.runs.length} rotations)`, verdict: 'met' }
        : { id: 'rotation-overhead', target: tOverhead, measured: `${overheads} (${r.runs.length} rotations)`, verdict: 'not met', reason: `worst ${ms(worst)}` },
    );
    const settle = r.options.tunnelSettleMs;
    const oneEach = r.runs.every((x) => x.downtime.every((t) => t.outages === 1 && Math.abs(t.ms - settle) <= Math.max(200, settle * 0.25)));
    const measured = r.runs.map((x) => x.downtime.map((t) => `${t.outages}x ${t.ms} ms`).join(' / ')).join('; ');
    verdicts.push(oneEach ? { id: 'rotation-downtime', target: tDowntime, measured: `${measured} (renegotiation ${settle} ms)`, verdict: 'met' } : { id: 'rotation-downtime', target: tDowntime, measured, verdict: 'not met', reason: `renegotiation is ${settle} ms` });
    const hist = `${r.history.bytes} B (${kb(r.history.bytes)}), ${r.history.events} events`;
    verdicts.push(r.history.bytes <= TARGETS.rotationHistoryBytes ? { id: 'rotation-history-size', target: tRotationHistory, measured: hist, verdict: 'met' } : { id: 'rotation-history-size', target: tRotationHistory, measured: hist, verdict: 'not met', reason: kb(r.history.bytes) });
  } else {
    verdicts.push(notRun('rotation-overhead', tOverhead, pipelineRotation), notRun('rotation-downtime', tDowntime, pipelineRotation), notRun('rotation-history-size', tRotationHistory, pipelineRotation));
  }

  const provision = results.provision;
  const tPreflight = `provision: preflight over a scope of 500 sites (overlap check included, ${provision?.ok ? provision.result.latencyMs : 50} ms Azure latency per call) <= ${ms(TARGETS.provisionPreflightMs)} (median)`;
  const tProvisionOverhead = `provision: the bot's own time per provisioning (plan and every apply step, Azure answering at once) <= ${ms(TARGETS.provisionOverheadMs)} (median)`;
  if (provision?.ok) {
    const r = provision.result;
    const preflight = median(r.preflightMs);
    const overhead = median(r.overheadMs);
    const pMeasured = `${ms(preflight)} (runs: ${r.preflightMs.map(ms).join(', ')}; overlap sweep alone ${r.overlapMicros.toFixed(0)} µs)`;
    const oMeasured = `${ms(overhead)} (runs: ${r.overheadMs.map(ms).join(', ')})`;
    verdicts.push(preflight <= TARGETS.provisionPreflightMs ? { id: 'provision-preflight', target: tPreflight, measured: pMeasured, verdict: 'met' } : { id: 'provision-preflight', target: tPreflight, measured: pMeasured, verdict: 'not met', reason: `median ${ms(preflight)}` });
    verdicts.push(overhead <= TARGETS.provisionOverheadMs ? { id: 'provision-overhead', target: tProvisionOverhead, measured: oMeasured, verdict: 'met' } : { id: 'provision-overhead', target: tProvisionOverhead, measured: oMeasured, verdict: 'not met', reason: `median ${ms(overhead)}` });
  } else verdicts.push(notRun('provision-preflight', tPreflight, provision), notRun('provision-overhead', tProvisionOverhead, provision));

  const load = results.load;
  const tLoadAck = `50 people for 60 s: acknowledgement p99 <= ${ms(TARGETS.ackP99Ms)} (HTTP answer and card seen in the client)`;
  const tLost = '50 people for 60 s: no message or press lost, every job ended and its card changed';
  const tTwice = '50 people for 60 s: no job started twice (5 % of messages delivered twice)';
  if (load?.ok) {
    const r = load.result;
    const worst = Math.max(r.ack.p99, r.ackSeen.p99);
    const measuredAck = `HTTP p50 ${r.ack.p50.toFixed(0)} / p99 ${r.ack.p99.toFixed(0)} ms; card seen p50 ${r.ackSeen.p50.toFixed(0)} / p99 ${r.ackSeen.p99.toFixed(0)} ms; presses p99 ${r.press.p99.toFixed(0)} ms`;
    verdicts.push(worst <= TARGETS.ackP99Ms ? { id: 'load-ack-p99', target: tLoadAck, measured: measuredAck, verdict: 'met' } : { id: 'load-ack-p99', target: tLoadAck, measured: measuredAck, verdict: 'not met', reason: `p99 ${worst.toFixed(0)} ms` });
    const lost = r.lost.messages + r.lost.presses + r.lost.jobsNotEnded + r.lost.cardsNotUpdated;
    const measuredLost = `${r.messages.sent} messages, ${r.presses.sent} presses, ${r.jobs.started} jobs: ${lost} lost`;
    verdicts.push(lost === 0 ? { id: 'load-nothing-lost', target: tLost, measured: measuredLost, verdict: 'met' } : { id: 'load-nothing-lost', target: tLost, measured: measuredLost, verdict: 'not met', reason: r.lost.examples[0] ?? `${lost} lost` });
    const measuredTwice = `${r.messages.redelivered} redelivered, ${r.jobs.startedTwice} started twice`;
    verdicts.push(r.jobs.startedTwice === 0 ? { id: 'load-no-job-twice', target: tTwice, measured: measuredTwice, verdict: 'met' } : { id: 'load-no-job-twice', target: tTwice, measured: measuredTwice, verdict: 'not met', reason: `${r.jobs.startedTwice} jobs` });
  } else verdicts.push(notRun('load-ack-p99', tLoadAck, load), notRun('load-nothing-lost', tLost, load), notRun('load-no-job-twice', tTwice, load));

  const expiry = results.expiry;
  const tExpiryBound = `expiry, 500 sites: message to report within ${TARGETS.expiryBoundRatio}x of the throttling bound of its reads`;
  const tExpiryCard = `expiry: largest card <= ${kb(TARGETS.cardBytes)}`;
  const tExpiryPosting = `daily report to 20 channels: posted <= ${ms(TARGETS.expiryPostingMs)} after the fleet is read`;
  if (expiry?.ok) {
    const e = expiry.result;
    const bound = e.bound.boundSeconds * 1000;
    const ratio = e.wallMs / bound;
    const spread = e.runsMs.length > 1 ? ` median of ${e.runsMs.length}, ${ms(Math.min(...e.runsMs))}-${ms(Math.max(...e.runsMs))};` : '';
    const busy = ` app's event loop busy ${ms(e.appBusyMs)}, simulator's ${ms(e.simulatorBusyMs)};`;
    const measured = `${ratio.toFixed(2)}x (${ms(e.wallMs)}${spread} vs bound ${ms(bound)}: ${e.required.armListCalls} ARM list calls, ${e.required.keyVaultReads} Key Vault reads;${busy} made ${e.azureCalls.armReads} ARM and ${e.azureCalls.keyVaultReads} Key Vault reads)`;
    verdicts.push(ratio <= TARGETS.expiryBoundRatio ? { id: 'expiry-bound', target: tExpiryBound, measured, verdict: 'met' } : { id: 'expiry-bound', target: tExpiryBound, measured, verdict: 'not met', reason: `${ratio.toFixed(2)}x the bound` });
    verdicts.push(e.maxCardBytes <= TARGETS.cardBytes ? { id: 'expiry-card-size', target: tExpiryCard, measured: kb(e.maxCardBytes), verdict: 'met' } : { id: 'expiry-card-size', target: tExpiryCard, measured: kb(e.maxCardBytes), verdict: 'not met', reason: kb(e.maxCardBytes) });
    const posting = `${ms(e.postingMs)} (${e.posted} posted; whole run ${ms(e.deliveryWallMs)})`;
    verdicts.push(e.postingMs <= TARGETS.expiryPostingMs ? { id: 'expiry-posting', target: tExpiryPosting, measured: posting, verdict: 'met' } : { id: 'expiry-posting', target: tExpiryPosting, measured: posting, verdict: 'not met', reason: ms(e.postingMs) });
  } else verdicts.push(notRun('expiry-bound', tExpiryBound, expiry), notRun('expiry-card-size', tExpiryCard, expiry), notRun('expiry-posting', tExpiryPosting, expiry));

  return verdicts;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((r) => (r[column] ?? '').length)));
  return rows.map((r) => r.map((cell, column) => (column === r.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n');
}

function fleetDetails(label: string, outcome: BenchOutcome<FleetStatusBenchResult> | undefined): string[] {
  if (!outcome) return [];
  if (!outcome.ok) return [`${label}: could not run: ${firstLine(outcome.error)}`];
  const r = outcome.result;
  const lines = [
    `${label}: ${r.sites} sites in ${r.resourceGroups} resource groups, +${r.latencyMs} ms per Azure call, ARM reads ${r.readBucket.capacity} @ ${r.readBucket.refillPerSecond}/s` +
      ` (sandbox up in ${ms(r.startupMs)})`,
    `  required ARM reads ${r.required.reads} (${r.required.listCalls} list + ${r.required.connectionGets} GET), ${r.required.sequentialCalls} in sequence` +
      ` -> bound ${r.bound.boundSeconds.toFixed(2)} s (${r.bound.throttleSeconds.toFixed(2)} s throttling + ${r.bound.latencySeconds.toFixed(2)} s latency)`,
  ];
  r.runs.forEach((run, i) => {
    const ops = Object.entries(run.azureCalls.byOperation)
      .sort((a, b) => b[1] - a[1])
      .map(([op, n]) => `${n} ${op.replace(/^Microsoft\./, '')}`)
      .join(', ');
    const broken = incompleteRun(run, r.sites);
    lines.push(
      `  run ${i + 1}: final card ${ms(run.wallMs)} (${(run.wallMs / 1000 / Math.max(r.bound.boundSeconds, 1e-9)).toFixed(2)}x bound), ack ${ms(run.ackMs)}, ` +
        `first progress card ${run.firstProgressMs !== undefined ? ms(run.firstProgressMs) : 'none (done before one was due)'}, ${run.progressCards} progress card(s)`,
      `         Azure calls ${run.azureCalls.total}: ${ops}; ARM reads ${run.armReads}, 429s ${run.throttled429}; by status ${Object.entries(run.azureCalls.byStatus)
        .map(([status, n]) => `${status}: ${n}`)
        .join(', ')}`,
      `         cards: largest ${run.maxCardBytes} B (activity ${run.maxActivityBytes} B) of ${run.cardsSeen}; peak RSS ${mb(run.memory.self.peakBytes)} ` +
        `(from ${mb(run.memory.self.startBytes)}, ${run.memory.method})${run.memory.children.map((c) => `, ${c.name} ${mb(c.peakBytes)}`).join('')}` +
        `${broken ? `; INCOMPLETE: ${broken}` : ''}`,
    );
  });
  return lines;
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MB`;
}

/** The readable report `npm run bench` prints. */
export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const m = report.machine;
  lines.push(`npm run bench  ${report.date}  ${m.cpuCount} CPU (${m.cpuModel}), Node ${m.node}, ${m.platform}, ${mb(m.totalMemoryBytes)} RAM  (${report.durationSeconds.toFixed(0)} s)`);
  if (m.loadAverage) lines.push(`load average ${m.loadAverage.atStart.map((l) => l.toFixed(1)).join(' ')} at the start, ${m.loadAverage.atEnd.map((l) => l.toFixed(1)).join(' ')} at the end (${m.cpuCount} CPUs)`);
  if (report.revision) {
    const changed = report.revision.uncommittedProductFiles;
    lines.push(`commit ${report.revision.commit.slice(0, 12)}${changed.length > 0 ? ` with uncommitted changes to ${changed.length} product file(s): ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', …' : ''}` : ''}`);
  }
  lines.push('');
  lines.push(table([['target', 'measured', 'verdict'], ...report.targets.map((t) => [t.target, t.measured, t.verdict + (t.reason ? ` (${t.reason})` : '')])]), '');
  lines.push(...fleetDetails('Fleet status, 100 sites', report.fleetStatus100));
  lines.push(...fleetDetails('Fleet status, 500 sites', report.fleetStatus500));
  const ike = report.ikeParse;
  if (ike?.ok) {
    const r = ike.result;
    lines.push(`IKE parsing: ${r.lines.toLocaleString('en-US')} lines; rounds ${r.roundSeconds.map((s) => `${(s * 1000).toFixed(0)} ms`).join(', ')}`);
  } else if (ike) lines.push(`IKE parsing: could not run: ${firstLine(ike.error)}`);
  const ack = report.ackLatency;
  if (ack?.ok) {
    const r = ack.result;
    lines.push(
      `Acknowledgement: ${r.messages} x "${r.text}" sequential, +${r.latencyMs} ms per Azure call; ack p50 ${r.ack.p50.toFixed(1)} / p99 ${r.ack.p99.toFixed(1)} / max ${r.ack.max.toFixed(1)} ms;` +
        ` HTTP answer p50 ${r.httpAnswer.p50.toFixed(1)} / p99 ${r.httpAnswer.p99.toFixed(1)} ms`,
      `  background jobs ${r.jobs.started}: ${Object.entries(r.jobs.byStatus).map(([s, n]) => `${n} ${s}`).join(', ')} (drained ${ms(r.jobs.drainMs)} after the last message); Azure calls ${r.azureCalls}, 429s ${r.throttled429}`,
    );
  } else if (ack) lines.push(`Acknowledgement: could not run: ${firstLine(ack.error)}`);
  const rotation = report.rotationDowntime;
  if (rotation?.ok) {
    const runs = rotation.result.runs.map((r) => r.downtimeMs);
    lines.push(
      `Outbound rotation between two real charons (config switch to CHILD_SA up): median ${median(runs).toFixed(0)} ms; runs ${runs.map((v) => `${v.toFixed(0)} ms`).join(', ')};` +
        ` the unchanged device reconnected: ${rotation.result.deviceReconnected ? `yes, IKE in ${rotation.result.deviceReconnectMs.toFixed(0)} ms` : 'NO'}`,
    );
  } else if (rotation) lines.push(`Outbound rotation: could not run: ${firstLine(rotation.error)}`);
  else if (report.rotationNotRun) lines.push(`Outbound rotation: not run here: ${report.rotationNotRun}`);
  const cold = report.coldStart;
  if (cold?.ok) {
    const r = cold.result;
    const files = Object.entries(r.bundleFiles).map(([f, bytes]) => `${f} ${(bytes / (1024 * 1024)).toFixed(2)} MB`).join(', ');
    lines.push(
      `Cold start: ${r.runs} fresh processes each, ${r.functions} functions registered; bundle wall ${r.bundled.samples.map((s) => Math.round(s.wallMs)).join(', ')} ms;` +
        ` dist/ wall ${r.unbundled.samples.map((s) => Math.round(s.wallMs)).join(', ')} ms`,
      `  package azd ships: ${files}; zipped ${(r.packageZipBytes / (1024 * 1024)).toFixed(2)} MB`,
    );
  } else if (cold) lines.push(`Cold start: could not run: ${firstLine(cold.error)}`);
  const approval = report.approval;
  if (approval?.ok) {
    const r = approval.result;
    lines.push(`Approval pipeline: ${r.requests} x enable-diagnostics requested by alex, approved by megan in the approvals channel, +${r.latencyMs} ms per Azure call; outcomes ${Object.entries(r.outcomes).map(([o, n]) => `${n} ${o}`).join(', ')}; history ${kb(r.history.bytes)} (${r.history.events} events)`);
  } else if (approval) lines.push(`Approval pipeline: could not run: ${firstLine(approval.error)}`);
  const pipelineRotation = report.rotateOutbound;
  if (pipelineRotation?.ok) {
    const r = pipelineRotation.result;
    const o = r.options;
    lines.push(
      `Outbound rotation through the pipeline: ${r.runs.length} x rotate site-paris outbound (vault CA), approved by megan through her view of the approval card; +${o.latencyMs} ms per Azure call, connection update ${o.connectionUpdateMs} ms, renegotiation ${o.tunnelSettleMs} ms, log ingestion ${o.logIngestionDelayMs} ms; outcomes ${Object.entries(r.outcomes).map(([k, n]) => `${n} ${k}`).join(', ')}`,
      ...r.runs.map((x, i) => `  run ${i + 1}: total ${ms(x.totalMs)} = Azure ${ms(x.azureMs)} (${x.azureCalls} calls) + bot ${ms(x.overheadMs)}; Azure ready to job end ${ms(x.readyToEndMs)}; tunnels down ${x.downtime.map((t) => `${t.outages}x ${t.ms} ms`).join(' / ')}`),
      `  history ${kb(r.history.bytes)} (${r.history.events} events)`,
    );
  } else if (pipelineRotation) lines.push(`Outbound rotation through the pipeline: could not run: ${firstLine(pipelineRotation.error)}`);
  const load = report.load;
  if (load?.ok) {
    const r = load.result;
    const m = r.memory;
    lines.push(
      `Load: ${r.people} people for ${(r.durationMs / 1000).toFixed(0)} s, +${r.latencyMs} ms per Azure call; ${r.messages.sent} messages (${Object.entries(r.messages.byCommand).map(([c, n]) => `${n} ${c}`).join(', ')}), ${r.messages.redelivered} delivered twice;` +
        ` ${r.presses.sent} presses (${Object.entries(r.presses.byVerb).map(([v, n]) => `${n} ${v}`).join(', ')}; ${r.presses.throughPlaygroundApi} through the Playground's invoke API)`,
      `  jobs ${r.jobs.started}: ${Object.entries(r.jobs.byStatus).map(([s, n]) => `${n} ${s}`).join(', ')} (drained ${ms(r.jobs.drainMs)} after the crowd stopped); Azure calls ${r.azureCalls}, 429s ${r.throttled429}`,
      `  memory: peak RSS ${mb(m.peak.self.peakBytes)} (from ${mb(m.peak.self.startBytes)})${m.peak.children.map((c) => `, ${c.name} ${mb(c.peakBytes)}`).join('')}; heap after GC grew ${m.heapGrowthSecondHalfMb} MB in the second half;` +
        ` RSS/heap every 5 s ${m.samples.map((s) => `${s.rssMb}/${s.heapUsedMb}`).join(' ')} MB`,
    );
  } else if (load) lines.push(`Load: could not run: ${firstLine(load.error)}`);
  const memory = report.fleetStatus500?.ok ? report.fleetStatus500.result.runs : [];
  if (memory.length > 0) {
    const peak = Math.max(...memory.map((r) => r.memory.self.peakBytes));
    lines.push(`Memory: peak RSS during the 500-site run ${mb(peak)} (app, local host and simulator share the process; Azurite is separate)`);
  }
  return lines.join('\n');
}
