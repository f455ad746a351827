import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import type { ExpiryDeliveryOutput, ExpiryReportOutput } from '../core/jobs/job-catalog';
import { armThrottleLimits, keyVaultReadLimits } from '../local/simulator/sim-throttle';
import { SANDBOX_BOT, SANDBOX_TENANT_ID, SANDBOX_USERS } from '../local/sandbox/sandbox-identities';
import type { BenchSandbox } from './bench-sandbox';
import { startBenchSandbox } from './bench-sandbox';
import type { SimulatorThread } from './simulator-thread';
import { startSimulatorThread } from './simulator-thread';
import type { ThrottlingBound } from './bench-stats';
import { median, throttlingBound } from './bench-stats';

export interface ExpiryBenchOptions {
  readonly sites: number;
  readonly resourceGroups: number;
  readonly latencyMs: number;
  /** Subscribed channels the daily run posts to. */
  readonly conversations: number;
  readonly pageSize?: number;
  /** Measured reports (after one warm-up); the result is their median. Default 5. */
  readonly runs?: number;
}

export interface ExpiryBenchResult {
  readonly sites: number;
  readonly resourceGroups: number;
  readonly latencyMs: number;
  /** The reads the report needs: ARM list pages, one version listing per distinct outbound certificate, the vault CA. */
  readonly required: { readonly armListCalls: number; readonly keyVaultReads: number; readonly sequentialCalls: number };
  /** ARM's read bucket and Key Vault's 4,000 reads per 10 s per vault, with the latency of the calls that must follow each other. */
  readonly bound: ThrottlingBound;
  /** `expiry`: message to the report card, median of the runs. */
  readonly wallMs: number;
  /** Each run's message to report card, in order. */
  readonly runsMs: readonly number[];
  /**
   * Busy time of the app's event loop during each run (median), and of the simulator's thread (Azure's stand-in):
   * how much of the wall time is the app's own CPU.
   */
  readonly appBusyMs: number;
  readonly simulatorBusyMs: number;
  readonly azureCalls: { readonly armReads: number; readonly keyVaultReads: number; readonly throttled429: number };
  readonly maxCardBytes: number;
  readonly rowsReported: number;
  /** The daily run: from the fleet read done (the run reports it) to the last of the conversations' cards at the connector. */
  readonly postingMs: number;
  readonly posted: number;
  readonly deliveryWallMs: number;
}

/** How many Key Vault reads the activity has in flight (activities/expiry-activities.ts). */
const KEY_VAULT_CONCURRENCY = 64;

/**
 * The expiry report over a synthetic estate (every site its own outbound certificate), driven like production: the
 * `expiry` command through /api/messages (the report card's time and size), then the daily run posting to N
 * subscribed channels (each subscribed by a real `subscribe expiry` message there).
 */
