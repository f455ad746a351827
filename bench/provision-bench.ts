import { performance } from 'node:perf_hooks';
import { createKeyVaultAdapter } from '../adapters/azure/key-vault';
import { createKeyVaultCaAdapter } from '../adapters/azure/key-vault-ca';
import { createLogsAdapter } from '../adapters/azure/logs';
import { createMonitorAdapter } from '../adapters/azure/monitor';
import { createNetworkAdapter } from '../adapters/azure/network';
import type { ActivityPorts } from '../activities/activity-ports';
import { provisionSiteChange } from '../activities/changes/provision-site-change';
import type { ProvisionSiteRequest } from '../core/change/change-kind';
import { parsePrefix } from '../core/provision/ip-rules';
import { findOverlaps } from '../core/provision/preflight';
import { buildSyntheticEstate, syntheticNames } from '../local/estate/synthetic-estate';
import { createRootCa, issueCertificate } from '../local/pki/cert-factory';
import { startAzureSimulator, type AzureSimulator } from '../local/simulator/azure-simulator';
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
    const ports = benchPorts(slow);
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
    const ports = benchPorts(fast);
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

function benchPorts(sim: AzureSimulator): ActivityPorts {
  const bot = sim.settingsFor('bot', { longRunningPollIntervalMs: 10 });
  const info = sim.estateInfo;
  const unused = new Proxy(
    {},
    {
      get: (_t, name) => () => {
        throw new Error(`the provisioning benchmark needs no ${String(name)}`);
      },
    },
  );
  return {
    network: createNetworkAdapter(bot),
    keyVault: createKeyVaultAdapter(bot, { pollIntervalMs: 10 }),
    monitor: createMonitorAdapter(bot),
    logs: createLogsAdapter(bot),
    vaultCa: createKeyVaultCaAdapter(bot),
    outboundRotation: { defaultDays: 365, graceHours: 168, verifyMinutes: 15 },
    scopes: info.resourceGroups.map((rg) => ({ subscriptionId: info.subscriptionId, resourceGroups: [rg] })),
    siteIndex: { read: async () => undefined, replace: async () => undefined, put: async () => undefined, remove: async () => undefined },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    messenger: unused as ActivityPorts['messenger'],
    audit: unused as ActivityPorts['audit'],
    approvals: unused as ActivityPorts['approvals'],
    jobs: unused as ActivityPorts['jobs'],
    jobIndex: unused as ActivityPorts['jobIndex'],
    approvalPolicy: { required: { 'enable-diagnostics': true, 'rotate-certificate': true, 'provision-site': true, 'set-ipsec-policy': true, 'remove-site': true }, timeoutHours: 24 },
    approverIds: [],
    now: () => new Date(),
  };
}
