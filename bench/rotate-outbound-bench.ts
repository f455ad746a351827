import { performance } from 'node:perf_hooks';
import { SANDBOX_APPROVALS_CHANNEL_ID, SANDBOX_BOT, SANDBOX_TENANT_ID, SANDBOX_USERS } from '../local/sandbox/sandbox-identities';
import { startBenchSandbox } from './bench-sandbox';
import type { ConnectorEvent } from './mock-connector';

export interface RotateOutboundBenchOptions {
  /** Rotations of site-paris's outbound certificate, one after another (each approved and run to its end). */
  readonly rotations: number;
  /** Added to every Azure call. */
  readonly latencyMs: number;
  /** How long a connection update takes in the simulator (its long-running operation). */
  readonly connectionUpdateMs: number;
  /** How long tunnels renegotiate after a change (one renegotiation). */
  readonly tunnelSettleMs: number;
  /** How long a gateway log row takes to become queryable. */
  readonly logIngestionDelayMs: number;
}

export interface RotationRunMeasure {
  /** megan's Approve press to the change job's end (wall clock). */
  readonly totalMs: number;
  /** What the simulator models as Azure's time within it: latency x calls, the connection update, the tunnels' renegotiation and the logs' ingestion. */
  readonly azureMs: number;
  /** totalMs - azureMs: the bot's own time (activities, orchestration, cards, audit) and its waits between checks. */
  readonly overheadMs: number;
  /** Of the overhead: from Azure being ready for verification (tunnels up, logs in) to the job's end (the check that saw it, audit, cards). */
  readonly readyToEndMs: number;
  readonly azureCalls: number;
  /** Each tunnel: how many times it was not Connected during the rotation, and for how long in all. */
  readonly downtime: readonly { readonly outages: number; readonly ms: number }[];
}

export interface RotateOutboundBenchResult {
  readonly options: RotateOutboundBenchOptions;
  readonly runs: readonly RotationRunMeasure[];
  /** Orchestration history of one rotation's change job (JSON, UTF-8 bytes) and its events. */
  readonly history: { readonly bytes: number; readonly events: number };
  readonly outcomes: Readonly<Record<string, number>>;
}

const cardText = (event: ConnectorEvent): string => JSON.stringify(event.card ?? {});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `rotate site-paris outbound` as alex, approved by megan through her own view of the approval card (its refresh;
 * the Approve it carries names the request), `rotations` times, through the local host and the real app against the
 * simulator on the real clock. Azure's modelled time (latency per call, the connection update, one renegotiation, log
 * ingestion) is taken out of the wall time; the rest is the bot's. The tunnels are sampled every 20 ms meanwhile.
 */
