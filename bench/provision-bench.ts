import { performance } from 'node:perf_hooks';
import type { ActivityPorts } from '../activities/activity-ports';
import { provisionSiteChange } from '../activities/changes/provision-site-change';
import type { ProvisionSiteRequest } from '../core/change/change-kind';
import { parsePrefix } from '../core/provision/ip-rules';
import { findOverlaps } from '../core/provision/preflight';
import { buildSyntheticEstate, syntheticNames } from '../local/estate/synthetic-estate';
import { createRootCa, issueCertificate } from '../local/pki/cert-factory';
import { azureOnlyPorts } from '../local/sandbox/azure-only-ports';
import { startAzureSimulator } from '../local/simulator/azure-simulator';
import { instantOperationDurations } from '../local/simulator/sim-lro';

/**
 * Provisioning (issue 10), measured against the simulator with a synthetic scope of 500 sites in 10 resource groups:
 * - the preflight (the plan: every read it makes, the overlap check against all 500 sites included), with Azure's
 *   latency modelled on every call; target <= 2 s;
 * - the bot's own time per provisioning: plan and every apply step with the simulator answering at once (no modelled
 *   Azure time, no latency), i.e. everything but Azure's work; target <= 3 s. The Durable pipeline's own steps
 *   (approval, cards, audit) are measured by the approval and rotate-outbound benchmarks, not here;
 * - the overlap check alone over the 500 sites' prefixes.
 */
export interface ProvisionBenchResult {
  readonly sites: number;
  readonly latencyMs: number;
  /** Wall time of each preflight (plan), with latency. */
  readonly preflightMs: readonly number[];
  /** Plan + every apply step, without latency or modelled Azure time, per provisioning. */
  readonly overheadMs: readonly number[];
  /** The overlap sweep alone (microseconds, median of 1000). */
  readonly overlapMicros: number;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** What the benchmark's plans need of the rotation settings (the vault CA is read from the synthetic estate). */
const BENCH_OUTBOUND: ActivityPorts['outboundRotation'] = { defaultDays: 365, graceHours: 168, verifyMinutes: 15 };

export async function runProvisionBench(options: { sites?: number; latencyMs?: number; runs?: number } = {}): Promise<ProvisionBenchResult> {
  const sites = options.sites ?? 500;
  const latencyMs = options.latencyMs ?? 50;
  const runs = options.runs ?? 3;
  const estate = await buildSyntheticEstate({ sites, resourceGroups: 10 });
  const root = await createRootCa({ subject: 'CN=Bench Device Root CA' });
  const issuing = await issueCertificate(root, { subject: 'CN=Bench Device Issuing CA', isCa: true, pathLength: 0 });
  const chain = [root, issuing].map((c) => Buffer.from(c.der).toString('base64'));
  const request = (i: number): ProvisionSiteRequest => ({
    kind: 'provision-site',
    site: `site-bench-${i}`,
    ip: `203.0.113.${200 + i}`,
    prefixes: [`192.168.${200 + i}.0/24`],
    subject: `CN=bench-${i}.contoso.example`,
    chain,
    gateway: syntheticNames.gateway(0),
    policy: 'default',
    outbound: { kind: 'existing', name: 'outbound-good' },
  });

  const preflightMs: number[] = [];
  const slow = await startAzureSimulator({ estate, latencyMs, tunnelSettleMs: 0, logIngestionDelayMs: 0, lro: { durations: instantOperationDurations, retryAfterSeconds: 0 } });
  try {
    const ports = azureOnlyPorts(slow, 'the provisioning benchmark', BENCH_OUTBOUND);
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const plan = await provisionSiteChange.plan(request(i), ports);
      preflightMs.push(performance.now() - started);
      if (plan.kind !== 'provision-site') throw new Error(`the preflight planned nothing: ${JSON.stringify(plan)}`);
    }
  } finally {
    await slow.close();
  }

  const overheadMs: number[] = [];
  const fast = await startAzureSimulator({ estate, tunnelSettleMs: 0, logIngestionDelayMs: 0, lro: { durations: instantOperationDurations, retryAfterSeconds: 0 } });
  try {
    const ports = azureOnlyPorts(fast, 'the provisioning benchmark', BENCH_OUTBOUND);
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const plan = await provisionSiteChange.plan(request(i), ports);
      if (plan.kind !== 'provision-site') throw new Error(`the preflight planned nothing: ${JSON.stringify(plan)}`);
      for (let step = 0; step < (plan.steps ?? []).length; step++) await provisionSiteChange.apply(plan, ports, step);
      overheadMs.push(performance.now() - started);
    }
  } finally {
    await fast.close();
  }

  const owned = estate.sites.flatMap((s, i) => s.device.prefixes.flatMap((p) => {
    const parsed = parsePrefix(p);
    return parsed.ok ? [{ ...parsed.prefix, owner: `site-${i}` }] : [];
  }));
  const wanted = [parsePrefix('192.168.250.0/24')].flatMap((r) => (r.ok ? [r.prefix] : []));
  const sweeps: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const started = performance.now();
    findOverlaps(wanted, owned);
    sweeps.push((performance.now() - started) * 1000);
  }
  return { sites, latencyMs, preflightMs, overheadMs, overlapMicros: median(sweeps) };
}
