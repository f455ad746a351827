import type { ApprovalCardRef, ChangeCardModel, RecordAuditInput } from '../activities/activity-names';
import { ACTIVITIES } from '../activities/activity-names';
import type { ChangePhase, ChangeState, Person } from '../core/change/change-state';
import type { ChangeOutput } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import { jobRefOf } from '../core/jobs/job-envelope';
import { decodeActivityFailure } from './activity-failure';
import { awaitDecision } from './await-decision';
import type { Orchestration, OrchestrationContext } from './orchestration-context';
import { activity, auditRetry, cardRetry, jobInput, readActivity } from './orchestration-context';

/** What `jobs` shows for each phase. */
const STEP: Record<ChangePhase, string> = {
  'awaiting-approval': 'waiting for approval',
  approved: 'approved',
  applying: 'applying',
  verifying: 'verifying',
  done: 'done',
  'rolled-back': 'rolled back',
  failed: 'failed',
  rejected: 'rejected',
  expired: 'expired',
  withdrawn: 'withdrawn',
};

/**
 * One change, under its business key (see core/change/change-job-id.ts): audit the request; if the policy asks for
 * it, post the approval request and wait for a decision raced against the timeout (reminder at half-time); then apply,
 * verify, and roll back when verification fails and the change defines a rollback. Every step is audited (with
 * retries: the audit must not be lost); the requester's card and the approval cards follow each state, and a card that
 * cannot be updated never fails the change or its audit.
 */
