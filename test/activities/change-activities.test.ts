import { describe, expect, it } from 'vitest';
import { openApproval, planChange, postApprovalCard, showChange } from '../../activities/changes/change-activities';
import { approvalDestinations } from '../../core/change/approval-policy';
import { UserError } from '../../core/errors/user-error';
import type { ChangePayload } from '../../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { JobEnvelope } from '../../core/jobs/job-envelope';
import { visibleText } from '../cards/card-inspect';
import { LISBON_JOB_ID, lisbonModel, lisbonPlan } from '../core/change/change-fixtures';
import { PEOPLE } from '../bot/bot-fakes';
import { testPorts, WORKSPACE_ID } from './fake-adapters';

function envelope(channelId?: string): JobEnvelope<ChangePayload> {
  return {
    jobId: LISBON_JOB_ID,
    commandLine: 'enable-diagnostics site-lisbon',
    requestedBy: { aadObjectId: PEOPLE.alex.aadObjectId, name: PEOPLE.alex.displayName },
    conversationKey: 'c0ffee0000000000000000000000000000000001',
    cardActivityId: 'ack-1',
    requestedAt: '2026-06-01T11:59:00.000Z',
    payload: { requestId: 'enable-diagnostics-site-lisbon-1', plan: lisbonPlan(), fingerprint: '0123456789abcdef', approval: { required: true, timeoutMs: 86_400_000, approverIds: [PEOPLE.megan.aadObjectId, PEOPLE.alex.aadObjectId], ...(channelId ? { channelId } : {}) } },
  };
}

describe('the change activities', () => {
  it('plans enable diagnostics: every category before and after, a rollback when the setting is new', async () => {
    const t = testPorts();
    t.network.add({ name: 'cn-site-lisbon' });
    t.monitor.workspaceFor = { IKEDiagnosticLog: undefined, TunnelDiagnosticLog: WORKSPACE_ID };
    const planned = await planChange({ kind: 'enable-diagnostics', site: 'site-lisbon' }, t.ports);
    if (planned.kind !== 'planned') throw new Error(planned.kind);
    expect(planned.plan.changes).toEqual([{ resource: 'vpngw-hub', field: 'IKEDiagnosticLog', before: 'not sent anywhere', after: 'sent to workspace log-vpn' }]);
    expect(planned.plan.rollback).toMatch(/Remove the diagnostic setting vpn-chatops-diagnostics/);
    expect(planned.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(t.calls).not.toContain('enableGatewayDiagnostics vpngw-hub log-vpn');
  });

  it('without an approvals channel, the destinations are each approver but the requester; with one, only the channel', () => {
    const approverIds = [PEOPLE.megan.aadObjectId, PEOPLE.alex.aadObjectId.toUpperCase(), PEOPLE.patti.aadObjectId];
    expect(approvalDestinations({ approverIds }, PEOPLE.alex.aadObjectId)).toEqual([{ personAadObjectId: PEOPLE.megan.aadObjectId }, { personAadObjectId: PEOPLE.patti.aadObjectId }]);
    expect(approvalDestinations({ approverIds, channelId: 'c' }, PEOPLE.alex.aadObjectId)).toEqual([{ channelId: 'c' }]);
  });

  it('posts one approval card as the observer view, and lists the request for `approvals`', async () => {
    const t = testPorts({ channelId: null });
    const model = lisbonModel({ phase: 'awaiting-approval', expiresAt: '2026-06-02T12:00:00.000Z' }, { approval: { required: true, approverIds: [PEOPLE.megan.aadObjectId, PEOPLE.alex.aadObjectId] } });
    await t.jobs.start(ORCHESTRATIONS.change, envelope());
    await openApproval({ job: envelope(), requestId: 'enable-diagnostics-site-lisbon-1', title: model.plan.title, site: model.plan.site, fingerprint: model.fingerprint, expiresAt: '2026-06-02T12:00:00.000Z' }, t.ports);
    expect(await postApprovalCard({ job: envelope(), state: model.state, to: { personAadObjectId: PEOPLE.megan.aadObjectId } }, t.ports)).toEqual({ kind: 'posted', conversationKey: `person:${PEOPLE.megan.aadObjectId}`, activityId: 'elsewhere-1' });
    expect(t.messenger.elsewhere.map((e) => e.to)).toEqual([{ personAadObjectId: PEOPLE.megan.aadObjectId }]);
    expect(t.messenger.elsewhere[0]!.card.actions ?? []).toEqual([]);
    expect((await t.approvals.pending(5)).map((p) => [p.jobId, p.requesterName, p.expiresAt])).toEqual([[LISBON_JOB_ID, 'Alex Wilber', '2026-06-02T12:00:00.000Z']]);
  });

  it('an approver the bot cannot reach personally is an answer (retrying would not help); other failures are raised for the retry', async () => {
    const t = testPorts({ channelId: null });
    const model = lisbonModel({ phase: 'awaiting-approval' });
    await t.jobs.start(ORCHESTRATIONS.change, envelope());
    t.messenger.postToError = new UserError('PersonNotReachable', 'Approver x has never talked to the bot, so it cannot open a personal chat with them.');
    expect(await postApprovalCard({ job: envelope(), state: model.state, to: { personAadObjectId: 'x' } }, t.ports)).toEqual({ kind: 'unreachable', problem: 'Approver x has never talked to the bot, so it cannot open a personal chat with them.' });
    t.messenger.postToError = Object.assign(new Error('Teams unavailable'), { statusCode: 503 });
    await expect(postApprovalCard({ job: envelope(), state: model.state, to: { personAadObjectId: 'x' } }, t.ports)).rejects.toThrow('Teams unavailable');
  });

  it('shows a new state on the requester card and every approval card, and still tries all when one fails', async () => {
    const t = testPorts();
    const cards = [{ conversationKey: 'channel:c', activityId: 'a1' }];
    await t.jobs.start(ORCHESTRATIONS.change, envelope('c'));
    await showChange({ job: envelope('c'), state: { phase: 'applying', decidedBy: { aadObjectId: PEOPLE.megan.aadObjectId, name: 'Megan Bowen' } }, cards }, t.ports);
    expect(t.messenger.updates.map((u) => [u.activityId, visibleText(u.card).split('\n')[1]])).toEqual([
      ['ack-1', 'Approved by Megan Bowen. Applying…'],
      ['a1', 'Approved by Megan Bowen. Applying…'],
    ]);
    t.messenger.updateError = new Error('Teams unavailable');
    // The plan comes from the change job's input, never from the activity's: without the job there is no card.
    await expect(showChange({ job: { ...envelope('c'), jobId: 'no-such-job' }, state: { phase: 'done' }, cards }, t.ports)).rejects.toThrow(/could not be read/);
    await expect(showChange({ job: envelope('c'), state: { phase: 'done' }, cards }, t.ports)).rejects.toThrow('Teams unavailable');
  });
});