export async function runRotateOutboundBench(options: RotateOutboundBenchOptions): Promise<RotateOutboundBenchResult> {
  const bench = await startBenchSandbox({
    estate: 'sandbox',
    latencyMs: options.latencyMs,
    tunnelSettleMs: options.tunnelSettleMs,
    logIngestionDelayMs: options.logIngestionDelayMs,
    lro: { durations: { 'connection-update': options.connectionUpdateMs } },
  });
  try {
    const { simulator, host, messagesUrl } = bench.sandbox;
    const megan = SANDBOX_USERS.find((u) => u.handle === 'megan')!;
    const connectionId = simulator.estateInfo.sites.find((s) => s.name === 'site-paris')!.connectionId!;
    const runs: RotationRunMeasure[] = [];
    const outcomes: Record<string, number> = {};
    let history: RotateOutboundBenchResult['history'] | undefined;
    const invoke = async (verb: string, data: unknown, replyToId: string, i: number) => {
      const response = await fetch(messagesUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'invoke',
          name: 'adaptiveCard/action',
          id: `bench-rotate-${verb}-${i}`,
          channelId: 'msteams',
          serviceUrl: bench.connector.url,
          from: { id: megan.id, name: megan.name, aadObjectId: megan.aadObjectId },
          recipient: { id: SANDBOX_BOT.id, name: SANDBOX_BOT.name },
          conversation: { id: SANDBOX_APPROVALS_CHANNEL_ID, conversationType: 'channel', isGroup: true, tenantId: SANDBOX_TENANT_ID },
          channelData: { tenant: { id: SANDBOX_TENANT_ID } },
          replyToId,
          value: { action: { type: 'Action.Execute', verb, data } },
        }),
      });
      const body = (await response.json()) as { value?: unknown };
      if (response.status !== 200) throw new Error(`${verb} answered HTTP ${response.status}`);
      return body;
    };
    for (let i = 0; i < options.rotations; i++) {
      const sent = await bench.send('rotate site-paris outbound', 60_000);
      const approval = await bench.connector.waitFor((e) => e.kind !== 'update' && e.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && e.receivedAt >= sent.postedAt && cardText(e).includes('Waiting for approval'), 60_000);
      // megan's own view of the approval card (what her Teams client asks for through the card's refresh).
      const refresh = (approval.card as { refresh?: { action?: { verb?: string; data?: unknown } } } | undefined)?.refresh?.action;
      if (!refresh?.verb) throw new Error('the approval card has no refresh for approvers');
      const view = await invoke(refresh.verb, refresh.data, approval.activityId!, i);
      const approve = JSON.stringify(view.value ?? {}).match(/"title":"Approve","verb":"approveChange","data":(\{[^}]*\})/)?.[1];
      if (!approve) throw new Error("megan's view of the approval card has no Approve");
      const data = JSON.parse(approve) as { jobId: string; requestId: string };
      if (!data.requestId) throw new Error('Approve does not name the request');

      // Sample the tunnels from the press to the end.
      const samples: { at: number; states: string[] }[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          // Azure's side moves on by itself (operations complete, tunnels settle), whether or not the bot asks.
          await simulator.tick();
          samples.push({ at: performance.now(), states: simulator.inspectTunnels(connectionId).map((t) => t.status) });
          await sleep(20);
        }
      })();
      simulator.stats.reset();
      const pressedAt = performance.now();
      await invoke('approveChange', data, approval.activityId!, i);
      const done = await host.durable.waitFor(data.jobId, undefined, 120_000);
      const endedAt = performance.now();
      sampling = false;
      await sampler;
      const phase = (done.output as { phase?: string } | undefined)?.phase ?? done.runtimeStatus;
      outcomes[phase] = (outcomes[phase] ?? 0) + 1;
      if (!history && phase === 'done') {
        const events = host.durable.getInstance(data.jobId)!.history ?? [];
        history = { bytes: Buffer.byteLength(JSON.stringify(events), 'utf8'), events: events.length };
      }
      // Tunnel outages during the rotation, per tunnel.
      const tunnels = samples[0]?.states.length ?? 0;
      const downtime = Array.from({ length: tunnels }, (_, t) => {
        let outages = 0;
        let ms = 0;
        for (let k = 1; k < samples.length; k++) {
          const down = samples[k]!.states[t] !== 'Connected';
          if (down && samples[k - 1]!.states[t] === 'Connected') outages++;
          if (down) ms += samples[k]!.at - samples[k - 1]!.at;
        }
        return { outages, ms: Math.round(ms) };
      });
      // When Azure was ready for the verification that succeeded: the tunnels back up, then the logs in.
      const backUp = samples.find((s, k) => k > 0 && s.states.every((x) => x === 'Connected') && samples.slice(0, k).some((p) => p.states.some((x) => x !== 'Connected')))?.at;
      const readyAt = backUp !== undefined ? backUp + options.logIngestionDelayMs : undefined;
      const azureCalls = simulator.stats.count(undefined, { principalId: simulator.estateInfo.principals.bot!.objectId });
      const azureMs = azureCalls * options.latencyMs + options.connectionUpdateMs + options.tunnelSettleMs + options.logIngestionDelayMs;
      const totalMs = endedAt - pressedAt;
      runs.push({
        totalMs: Math.round(totalMs),
        azureMs,
        overheadMs: Math.round(totalMs - azureMs),
        readyToEndMs: readyAt !== undefined ? Math.max(0, Math.round(endedAt - readyAt)) : -1,
        azureCalls,
        downtime,
      });
      // The next rotation starts from a clean slate: the previous version is retired by the sweep, not by us.
      await sleep(200);
    }
    if (!history) throw new Error(`no rotation was applied and verified (${JSON.stringify(outcomes)})`);
    return { options, runs, history, outcomes };
  } finally {
    await bench.close();
  }
}
