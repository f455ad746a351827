import type { ChangeCardModel } from '../../../cards/change-card';
import type { ChangePlan } from '../../../core/change/change-plan';
import type { ChangeState } from '../../../core/change/change-state';
import { changeJobId } from '../../../core/change/change-job-id';
import { GATEWAY_ID, RG, SUBSCRIPTION, WORKSPACE_ID } from '../../activities/fake-adapters';
import { CONVERSATION_KEY, NOW, PEOPLE } from '../../bot/bot-fakes';
import type { TestBot } from '../../bot/bot-fakes';
import type { ChangePayload } from '../../../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../../../core/jobs/job-catalog';
import type { JobEnvelope } from '../../../core/jobs/job-envelope';

export const LISBON_CONNECTION_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Network/connections/cn-site-lisbon`;
export const LISBON_JOB_ID = changeJobId(LISBON_CONNECTION_ID);

/** The plan enable-diagnostics makes for a site whose gateway sends no logs. */
export function lisbonPlan(over: Partial<ChangePlan> = {}): ChangePlan {
  return {
    kind: 'enable-diagnostics',
    title: 'Enable diagnostics on site-lisbon',
    site: 'site-lisbon',
    target: { connectionId: LISBON_CONNECTION_ID, connectionName: 'cn-site-lisbon' },
    changes: [
      { resource: 'vpngw-hub', field: 'IKEDiagnosticLog', before: 'not sent anywhere', after: 'sent to workspace log-vpn' },
      { resource: 'vpngw-hub', field: 'TunnelDiagnosticLog', before: 'not sent anywhere', after: 'sent to workspace log-vpn' },
    ],
    risk: 'No tunnel is touched.',
    verify: 'Read the gateway diagnostic settings back.',
    rollback: 'Remove the diagnostic setting vpn-chatops-diagnostics from gateway vpngw-hub.',
    details: { gatewayId: GATEWAY_ID, workspaceId: WORKSPACE_ID, workspaceName: 'log-vpn' },
    ...over,
  };
}

/** The request job that asked for the change (its id comes from the Teams activity). */
export const LISBON_REQUEST_ID = 'enable-diagnostics-site-lisbon-1a2b3c4d';

export function lisbonModel(state: ChangeState, over: Partial<ChangeCardModel> = {}): ChangeCardModel {
  return {
    jobId: LISBON_JOB_ID,
    requestId: LISBON_REQUEST_ID,
    plan: lisbonPlan(),
    fingerprint: '0123456789abcdef',
    requestedBy: PEOPLE.alex.displayName,
    requestedAt: '2026-06-01T11:59:00.000Z',
    state,
    approval: { required: true, approverIds: [PEOPLE.megan.aadObjectId] },
    ...over,
  };
}

export const FINGERPRINT = '0123456789abcdef';
export const REQUEST_ID = LISBON_REQUEST_ID;

/** A change job waiting for approval, requested by alex, as the Durable client reports it. */
export function pendingChange(bot: TestBot, over: { phase?: string; status?: 'Running' | 'Completed'; requester?: typeof PEOPLE.alex | typeof PEOPLE.patti } = {}) {
  const requester = over.requester ?? PEOPLE.alex;
  const envelope: JobEnvelope<ChangePayload> = {
    jobId: LISBON_JOB_ID,
    commandLine: 'enable-diagnostics site-lisbon',
    requestedBy: { aadObjectId: requester.aadObjectId, name: requester.displayName },
    conversationKey: CONVERSATION_KEY,
    cardActivityId: 'ack-1',
    requestedAt: NOW.toISOString(),
    payload: { requestId: REQUEST_ID, plan: lisbonPlan(), fingerprint: FINGERPRINT, approval: { required: true, timeoutMs: 86_400_000, approverIds: [PEOPLE.megan.aadObjectId], channelId: 'c' } },
  };
  bot.jobs.add({
    jobId: LISBON_JOB_ID,
    orchestration: ORCHESTRATIONS.change,
    status: over.status ?? 'Running',
    envelope,
    customStatus: { step: 'waiting for approval', change: { kind: 'enable-diagnostics', title: 'Enable diagnostics on site-lisbon', site: 'site-lisbon', phase: over.phase ?? 'awaiting-approval', fingerprint: FINGERPRINT, requestId: REQUEST_ID, expiresAt: '2026-06-02T12:00:00.000Z' } },
  });
  void bot.approvals.open({ requestId: REQUEST_ID, jobId: LISBON_JOB_ID, title: 'Enable diagnostics on site-lisbon', site: 'site-lisbon', requesterId: requester.aadObjectId, requesterName: requester.displayName, fingerprint: FINGERPRINT, requestedAt: NOW.toISOString(), expiresAt: '2026-06-02T12:00:00.000Z' });
  return envelope;
}
