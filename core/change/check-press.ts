import type { AccessPolicy, Caller } from '../auth/access-policy';
import { authorize, normalizeId } from '../auth/access-policy';
import type { ChangeJobStatus } from './change-state';

/** What a press on an approval card is checked against: the job as the Durable client reports it now. */
export interface PressedChange {
  readonly running: boolean;
  readonly requesterId: string;
  readonly requesterName: string;
  readonly change?: ChangeJobStatus['change'];
}

export type PressCheck = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly problem: string };

/**
 * The server-side checks of an Approve or Reject press, from the verified invoke activity only: the presser is an
 * approver in an allowed tenant, the card belongs to the job's current request (the job id is the connection's, reused by
 * its next change), the presser is not the requester (four eyes), the change is still pending, and the card's plan
 * fingerprint is the job's current plan (a stale, replayed or forged card names another). Data from the card only
 * says which job, request and fingerprint it claims.
 */
export function checkApprovalPress(caller: Caller, claimed: { readonly requestId: string; readonly fingerprint: string }, job: PressedChange | undefined, access: AccessPolicy): PressCheck {
  const decision = authorize(caller, 'approver', access);
  if (!decision.allowed) {
    const problem =
      decision.reason === 'no-identity'
        ? 'This channel did not tell me who you are, so I cannot check that you may approve.'
        : decision.reason === 'tenant-not-allowed'
          ? "Your organisation's tenant is not allowed to approve changes here."
          : `Only approvers can decide on changes${decision.roles.length > 0 ? `; you have ${decision.roles.join(', ')}` : ', and you have no role'}.`;
    return { ok: false, code: 'NotAnApprover', problem };
  }
  if (!job?.change) return { ok: false, code: 'ChangeNotFound', problem: 'That card does not belong to a change I know.' };
  if (claimed.requestId !== job.change.requestId) return { ok: false, code: 'EndedRequest', problem: endedRequestProblem(job.change.phase) };
  if (normalizeId(caller.aadObjectId ?? '') === normalizeId(job.requesterId)) {
    return { ok: false, code: 'OwnChange', problem: `You requested this change, so someone else must approve it (four eyes).` };
  }
  if (!job.running || job.change.phase !== 'awaiting-approval') {
    return { ok: false, code: 'ChangeNotPending', problem: `This change is no longer waiting for approval (it is ${phaseWords(job.change.phase)}).` };
  }
  if (claimed.fingerprint !== job.change.fingerprint) {
    return { ok: false, code: 'StalePlan', problem: 'This card shows another plan than the change now has (it is stale, replayed or altered). Nothing was decided.' };
  }
  return { ok: true };
}

/** A card of an earlier change to the connection: its job id now names a newer change (see ChangeCardModel.requestId). */
export function endedRequestProblem(newerPhase: ChangeJobStatus['change']['phase'], nothing: 'decided' | 'withdrawn' = 'decided'): string {
  return `This card belongs to an earlier request for this connection, which has ended; a newer change to it is ${phaseWords(newerPhase)}. Nothing was ${nothing}.`;
}

export function phaseWords(phase: ChangeJobStatus['change']['phase']): string {
  return phase.replace(/-/g, ' ');
}
