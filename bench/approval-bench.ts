import { performance } from 'node:perf_hooks';
import { sandboxNames } from '../local/estate/sandbox-estate';
import { SANDBOX_APPROVALS_CHANNEL_ID, SANDBOX_BOT, SANDBOX_TENANT_ID, SANDBOX_USERS } from '../local/sandbox/sandbox-identities';
import { startBenchSandbox } from './bench-sandbox';
import type { LatencySummary } from './bench-stats';
import { summarizeLatencies } from './bench-stats';
import type { ConnectorEvent } from './mock-connector';

export interface ApprovalBenchOptions {
  /** Change requests made one after another (each is approved and runs to its end before the next). */
  readonly requests: number;
  readonly latencyMs: number;
}

export interface ApprovalBenchResult {
  readonly requests: number;
  readonly latencyMs: number;
  readonly startupMs: number;
  /** The requester's card showing the plan (waiting for approval) to the approval card arriving in the approvals channel. */
  readonly planToApprovalCard: LatencySummary;
  /** An approver's press (the invoke POST) to the requester's card showing the approval. */
  readonly pressToRequesterCard: LatencySummary;
  /** Orchestration history of one approved change (JSON, UTF-8 bytes) and its number of events. */
  readonly history: { readonly bytes: number; readonly events: number };
  readonly outcomes: Readonly<Record<string, number>>;
}

const cardText = (event: ConnectorEvent): string => JSON.stringify(event.card ?? {});

/**
 * `enable-diagnostics site-lisbon` as alex, approved by megan in the approvals channel, `requests` times, through the
 * local host and the real app with the Azure simulator (+latency), cards measured where Teams would receive them (the
 * mock connector). Between requests the bot's diagnostic setting is removed again, so every request plans a change.
 */
export async function runApprovalBench(options: ApprovalBenchOptions): Promise<ApprovalBenchResult> {
  const startedAt = performance.now();
  const bench = await startBenchSandbox({ estate: 'sandbox', latencyMs: options.latencyMs, throttling: true });
  try {
    const startupMs = performance.now() - startedAt;
    await bench.send('help');
    const { simulator, host, messagesUrl } = { ...bench.sandbox, messagesUrl: bench.sandbox.messagesUrl };
    const gatewayId = simulator.estateInfo.gateways.find((g) => g.name === sandboxNames.branchGateway)!.id;
    const megan = SANDBOX_USERS.find((u) => u.handle === 'megan')!;
    const planToApproval: number[] = [];
    const pressToCard: number[] = [];
    const outcomes: Record<string, number> = {};
    let history: ApprovalBenchResult['history'] | undefined;
    for (let i = 0; i < options.requests; i++) {
      for (const setting of simulator.resources.diagnosticSettingsOf(gatewayId)) simulator.resources.diagnosticSettings.delete(setting.id);
      const sent = await bench.send('enable-diagnostics site-lisbon', 60_000);
      const plan = await bench.connector.waitFor((e) => e.kind === 'update' && e.activityId === sent.ack.activityId && cardText(e).includes('Waiting for approval'), 60_000);
      const approval = await bench.connector.waitFor((e) => e.kind !== 'update' && e.conversationId === SANDBOX_APPROVALS_CHANNEL_ID && e.receivedAt >= sent.postedAt && cardText(e).includes('Waiting for approval'), 60_000);
      planToApproval.push(approval.receivedAt - plan.receivedAt);
      const card = JSON.stringify(plan.card);
      const jobId = /Job (change~[^ "]+) · plan/.exec(card)?.[1];
      const fingerprint = /· plan ([0-9a-f]{16})/.exec(card)?.[1];
      const requestId = /"requestId":"([^"]+)"/.exec(card)?.[1];
      if (!jobId || !fingerprint || !requestId) throw new Error('the plan card names no job, request and plan fingerprint');
      const invoke = {
        type: 'invoke',
        name: 'adaptiveCard/action',
        id: `bench-press-${i}`,
        channelId: 'msteams',
        serviceUrl: bench.connector.url,
        from: { id: megan.id, name: megan.name, aadObjectId: megan.aadObjectId },
        recipient: { id: SANDBOX_BOT.id, name: SANDBOX_BOT.name },
        conversation: { id: SANDBOX_APPROVALS_CHANNEL_ID, conversationType: 'channel', isGroup: true, tenantId: SANDBOX_TENANT_ID },
        channelData: { tenant: { id: SANDBOX_TENANT_ID } },
        replyToId: approval.activityId,
        value: { action: { type: 'Action.Execute', verb: 'approveChange', data: { jobId, requestId, fingerprint } } },
      };
      const pressedAt = performance.now();
      const approvedCard = bench.connector.waitFor((e) => e.kind === 'update' && e.activityId === sent.ack.activityId && e.receivedAt >= pressedAt && cardText(e).includes('Approved by'), 60_000);
      const response = await fetch(messagesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(invoke) });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`the approval press answered HTTP ${response.status}`);
      pressToCard.push((await approvedCard).receivedAt - pressedAt);
      const done = await host.durable.waitFor(jobId, undefined, 60_000);
      const phase = (done.output as { phase?: string } | undefined)?.phase ?? done.runtimeStatus;
      outcomes[phase] = (outcomes[phase] ?? 0) + 1;
      if (!history && phase === 'done') {
        const events = host.durable.getInstance(jobId)!.history ?? [];
        history = { bytes: Buffer.byteLength(JSON.stringify(events), 'utf8'), events: events.length };
      }
    }
    if (!history) throw new Error('no change was applied, so there is no history to measure');
    return { requests: options.requests, latencyMs: options.latencyMs, startupMs, planToApprovalCard: summarizeLatencies(planToApproval), pressToRequesterCard: summarizeLatencies(pressToCard), history, outcomes };
  } finally {
    await bench.close();
  }
}