export async function runExpiryBench(options: ExpiryBenchOptions): Promise<ExpiryBenchResult> {
  const pageSize = options.pageSize ?? 50;
  // The simulator (Azure's servers) answers from its own thread: the app's event loop, where the report's reads are
  // made and parsed, is the app's alone, as in production.
  const bench = await startBenchSandbox(() => startSimulatorThread({ synthetic: { sites: options.sites, resourceGroups: options.resourceGroups, distinctOutbound: true }, latencyMs: options.latencyMs, throttling: true, pageSize }));
  try {
    const { host, simulator } = bench.sandbox;
    const info = simulator.estateInfo;
    const perGroup = info.resourceGroups.map((rg) => info.sites.filter((s) => s.resourceGroup === rg && s.connectionId !== undefined).length);
    const armListCalls = perGroup.reduce((sum, n) => sum + Math.max(1, Math.ceil(n / pageSize)), 0);
    // One version listing per distinct outbound certificate (here one per site), and the vault CA when one is configured.
    const distinct = new Set(info.sites.filter((s) => s.connectionId !== undefined).map((s) => simulator.outboundCertificates[s.name]!.replace(/\/[0-9a-f]{32}$/, '')));
    const keyVaultReads = distinct.size + (bench.sandbox.settings.OUTBOUND_CA_CERTIFICATE_ID ? 1 : 0);
    // The groups are listed at once and the list pages of the largest group follow each other; then the Key Vault
    // reads (every distinct certificate's versions and the vault CA: none needs another) go KEY_VAULT_CONCURRENCY
    // at a time. Nothing else the report needs is a call to Azure.
    const sequentialCalls = Math.max(...perGroup.map((n) => Math.max(1, Math.ceil(n / pageSize)))) + Math.ceil(keyVaultReads / KEY_VAULT_CONCURRENCY);
    const arm = throttlingBound(armListCalls, armThrottleLimits.reads, 0, 0);
    const kv = throttlingBound(keyVaultReads, keyVaultReadLimits, 0, 0);
    const bound: ThrottlingBound = { throttleSeconds: arm.throttleSeconds + kv.throttleSeconds, latencySeconds: (sequentialCalls * options.latencyMs) / 1000, boundSeconds: arm.throttleSeconds + kv.throttleSeconds + (sequentialCalls * options.latencyMs) / 1000 };

    await bench.send('help');
    // Warm: one report (module loading, SDK clients, TLS), then the measured one.
    await measureReport(bench);
    await simulator.stats.reset();
    const runs: { wallMs: number; cardBytes: number; rows: number; appBusyMs: number; simulatorBusyMs: number }[] = [];
    let calls: Awaited<ReturnType<typeof simulator.stats.calls>> = [];
    for (let i = 0; i < (options.runs ?? 5); i++) {
      // Each run starts as the first did: Key Vault's and ARM's buckets have refilled what a run takes (501 of 4,000; 10 of 250).
      await sleep(1500);
      await simulator.stats.reset();
      const markStart = process.hrtime.bigint();
      const app = performance.eventLoopUtilization();
      const sim = simulator.worker.performance.eventLoopUtilization();
      const report = await measureReport(bench);
      const appBusyMs = performance.eventLoopUtilization(app).active;
      const simulatorBusyMs = simulator.worker.performance.eventLoopUtilization(sim).active;
      // EXPIRY_BENCH_MARKS=<file>: each measured run's start and end (µs, the clock of `node --cpu-prof` profiles).
      if (process.env.EXPIRY_BENCH_MARKS) appendFileSync(process.env.EXPIRY_BENCH_MARKS, `${markStart / 1000n} ${process.hrtime.bigint() / 1000n}\n`);
      calls = await simulator.stats.calls();
      const made = { arm: calls.filter((c) => c.service === 'arm' && c.method === 'GET').length, kv: calls.filter((c) => c.service !== 'arm' && c.method === 'GET').length };
      if (made.arm !== armListCalls || made.kv !== keyVaultReads) throw new Error(`Run ${i + 1} made ${made.arm} ARM and ${made.kv} Key Vault reads (needed ${armListCalls} and ${keyVaultReads}).`);
      runs.push({ ...report, appBusyMs, simulatorBusyMs });
    }
    const report = runs[runs.length - 1]!;
    const armReads = calls.filter((c) => c.service === 'arm' && c.method === 'GET').length;
    const kvReads = calls.filter((c) => c.service !== 'arm' && c.method === 'GET').length;

    for (let i = 0; i < options.conversations; i++) await subscribeChannel(bench, `bench-channel-${i}`);
    const delivery = await measureDelivery(bench, options.conversations);
    await host.durable.idle();
    return {
      sites: options.sites,
      resourceGroups: options.resourceGroups,
      latencyMs: options.latencyMs,
      required: { armListCalls, keyVaultReads, sequentialCalls },
      bound,
      wallMs: median(runs.map((r) => r.wallMs)),
      runsMs: runs.map((r) => r.wallMs),
      appBusyMs: median(runs.map((r) => r.appBusyMs)),
      simulatorBusyMs: median(runs.map((r) => r.simulatorBusyMs)),
      azureCalls: { armReads, keyVaultReads: kvReads, throttled429: calls.filter((c) => c.status === 429).length },
      maxCardBytes: Math.max(...runs.map((r) => r.cardBytes), delivery.maxCardBytes),
      rowsReported: report.rows,
      postingMs: delivery.postingMs,
      posted: delivery.posted,
      deliveryWallMs: delivery.wallMs,
    };
  } finally {
    await bench.close();
  }
}

