import { performance } from 'node:perf_hooks';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import { startBenchSandbox } from './bench-sandbox';
import type { LatencySummary } from './bench-stats';
import { summarizeLatencies } from './bench-stats';

export interface AckLatencyBenchOptions {
  /** Messages sent one after another (each waits for the previous acknowledgement and HTTP answer). */
  readonly messages: number;
  readonly text: string;
  /** Added to every Azure answer; the jobs the messages start run in the background meanwhile. */
  readonly latencyMs: number;
  /** Longest to wait, after the last message, for the background jobs to finish. */
  readonly drainTimeoutMs?: number;
}

export interface AckLatencyBenchResult {
  readonly messages: number;
  readonly text: string;
  readonly latencyMs: number;
  readonly startupMs: number;
  /** POST to the acknowledgement card arriving at the connector. */
  readonly ack: LatencySummary;
  /** POST to the bot endpoint's HTTP answer (after the job has been started and audited). */
  readonly httpAnswer: LatencySummary;
  /** Every acknowledgement card, in order (ms), for anyone who wants to look at the shape over time. */
  readonly ackSamples: readonly number[];
  /** The jobs the messages started: how they ended, and how long draining the rest took after the last message. */
  readonly jobs: { readonly started: number; readonly byStatus: Readonly<Record<string, number>>; readonly drainMs: number };
  readonly azureCalls: number;
  readonly throttled429: number;
}

/**
 * Time from a Teams message to the acknowledgement card, through the local host and the real app, with the jobs those
 * messages start running against the simulated Azure (latency and ARM throttling) at the same time, as they would.
 * One `help` first loads the app's message path; it is not measured.
 */
export async function runAckLatencyBench(options: AckLatencyBenchOptions): Promise<AckLatencyBenchResult> {
  const startedAt = performance.now();
  const bench = await startBenchSandbox({ estate: 'sandbox', latencyMs: options.latencyMs, throttling: true });
  try {
    const startupMs = performance.now() - startedAt;
    await bench.send('help');
    const { host, simulator } = bench.sandbox;
    const before = new Set(host.durable.list().map((i) => i.instanceId));
    simulator.stats.reset();
    const ack: number[] = [];
    const httpAnswer: number[] = [];
    for (let i = 0; i < options.messages; i++) {
      const sent = await bench.send(options.text);
      ack.push(sent.ack.receivedAt - sent.postedAt);
      httpAnswer.push(sent.answeredAt - sent.postedAt);
    }
    const drainStarted = performance.now();
    const jobs = () => host.durable.list().filter((i) => !before.has(i.instanceId) && (i.name === ORCHESTRATIONS.siteStatus || i.name === ORCHESTRATIONS.fleetStatus));
    const deadline = drainStarted + (options.drainTimeoutMs ?? 60_000);
    while (jobs().some((j) => j.runtimeStatus === 'Running' || j.runtimeStatus === 'Pending') && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const drainMs = performance.now() - drainStarted;
    const byStatus: Record<string, number> = {};
    for (const job of jobs()) byStatus[job.runtimeStatus] = (byStatus[job.runtimeStatus] ?? 0) + 1;
    const stats = simulator.stats.snapshot();
    return {
      messages: options.messages,
      text: options.text,
      latencyMs: options.latencyMs,
      startupMs,
      ack: summarizeLatencies(ack),
      httpAnswer: summarizeLatencies(httpAnswer),
      ackSamples: ack.map((v) => Math.round(v * 100) / 100),
      jobs: { started: jobs().length, byStatus, drainMs },
      azureCalls: stats.total,
      throttled429: stats.throttled,
    };
  } finally {
    await bench.close();
  }
}