export function* changeOrchestrator(context: OrchestrationContext): Orchestration<ChangeOutput> {
  const envelope = jobInput(context, ORCHESTRATIONS.change);
  const { plan, fingerprint, approval, requestId } = envelope.payload;
  // Activity inputs name the job without its payload (the plan travels once, in the card model).
  const job = jobRefOf(envelope);
  const where = { requestId, ...(approval.channelId ? { channelId: approval.channelId } : {}) };
  let cards: readonly ApprovalCardRef[] = [];
  const model = (state: ChangeState): ChangeCardModel => ({
    jobId: envelope.jobId,
    plan,
    fingerprint,
    requestedBy: envelope.requestedBy.name,
    requestedAt: envelope.requestedAt,
    state,
    approval: { required: approval.required, approverIds: approval.approverIds },
  });

  function* audit(outcome: RecordAuditInput['outcome'], detail: string, actor?: Person): Orchestration<void> {
    yield* activity(context, ACTIVITIES.recordAudit, { envelope: job, action: plan.kind, target: plan.site, outcome, detail, ...(actor ? { actor } : {}) }, auditRetry());
  }
  /** The new state everywhere it shows: custom status (for `jobs` and every button press), then the cards. */
  function* show(state: ChangeState): Orchestration<void> {
    context.df.setCustomStatus({
      step: STEP[state.phase],
      detail: plan.site,
      change: {
        kind: plan.kind,
        title: plan.title,
        site: plan.site,
        phase: state.phase,
        fingerprint,
        requestId,
        ...(state.expiresAt ? { expiresAt: state.expiresAt } : {}),
        ...(state.decidedBy ? { decidedBy: state.decidedBy, decidedAt: state.decidedAt } : {}),
      },
    });
    try {
      yield* activity(context, ACTIVITIES.showChange, { job, model: model(state), cards, ...where }, cardRetry());
    } catch {
      // The activity logged the failure; the change and its audit go on (the next state updates the cards again).
    }
  }
  function* tryCards(name: typeof ACTIVITIES.notifyRequester | typeof ACTIVITIES.remindApprovers | typeof ACTIVITIES.closeApproval, state: ChangeState): Orchestration<void> {
    try {
      if (name === ACTIVITIES.closeApproval) yield* activity(context, name, { requestId }, cardRetry());
      else yield* activity(context, name, { job, model: model(state), cards, ...where }, cardRetry());
    } catch {
      // Logged by the activity; never fails the change.
    }
  }

  yield* audit('requested', `plan ${fingerprint}: ${plan.changes.map((c) => `${c.resource} ${c.field}: ${c.before} -> ${c.after}`).join('; ')}`.slice(0, 900));

  let decided: { readonly by: Person; readonly at: string } | undefined;
  if (approval.required) {
    const now = context.df.currentUtcDateTime.getTime();
    const expiresAt = new Date(now + approval.timeoutMs);
    const pending: ChangeState = { phase: 'awaiting-approval', expiresAt: expiresAt.toISOString() };
    yield* show(pending);
    try {
      cards = (yield* activity(context, ACTIVITIES.requestApproval, { job, model: model(pending), cards: [], ...where }, cardRetry())).cards;
    } catch {
      // Approvers can still find it with `approvals` only if it was listed; the requester's card keeps the state.
    }
    const outcome = yield* awaitDecision(context, {
      expiresAt,
      remindAt: new Date(now + Math.round(approval.timeoutMs / 2)),
      remind: () => tryCards(ACTIVITIES.remindApprovers, pending),
    });
    yield* tryCards(ACTIVITIES.closeApproval, pending);
    if (outcome.kind === 'expired') {
      const expired: ChangeState = { phase: 'expired', expiresAt: expiresAt.toISOString() };
      yield* audit('timed-out', `no decision by ${expiresAt.toISOString()}; nothing changed`);
      yield* show(expired);
      yield* tryCards(ACTIVITIES.notifyRequester, expired);
      return { phase: 'expired' };
    }
    const { decision } = outcome;
    const state = { decidedBy: decision.by, decidedAt: decision.at, ...(decision.reason ? { reason: decision.reason } : {}) };
    if (decision.decision === 'withdrawn') {
      yield* audit('withdrawn', 'withdrawn by the requester while pending; nothing changed', decision.by);
      yield* show({ phase: 'withdrawn', ...state });
      return { phase: 'withdrawn' };
    }
    if (decision.decision === 'rejected') {
      yield* audit('rejected', `plan ${decision.fingerprint}${decision.reason ? `: ${decision.reason}` : ''}`, decision.by);
      const rejected: ChangeState = { phase: 'rejected', ...state };
      yield* show(rejected);
      yield* tryCards(ACTIVITIES.notifyRequester, rejected);
      return { phase: 'rejected', ...(decision.reason ? { detail: decision.reason } : {}) };
    }
    yield* audit('approved', `plan ${decision.fingerprint}${decision.reason ? `: ${decision.reason}` : ''}`, decision.by);
    decided = { by: decision.by, at: decision.at };
  }
  const approvedBy = decided ? { decidedBy: decided.by, decidedAt: decided.at } : {};

  yield* show({ phase: 'applying', ...approvedBy });
  let applied: string;
  try {
    applied = (yield* activity(context, ACTIVITIES.applyChange, { plan })).detail;
  } catch (error) {
    const failure = decodeActivityFailure(error);
    yield* audit('failed', `apply: ${failure.code}`);
    yield* show({ phase: 'failed', ...approvedBy, detail: `applying it failed: ${failure.problem}` });
    return { phase: 'failed', detail: failure.code };
  }
  yield* audit('applied', applied);

  yield* show({ phase: 'verifying', ...approvedBy });
  let verified: { readonly ok: boolean; readonly detail: string };
  try {
    verified = yield* readActivity(context, ACTIVITIES.verifyChange, { plan });
  } catch (error) {
    verified = { ok: false, detail: `could not read it back: ${decodeActivityFailure(error).problem}` };
  }
  if (verified.ok) {
    yield* audit('verified', verified.detail);
    yield* show({ phase: 'done', ...approvedBy, detail: applied });
    return { phase: 'done', detail: applied };
  }
  yield* audit('failed', `verification: ${verified.detail}`);
  if (!plan.rollback) {
    yield* show({ phase: 'failed', ...approvedBy, detail: `it did not verify (${verified.detail}), and this change defines no rollback` });
    return { phase: 'failed', detail: verified.detail };
  }
  try {
    const rolledBack = (yield* activity(context, ACTIVITIES.rollbackChange, { plan })).detail;
    yield* audit('rolled-back', rolledBack);
    yield* show({ phase: 'rolled-back', ...approvedBy, detail: `${verified.detail}; ${rolledBack}` });
    return { phase: 'rolled-back', detail: verified.detail };
  } catch (error) {
    const failure = decodeActivityFailure(error);
    yield* audit('failed', `rollback: ${failure.code}`);
    yield* show({ phase: 'failed', ...approvedBy, detail: `it did not verify (${verified.detail}) and rolling it back failed: ${failure.problem}` });
    return { phase: 'failed', detail: failure.code };
  }
}
