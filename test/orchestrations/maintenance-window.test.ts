import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { planChange } from '../../activities/changes/change-activities';
import type { ChangeDecision } from '../../core/change/change-state';
import { DECISION_EVENT } from '../../core/change/change-state';
import type { ChangeOutput, ChangePayload } from '../../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { JobEnvelope } from '../../core/jobs/job-envelope';
import type { InstanceSnapshot, LocalHost } from '../../local/host';
import { startLocalHost, VirtualClock } from '../../local/host';
import { PEOPLE } from '../bot/bot-fakes';
import { visibleText } from '../cards/card-inspect';
import { appState, resetAppState } from './orchestration-app';

/**
 * The maintenance window (a plan's `notBefore`, `rotate <site> inbound --at`) through the local host: the change is
 * approved first, then waits on a durable timer; it can be withdrawn until the window, and is applied at it. The
 * window is general: any change kind's plan may carry it (enable-diagnostics here, over fakes).
 */
const clock = new VirtualClock(new Date('2026-06-01T12:00:00.000Z'));
const HOUR = 3_600_000;
let host: LocalHost;
let jobs = 0;

beforeAll(async () => {
  host = await startLocalHost({ loadApp: () => import('./orchestration-app'), appRoot: fileURLToPath(new URL('./host-app', import.meta.url)), clock, log: 'quiet' });
});
afterAll(async () => {
  await host?.close();
});
beforeEach(() => {
  resetAppState();
  appState.ports.network.add({ name: 'cn-site-lisbon' });
  appState.ports.monitor.workspaceFor = { IKEDiagnosticLog: undefined, TunnelDiagnosticLog: undefined };
});

const alex = { aadObjectId: PEOPLE.alex.aadObjectId, name: PEOPLE.alex.displayName };
const megan = { aadObjectId: PEOPLE.megan.aadObjectId, name: PEOPLE.megan.displayName };

async function envelopeWithWindow(notBefore: Date | undefined): Promise<JobEnvelope<ChangePayload>> {
  const planned = await planChange({ kind: 'enable-diagnostics', site: 'site-lisbon' }, appState.ports.ports);
  if (planned.kind !== 'planned') throw new Error(`expected a plan, got ${planned.kind}`);
  jobs++;
  return {
    jobId: `change~window-${jobs}`,
    commandLine: 'enable-diagnostics site-lisbon',
    requestedBy: alex,
    conversationKey: 'c0ffee0000000000000000000000000000000001',
    cardActivityId: `ack-w${jobs}`,
    requestedAt: clock.now().toISOString(),
    payload: {
      requestId: `window-${jobs}`,
      plan: { ...planned.plan, ...(notBefore ? { notBefore: notBefore.toISOString() } : {}) },
      fingerprint: planned.fingerprint,
      approval: { required: true, timeoutMs: 24 * HOUR, approverIds: [megan.aadObjectId], channelId: 'channel-vpn-alerts' },
    },
  };
}

async function settled(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the host did not go idle')), 10_000);
  });
  try {
    await Promise.race([host.durable.idle(), stuck]);
  } finally {
    clearTimeout(timer);
  }
}