async function measureReport(bench: BenchSandbox<SimulatorThread>): Promise<{ wallMs: number; cardBytes: number; rows: number }> {
  const { host } = bench.sandbox;
  const before = new Set(host.durable.list().map((i) => i.instanceId));
  const sent = await bench.send('expiry', 120_000);
  const job = host.durable.list().find((i) => !before.has(i.instanceId) && i.name === ORCHESTRATIONS.expiryReport);
  if (!job) throw new Error('`expiry` started no expiry report job.');
  const done = await host.durable.waitFor(job.instanceId, undefined, 120_000);
  if (done.runtimeStatus !== 'Completed') throw new Error(`The expiry report job ended ${done.runtimeStatus}.`);
  const card = await bench.connector.waitFor((e) => e.kind === 'update' && e.activityId === sent.ack.activityId && e.receivedAt >= sent.postedAt && JSON.stringify(e.card ?? {}).includes('Checked'), 10_000);
  const output = done.output as ExpiryReportOutput;
  return { wallMs: card.receivedAt - sent.postedAt, cardBytes: Math.max(0, ...card.cardBytes), rows: output.kind === 'report' ? output.report.rows.length : 0 };
}

/** `subscribe expiry` said by an operator in a channel of the bench team (its reference points at the mock connector). */
async function subscribeChannel(bench: BenchSandbox<SimulatorThread>, channelId: string): Promise<void> {
  const operator = SANDBOX_USERS.find((u) => u.roles.includes('operator'))!;
  const id = `bench-subscribe-${channelId}`;
  const activity = {
    type: 'message',
    id,
    text: `<at>${SANDBOX_BOT.name}</at> subscribe expiry`,
    textFormat: 'plain',
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: bench.connector.url,
    from: { id: operator.id, name: operator.name, aadObjectId: operator.aadObjectId },
    recipient: { id: SANDBOX_BOT.id, name: SANDBOX_BOT.name },
    conversation: { id: channelId, conversationType: 'channel', isGroup: true, tenantId: SANDBOX_TENANT_ID },
    entities: [{ type: 'mention', mentioned: { id: SANDBOX_BOT.id, name: SANDBOX_BOT.name }, text: `<at>${SANDBOX_BOT.name}</at>` }],
    channelData: { tenant: { id: SANDBOX_TENANT_ID }, teamsChannelId: channelId, team: { id: 'bench-team' }, channel: { id: channelId } },
  };
  const reply = bench.connector.waitFor((e) => e.kind === 'reply' && e.replyToId === id, 30_000);
  const response = await fetch(bench.sandbox.messagesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`subscribe in ${channelId}: HTTP ${response.status}`);
  const answer = await reply;
  if (!JSON.stringify(answer.card ?? {}).includes('Subscribed')) throw new Error(`subscribe in ${channelId} was not confirmed.`);
}

/** The daily run started as the timer would; the posting phase timed from the run's "posting" status to the last card. */
async function measureDelivery(bench: BenchSandbox<SimulatorThread>, conversations: number): Promise<{ postingMs: number; posted: number; wallMs: number; maxCardBytes: number }> {
  const { host } = bench.sandbox;
  const day = new Date().toISOString().slice(0, 10);
  const jobId = `expiry-daily-bench-${day}`;
  const envelope = { jobId, commandLine: 'expiry (daily report)', requestedBy: { aadObjectId: '', name: 'bench' }, conversationKey: '', cardActivityId: '', requestedAt: new Date().toISOString(), payload: { day } };
  const startedAt = performance.now();
  const response = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/orchestrators/${ORCHESTRATIONS.expiryDelivery}/${jobId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`Could not start the daily run: HTTP ${response.status}`);
  let postingAt: number | undefined;
  for (;;) {
    const instance = host.durable.getInstance(jobId);
    const step = (instance?.customStatus as { step?: string } | undefined)?.step;
    if (postingAt === undefined && (step === 'posting' || step === 'done')) postingAt = performance.now();
    if (instance && instance.runtimeStatus !== 'Running' && instance.runtimeStatus !== 'Pending') break;
    if (performance.now() - startedAt > 120_000) throw new Error('The daily run did not finish within 2 min.');
    await sleep(5);
  }
  const done = host.durable.getInstance(jobId)!;
  if (done.runtimeStatus !== 'Completed') throw new Error(`The daily run ended ${done.runtimeStatus}.`);
  const output = done.output as ExpiryDeliveryOutput;
  const posts = bench.connector.events().filter((e) => e.kind === 'post' && e.conversationId.startsWith('bench-channel-') && e.receivedAt >= startedAt);
  if (posts.length < conversations) throw new Error(`The daily run posted ${posts.length} of ${conversations} cards (${JSON.stringify(output.problems)}).`);
  const lastPost = Math.max(...posts.map((p) => p.receivedAt));
  return { postingMs: lastPost - (postingAt ?? startedAt), posted: output.posted, wallMs: lastPost - startedAt, maxCardBytes: Math.max(0, ...posts.flatMap((p) => p.cardBytes)) };
}
