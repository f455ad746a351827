import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PlanChangeOutput } from '../../activities/activity-names';
import { planChange } from '../../activities/changes/change-activities';
import type { ChangeDecision } from '../../core/change/change-state';
import { DECISION_EVENT } from '../../core/change/change-state';
import type { ChangeOutput, ChangePayload, ChangeRequestPayload } from '../../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { JobEnvelope } from '../../core/jobs/job-envelope';
import type { InstanceSnapshot, LocalHost } from '../../local/host';
import { startLocalHost, VirtualClock } from '../../local/host';
import { WORKSPACE_ID } from '../activities/fake-adapters';
import { PEOPLE } from '../bot/bot-fakes';
import { visibleText } from '../cards/card-inspect';
import { appState, resetAppState } from './orchestration-app';
import { UserError } from '../../core/errors/user-error';

const START = new Date('2026-06-01T12:00:00.000Z');
const clock = new VirtualClock(START);
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
  // site-lisbon's gateway sends no logs yet.
  appState.ports.network.add({ name: 'cn-site-lisbon' });
  appState.ports.monitor.workspaceFor = { IKEDiagnosticLog: undefined, TunnelDiagnosticLog: undefined };
});

const alex = { aadObjectId: PEOPLE.alex.aadObjectId, name: PEOPLE.alex.displayName };
const megan = { aadObjectId: PEOPLE.megan.aadObjectId, name: PEOPLE.megan.displayName };

async function plan(): Promise<Extract<PlanChangeOutput, { kind: 'planned' }>> {
  const planned = await planChange({ kind: 'enable-diagnostics', site: 'site-lisbon' }, appState.ports.ports);
  if (planned.kind !== 'planned') throw new Error(`expected a plan, got ${planned.kind}`);
  return planned;
}

/** A change job as startChange starts it (its own id per test, so tests do not share an instance). */
async function changeEnvelope(over: Partial<ChangePayload['approval']> = {}): Promise<JobEnvelope<ChangePayload>> {
  const { plan: p, fingerprint } = await plan();
  jobs++;
  return {
    jobId: `change~test-${jobs}`,
    commandLine: 'enable-diagnostics site-lisbon',
    requestedBy: alex,
    conversationKey: 'c0ffee0000000000000000000000000000000001',
    cardActivityId: `ack-${jobs}`,
    requestedAt: clock.now().toISOString(),
    payload: { requestId: `enable-diagnostics-site-lisbon-${jobs}`, plan: p, fingerprint, approval: { required: true, timeoutMs: 24 * HOUR, approverIds: [megan.aadObjectId], channelId: 'channel-vpn-alerts', ...over } },
  };
}