async function start(envelope: JobEnvelope<ChangePayload>): Promise<void> {
  const response = await fetch(`${host.baseUrl}/api/start/${ORCHESTRATIONS.change}/${envelope.jobId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
  expect(response.status).toBe(202);
  await settled();
}

async function decide(envelope: JobEnvelope<ChangePayload>, decision: ChangeDecision['decision'], by: ChangeDecision['by']): Promise<InstanceSnapshot> {
  const body: ChangeDecision = { decision, by, at: clock.now().toISOString(), fingerprint: envelope.payload.fingerprint };
  const response = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(envelope.jobId)}/raiseEvent/${DECISION_EVENT}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(202);
  await settled();
  return host.durable.getInstance(envelope.jobId)!;
}

const audit = () => appState.ports.audit.records.map((r) => `${r.outcome} by ${r.actor.name}`);
const applied = () => appState.calls.filter((c) => c.name === 'applyChange');
const requesterCard = (e: JobEnvelope<unknown>) => appState.ports.messenger.updates.filter((u) => u.activityId === e.cardActivityId).map((u) => visibleText(u.card)).at(-1) ?? '';

describe('maintenance window', () => {
  it('waits after approval until the window, showing "scheduled for", and applies at the window', async () => {
    const window = new Date(clock.now().getTime() + 2 * HOUR);
    const envelope = await envelopeWithWindow(window);
    await start(envelope);
    expect(requesterCard(envelope)).toMatch(/Maintenance window\s+applied at 2026-06-01 14:00 UTC once approved, not before/);
    const waiting = await decide(envelope, 'approved', megan);
    expect(waiting.runtimeStatus).toBe('Running');
    expect(waiting.customStatus).toMatchObject({ step: 'scheduled', change: { phase: 'scheduled' } });
    expect(requesterCard(envelope)).toMatch(/Approved by Megan Bowen at .*\. Scheduled for 2026-06-01 14:00 UTC: applied then, not before\. Alex Wilber can withdraw it until then\./);
    expect(applied()).toEqual([]);

    await clock.advance(HOUR + 59 * 60_000);
    await settled();
    expect(host.durable.getInstance(envelope.jobId)!.runtimeStatus).toBe('Running');
    expect(applied()).toEqual([]);

    await clock.advance(60_000);
    await settled();
    const done = host.durable.getInstance(envelope.jobId)!;
    expect(done.output as ChangeOutput).toMatchObject({ phase: 'done', endState: 'applied' });
    expect(applied()).toHaveLength(1);
    expect(audit()).toEqual(['requested by Alex Wilber', 'approved by Megan Bowen', 'scheduled by Alex Wilber', 'applied by Alex Wilber', 'verified by Alex Wilber']);
    expect(appState.ports.audit.records[2]!.detail).toBe('applied at the maintenance window 2026-06-01T14:00:00.000Z, not before');
  });

  it('withdrawn before the window: nothing is applied, the card and the audit say so', async () => {
    const envelope = await envelopeWithWindow(new Date(clock.now().getTime() + 6 * HOUR));
    await start(envelope);
    await decide(envelope, 'approved', megan);
    await clock.advance(HOUR);
    await settled();
    const done = await decide(envelope, 'withdrawn', alex);
    expect(done.output as ChangeOutput).toEqual({ phase: 'withdrawn', endState: 'unchanged' });
    await clock.advance(6 * HOUR);
    await settled();
    expect(applied()).toEqual([]);
    expect(audit()).toEqual(['requested by Alex Wilber', 'approved by Megan Bowen', 'scheduled by Alex Wilber', 'withdrawn by Alex Wilber']);
    expect(requesterCard(envelope)).toMatch(/Withdrawn by Alex Wilber.*Nothing was changed/);
  });

  it('approval comes first: a window reached while waiting for approval applies as soon as it is approved', async () => {
    const envelope = await envelopeWithWindow(new Date(clock.now().getTime() + HOUR));
    await start(envelope);
    await clock.advance(2 * HOUR);
    await settled();
    expect(applied()).toEqual([]);
    const done = await decide(envelope, 'approved', megan);
    expect(done.output as ChangeOutput).toMatchObject({ phase: 'done' });
    expect(audit()).toEqual(['requested by Alex Wilber', 'approved by Megan Bowen', 'applied by Alex Wilber', 'verified by Alex Wilber']);
  });

  it('a rejection during the wait for approval never reaches the window', async () => {
    const envelope = await envelopeWithWindow(new Date(clock.now().getTime() + HOUR));
    await start(envelope);
    const done = await decide(envelope, 'rejected', megan);
    expect(done.output as ChangeOutput).toMatchObject({ phase: 'rejected', endState: 'unchanged' });
    expect(applied()).toEqual([]);
  });
});