async function start(name: string, envelope: JobEnvelope<unknown>): Promise<InstanceSnapshot> {
  const response = await fetch(`${host.baseUrl}/api/start/${name}/${envelope.jobId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
  expect(response.status).toBe(202);
  await settled();
  return host.durable.getInstance(envelope.jobId)!;
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

async function decide(envelope: JobEnvelope<ChangePayload>, decision: ChangeDecision['decision'], by: ChangeDecision['by'] = megan, reason?: string): Promise<InstanceSnapshot> {
  const body: ChangeDecision = { decision, by, at: clock.now().toISOString(), fingerprint: envelope.payload.fingerprint, ...(reason ? { reason } : {}) };
  const response = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(envelope.jobId)}/raiseEvent/${DECISION_EVENT}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(202);
  await settled();
  return host.durable.getInstance(envelope.jobId)!;
}

const audit = () => appState.ports.audit.records.map((r) => `${r.outcome} by ${r.actor.name}`);
const requesterCards = (e: JobEnvelope<unknown>) => appState.ports.messenger.updates.filter((u) => u.activityId === e.cardActivityId).map((u) => visibleText(u.card));
const approvalCards = () => appState.ports.messenger.updates.filter((u) => u.conversationKey.startsWith('channel:')).map((u) => visibleText(u.card));
const calls = (name: string) => appState.calls.filter((c) => c.name === name);

describe('change job: approval, apply, verify, audit', () => {
  it('waits for an approver, then applies, verifies and updates both cards; every step is audited', async () => {
    const envelope = await changeEnvelope();
    const waiting = await start(ORCHESTRATIONS.change, envelope);
    expect(waiting.runtimeStatus).toBe('Running');
    expect(waiting.customStatus).toMatchObject({ step: 'waiting for approval', change: { phase: 'awaiting-approval', fingerprint: envelope.payload.fingerprint, requestId: envelope.payload.requestId, expiresAt: '2026-06-02T12:00:00.000Z' } });
    // The approval request went to the approvals channel, with the approvers' own view asked for by refresh.
    const posted = appState.ports.messenger.elsewhere;
    expect(posted.map((p) => p.to)).toEqual([{ channelId: 'channel-vpn-alerts' }]);
    expect(posted[0]!.card.refresh).toMatchObject({ action: { verb: 'approvalView', data: { jobId: envelope.jobId } }, userIds: [`8:orgid:${megan.aadObjectId}`] });
    expect(visibleText(posted[0]!.card)).toMatch(/^Enable diagnostics on site-lisbon\nWaiting for approval until 2026-06-02 12:00 UTC/);
    expect(requesterCards(envelope).at(-1)).toMatch(/Waiting for approval/);
    expect(await appState.ports.approvals.pending(10)).toHaveLength(1);
    expect(appState.ports.calls).not.toContain('enableGatewayDiagnostics vpngw-hub log-vpn');

    const done = await decide(envelope, 'approved');
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output as ChangeOutput).toMatchObject({ phase: 'done' });
    expect(appState.ports.calls).toContain('enableGatewayDiagnostics vpngw-hub log-vpn');
    expect(appState.ports.monitor.workspaceFor).toEqual({ IKEDiagnosticLog: WORKSPACE_ID, TunnelDiagnosticLog: WORKSPACE_ID });
    expect(audit()).toEqual(['requested by Alex Wilber', 'approved by Megan Bowen', 'applied by Alex Wilber', 'verified by Alex Wilber']);
    expect(appState.ports.audit.records[1]!.detail).toBe(`plan ${envelope.payload.fingerprint}`);
    expect(requesterCards(envelope).at(-1)).toMatch(/Approved by Megan Bowen at 2026-06-01 12:00 UTC\. Done: applied and verified\. Gateway vpngw-hub now sends/);
    expect(approvalCards().at(-1)).toMatch(/Approved by Megan Bowen[\s\S]*Done/);
    expect(await appState.ports.approvals.pending(10)).toEqual([]);
  });

  it('a rejection with a reason changes nothing, tells the requester why, and is audited with the reason', async () => {
    const envelope = await changeEnvelope();
    await start(ORCHESTRATIONS.change, envelope);
    const done = await decide(envelope, 'rejected', megan, 'not during the freeze');
    expect(done.output as ChangeOutput).toEqual({ phase: 'rejected', detail: 'not during the freeze', endState: 'unchanged' });
    expect(calls('applyChange')).toEqual([]);
    expect(audit()).toEqual(['requested by Alex Wilber', 'rejected by Megan Bowen']);
    expect(appState.ports.audit.records[1]!.detail).toBe(`plan ${envelope.payload.fingerprint}: not during the freeze`);
    const notice = appState.ports.messenger.posts.filter((p) => p.conversationKey === envelope.conversationKey).map((p) => visibleText(p.card));
    expect(notice).toEqual([expect.stringMatching(/Rejected by Megan Bowen at .*: "not during the freeze"\. Nothing was changed\./)]);
    expect(approvalCards().at(-1)).toMatch(/Rejected by Megan Bowen/);
  });

  it('withdrawn while pending: nothing applied, audited as the requester', async () => {
    const envelope = await changeEnvelope();
    await start(ORCHESTRATIONS.change, envelope);
    const done = await decide(envelope, 'withdrawn', alex);
    expect(done.output as ChangeOutput).toEqual({ phase: 'withdrawn', endState: 'unchanged' });
    expect(calls('applyChange')).toEqual([]);
    expect(audit()).toEqual(['requested by Alex Wilber', 'withdrawn by Alex Wilber']);
    expect(requesterCards(envelope).at(-1)).toMatch(/Withdrawn by Alex Wilber/);
  });

  it('reminds approvers at half-time and expires after the timeout: nothing applied, both cards and the audit say so', async () => {
    const envelope = await changeEnvelope({ timeoutMs: 8 * HOUR });
    await start(ORCHESTRATIONS.change, envelope);
    await clock.advance(4 * HOUR);
    await settled();
    const reminders = appState.ports.messenger.posts.filter((p) => p.conversationKey.startsWith('channel:')).map((p) => visibleText(p.card));
    expect(reminders).toEqual([expect.stringMatching(/^Reminder: Enable diagnostics on site-lisbon waits for approval/)]);
    expect(host.durable.getInstance(envelope.jobId)!.runtimeStatus).toBe('Running');
    await clock.advance(4 * HOUR);
    await settled();
    const done = host.durable.getInstance(envelope.jobId)!;
    expect(done.output as ChangeOutput).toEqual({ phase: 'expired', endState: 'unchanged' });
    expect(calls('applyChange')).toEqual([]);
    expect(audit()).toEqual(['requested by Alex Wilber', 'timed-out by Alex Wilber']);
    expect(requesterCards(envelope).at(-1)).toMatch(/Expired: nobody decided by .*\. Nothing was changed\./);
    expect(approvalCards().at(-1)).toMatch(/Expired/);
    expect(appState.ports.messenger.posts.filter((p) => p.conversationKey === envelope.conversationKey).map((p) => visibleText(p.card))).toEqual([expect.stringMatching(/expired/)]);
  });

  it('rolls back when verification fails, and says so', async () => {
    const envelope = await changeEnvelope();
    // Azure accepts the setting but it does not take (e.g. another setting owns the categories).
    appState.ports.monitor.enableGatewayDiagnostics = async (gatewayId: string) => appState.ports.monitor.getGatewayDiagnostics(gatewayId);
    await start(ORCHESTRATIONS.change, envelope);
    const done = await decide(envelope, 'approved');
    await clock.advance(60_000);
    await settled();
    expect((host.durable.getInstance(envelope.jobId)!.output as ChangeOutput).phase).toBe('rolled-back');
    expect(appState.ports.calls).toContain('removeProductDiagnosticSetting vpngw-hub');
    expect(audit()).toEqual(['requested by Alex Wilber', 'approved by Megan Bowen', 'applied by Alex Wilber', 'failed by Alex Wilber', 'rolled-back by Alex Wilber']);
    expect(requesterCards(envelope).at(-1)).toMatch(/Rolled back: rolled back and verified\. /);
    expect(appState.ports.audit.records.at(-1)!.detail).toMatch(/end state: rolled back and verified$/);
    expect(done).toBeDefined();
  });

  it('verification that answers "not yet" is asked again with growing pauses until it takes, from the start of the apply, and the card says what it waits for', async () => {
    const base = await changeEnvelope();
    const envelope = { ...base, payload: { ...base.payload, plan: { ...base.payload.plan, verifyWithinMs: 10 * 60_000 } } };
    const answers = [
      { ok: false, notYet: true, detail: 'tunnel 1 is renegotiating' },
      { ok: false, notYet: true, detail: 'tunnel 1 is renegotiating' },
      { ok: false, notYet: true, detail: 'no negotiation in the logs yet' },
      { ok: true, detail: 'both tunnels Connected' },
    ];
    const asked: { at: number; since: string | undefined }[] = [];
    appState.scripts.verifyChange = async (input: never) => {
      asked.push({ at: clock.now().getTime(), since: (input as { since?: string }).since });
      return answers.shift();
    };
    await start(ORCHESTRATIONS.change, envelope);
    const applyStarts = clock.now();
    await decide(envelope, 'approved');
    expect(host.durable.getInstance(envelope.jobId)!.runtimeStatus).toBe('Running');
    const until = new Date(applyStarts.getTime() + 10 * 60_000).toISOString().slice(11, 16);
    expect(requesterCards(envelope).at(-1)).toMatch(new RegExp(`Applied; verifying… Tunnel 1 is renegotiating; checking again until ${until} UTC\\.`));
    await clock.advance(60_000);
    await settled();
    const done = host.durable.getInstance(envelope.jobId)!;
    expect(done.output as ChangeOutput).toMatchObject({ phase: 'done', endState: 'applied' });
    // 2 s, then 4 s, then 8 s apart; every check counts from the apply's start.
    expect(asked.slice(1).map((a, i) => a.at - asked[i]!.at)).toEqual([2_000, 4_000, 8_000]);
    expect(new Set(asked.map((a) => a.since))).toEqual(new Set([applyStarts.toISOString()]));
    expect(requesterCards(envelope).some((c) => /No negotiation in the logs yet; checking again/.test(c))).toBe(true);
    expect(audit()).toEqual(['requested by Alex Wilber', 'approved by Megan Bowen', 'applied by Alex Wilber', 'verified by Alex Wilber']);
  });

  it('"not yet" past the plan\'s verification time is a failure: it rolls back and the card names the wait', async () => {
    const base = await changeEnvelope();
    const envelope = { ...base, payload: { ...base.payload, plan: { ...base.payload.plan, verifyWithinMs: 5 * 60_000 } } };
    appState.scripts.verifyChange = async () => ({ ok: false, notYet: true, detail: 'the device has not come back' });
    await start(ORCHESTRATIONS.change, envelope);
    await decide(envelope, 'approved');
    for (let i = 0; i < 10 && host.durable.getInstance(envelope.jobId)!.runtimeStatus === 'Running'; i++) {
      await clock.advance(60_000);
      await settled();
    }
    const done = host.durable.getInstance(envelope.jobId)!;
    expect(done.output as ChangeOutput).toMatchObject({ phase: 'rolled-back', endState: 'rolled-back' });
    // Asked at 0, 2, 6, 14, 30, 62, 122, 182, 242 s and at the deadline (300 s): no more.
    expect(calls('verifyChange')).toHaveLength(10);
    expect(appState.ports.audit.records.find((r) => r.outcome === 'failed')!.detail).toBe('verification: not within 5 min: the device has not come back');
    expect(requesterCards(envelope).at(-1)).toMatch(/Rolled back: rolled back and verified\. Not within 5 min: the device has not come back/);
  });

  it('without approval in the policy it applies at once', async () => {
    const envelope = await changeEnvelope({ required: false });
    const done = await start(ORCHESTRATIONS.change, envelope);
    expect((done.output as ChangeOutput).phase).toBe('done');
    expect(appState.ports.messenger.elsewhere).toEqual([]);
    expect(audit()).toEqual(['requested by Alex Wilber', 'applied by Alex Wilber', 'verified by Alex Wilber']);
  });

  it('a short Table Storage and Teams outage after Azure changed loses no audit row, and a card that cannot be updated fails neither the audit nor the change', async () => {
    const envelope = await changeEnvelope();
    await start(ORCHESTRATIONS.change, envelope);
    // From the approval on: Teams refuses every card update, and the first two audit writes fail.
    appState.ports.messenger.updateError = Object.assign(new Error('Teams is unavailable'), { statusCode: 503 });
    appState.ports.audit.failures.push(new Error('Table Storage unavailable'), new Error('Table Storage unavailable'));
    await decide(envelope, 'approved');
    // The card that says how it ended is retried as long as the audit (about half an hour), then given up.
    for (let i = 0; i < 60 && host.durable.getInstance(envelope.jobId)!.runtimeStatus === 'Running'; i++) {
      await clock.advance(60_000);
      await settled();
    }
    const done = host.durable.getInstance(envelope.jobId)!;
    expect(done.runtimeStatus).toBe('Completed');
    expect((done.output as ChangeOutput).phase).toBe('done');
    expect(audit()).toEqual(['requested by Alex Wilber', 'approved by Megan Bowen', 'applied by Alex Wilber', 'verified by Alex Wilber']);
    expect(appState.ports.monitor.workspaceFor.IKEDiagnosticLog).toBe(WORKSPACE_ID);
  });
});

describe('approval cards, one per approver', () => {
  const patti = { aadObjectId: PEOPLE.patti.aadObjectId, name: PEOPLE.patti.displayName };
  const personal = () => appState.ports.messenger.elsewhere.map((e) => ('personAadObjectId' in e.to ? e.to.personAadObjectId : e.to.channelId));

  it("without an approvals channel each approver gets one personal card, even when posting another's failed once and was retried", async () => {
    const envelope = await changeEnvelope({ channelId: undefined, approverIds: [megan.aadObjectId, patti.aadObjectId, alex.aadObjectId] });
    // Teams fails patti's card once (after megan's was posted): only patti's is posted again.
    appState.ports.messenger.postToFailures.push({ to: { personAadObjectId: patti.aadObjectId }, error: Object.assign(new Error('Teams is unavailable'), { statusCode: 503 }) });
    await start(ORCHESTRATIONS.change, envelope);
    for (let i = 0; i < 5 && !personal().includes(patti.aadObjectId); i++) {
      await clock.advance(60_000);
      await settled();
    }
    // Alex requested it: he gets none. Megan's card was not posted twice.
    expect(personal()).toEqual([megan.aadObjectId, patti.aadObjectId]);
    expect(host.durable.getInstance(envelope.jobId)!.customStatus).toMatchObject({ change: { phase: 'awaiting-approval' } });
    // Both cards follow the change to its end.
    await decide(envelope, 'approved');
    const done = appState.ports.messenger.updates.filter((u) => u.conversationKey.startsWith('person:') && /Done/.test(visibleText(u.card)));
    expect(done.map((u) => u.conversationKey)).toEqual([`person:${megan.aadObjectId}`, `person:${patti.aadObjectId}`]);
  });

  it("an approver the bot cannot reach personally is named on the requester's card; the others get theirs", async () => {
    const envelope = await changeEnvelope({ channelId: undefined, approverIds: [megan.aadObjectId, patti.aadObjectId] });
    appState.ports.messenger.postToFailures.push({ to: { personAadObjectId: megan.aadObjectId }, error: new UserError('PersonNotReachable', `Approver ${megan.aadObjectId} has never talked to the bot, so it cannot open a personal chat with them.`) });
    await start(ORCHESTRATIONS.change, envelope);
    expect(personal()).toEqual([patti.aadObjectId]);
    expect(requesterCards(envelope).at(-1)).toMatch(new RegExp(`Waiting for approval .*Not every approver was reached: Approver ${megan.aadObjectId} has never talked to the bot.*Approvers can also type approvals\\.`));
    expect(await appState.ports.approvals.pending(10)).toHaveLength(1);
  });
});

describe('change request job', () => {
  function requestEnvelope(site: string): JobEnvelope<ChangeRequestPayload> {
    jobs++;
    return {
      jobId: `enable-diagnostics-${site}-r${jobs}`,
      commandLine: `enable-diagnostics ${site}`,
      requestedBy: alex,
      conversationKey: 'c0ffee0000000000000000000000000000000001',
      cardActivityId: `ack-r${jobs}`,
      requestedAt: clock.now().toISOString(),
      payload: { kind: 'enable-diagnostics', site },
    };
  }

  it('plans and hands the change to its job under the business key of the connection', async () => {
    const envelope = requestEnvelope('site-lisbon');
    const done = await start(ORCHESTRATIONS.changeRequest, envelope);
    expect(done.output).toEqual({ kind: 'handed-over', jobId: 'change~subscriptions~5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d~resourcegroups~rg-hub-network~providers~microsoft.network~connections~cn-site-lisbon' });
    const [started] = appState.ports.jobs.started;
    expect(started!.orchestration).toBe(ORCHESTRATIONS.change);
    expect(started!.envelope).toMatchObject({ jobId: (done.output as { jobId: string }).jobId, cardActivityId: envelope.cardActivityId, payload: { requestId: envelope.jobId, approval: { required: true, timeoutMs: 24 * HOUR, channelId: 'channel-vpn-alerts' } } });
  });

  it('refuses a second change to the same connection, naming the running job, its requester and state', async () => {
    const jobId = 'change~subscriptions~5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d~resourcegroups~rg-hub-network~providers~microsoft.network~connections~cn-site-lisbon';
    appState.ports.jobs.startAnswer = 'conflict';
    appState.ports.jobs.add({ jobId, orchestration: ORCHESTRATIONS.change, status: 'Running', envelope: { jobId, commandLine: 'enable-diagnostics site-lisbon', requestedBy: { aadObjectId: PEOPLE.patti.aadObjectId, name: 'Patti Fernandez' }, conversationKey: 'x', cardActivityId: 'y', requestedAt: START.toISOString(), payload: {} }, customStatus: { step: 'waiting for approval', change: { kind: 'enable-diagnostics', title: 't', site: 'site-lisbon', phase: 'awaiting-approval', fingerprint: 'f', requestId: 'r' } } });
    const envelope = requestEnvelope('site-lisbon');
    const done = await start(ORCHESTRATIONS.changeRequest, envelope);
    expect(done.output).toMatchObject({ kind: 'refused', running: { jobId, requestedBy: 'Patti Fernandez', state: 'awaiting approval' } });
    expect(requesterCards(envelope).at(-1)).toMatch(/Another change is in progress[\s\S]*by Patti Fernandez is awaiting approval/);
    expect(audit()).toEqual(['refused by Alex Wilber']);
  });

  it('asks nobody when there is nothing to change', async () => {
    appState.ports.monitor.workspaceFor = { IKEDiagnosticLog: WORKSPACE_ID, TunnelDiagnosticLog: WORKSPACE_ID };
    const envelope = requestEnvelope('site-lisbon');
    const done = await start(ORCHESTRATIONS.changeRequest, envelope);
    expect(done.output).toMatchObject({ kind: 'nothing-to-change' });
    expect(appState.ports.jobs.started).toEqual([]);
    expect(requesterCards(envelope).at(-1)).toMatch(/nothing to change/);
  });
});
