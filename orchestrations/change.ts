import type { ApprovalCardRef, RecordAuditInput, VerifyChangeOutput } from '../activities/activity-names';
import { closesExpiryRow } from '../core/expiry/expiry-report';
import { ACTIVITIES } from '../activities/activity-names';
import type { ChangeEndState, ChangePhase, ChangeState, Person } from '../core/change/change-state';
import { END_STATE_WORDS } from '../core/change/change-state';
import type { ChangeOutput } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import { jobRefOf } from '../core/jobs/job-envelope';
import { decodeActivityFailure } from './activity-failure';
import { awaitDecision, awaitWindow } from './await-decision';
import { approvalDestinations } from '../core/change/approval-policy';
import type { Orchestration, OrchestrationContext } from './orchestration-context';
import { activity, auditRetry, cardRetry, jobInput, readActivity, retriedActivity } from './orchestration-context';

/** How long a failed Azure call gets to land (or not) before the change reads Azure back. */
export const SETTLE_MS = 60_000;
/** Attempts at a rollback or a second apply (both idempotent) when the failure may pass. */
const WRITE_ATTEMPTS = 3;
/** A check that answers "not yet" is asked again after this, doubling up to the maximum. */
export const FIRST_CHECK_PAUSE_MS = 2_000;
export const MAX_CHECK_PAUSE_MS = 60_000;

function minutesText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes >= 1 ? `${minutes} min` : `${Math.round(ms / 1000)} s`;
}

/** What `jobs` shows for each phase. */
const STEP: Record<ChangePhase, string> = {
  'awaiting-approval': 'waiting for approval',
  approved: 'approved',
  scheduled: 'scheduled',
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
  // Activity inputs name the job without its payload: card activities read the plan from this job's input (stored
  // once), so card updates carry only the state; the steps that need the plan's details get the plan.
  const job = jobRefOf(envelope);
  let cards: readonly ApprovalCardRef[] = [];

  function* audit(outcome: RecordAuditInput['outcome'], detail: string, actor?: Person): Orchestration<void> {
    yield* activity(context, ACTIVITIES.recordAudit, { envelope: job, action: plan.kind, target: plan.site, outcome, detail, ...(actor ? { actor } : {}) }, auditRetry());
  }
  /** The new state everywhere it shows: custom status (for `jobs` and every button press), then the cards. */
  function* show(state: ChangeState, retry = cardRetry()): Orchestration<void> {
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
      yield* activity(context, ACTIVITIES.showChange, { job, state, cards }, retry);
    } catch {
      // The activity logged the failure; the change and its audit go on (the next state updates the cards again).
    }
  }
  function* tryCards(name: typeof ACTIVITIES.notifyRequester | typeof ACTIVITIES.remindApprovers | typeof ACTIVITIES.closeApproval, state: ChangeState): Orchestration<void> {
    try {
      if (name === ACTIVITIES.closeApproval) yield* activity(context, name, { requestId }, cardRetry());
      else yield* activity(context, name, { job, state, cards }, cardRetry());
    } catch {
      // Logged by the activity; never fails the change.
    }
  }

  /**
   * Lists the request for `approvals`, then posts each approval card as its own activity: a retry posts only the card
   * that failed, never again one already posted (Durable records each completed card). A card that cannot be posted
   * does not stop the others; approvers the bot cannot reach personally are named on the requester's card.
   */
  function* requestApproval(pending: ChangeState): Orchestration<ApprovalCardRef[]> {
    try {
      yield* activity(context, ACTIVITIES.openApproval, { job, requestId, title: plan.title, site: plan.site, fingerprint, expiresAt: pending.expiresAt ?? '' }, cardRetry());
    } catch {
      // Logged by the activity; the cards below still carry the buttons.
    }
    const posted: ApprovalCardRef[] = [];
    const unreachable: string[] = [];
    for (const to of approvalDestinations(approval, envelope.requestedBy.aadObjectId)) {
      try {
        const card = yield* activity(context, ACTIVITIES.postApprovalCard, { job, state: pending, to }, cardRetry());
        if (card.kind === 'posted') posted.push({ conversationKey: card.conversationKey, activityId: card.activityId });
        else unreachable.push(card.problem);
      } catch {
        // Logged by the activity; `approvals` lists the request for every approver.
      }
    }
    if (unreachable.length > 0) yield* show({ ...pending, detail: `Not every approver was reached: ${unreachable.join(' ')} Approvers can also type approvals.` });
    return posted;
  }

  yield* audit('requested', `plan ${fingerprint}: ${plan.changes.map((c) => `${c.resource} ${c.field}: ${c.before} -> ${c.after}`).join('; ')}`.slice(0, 900));

  let decided: { readonly by: Person; readonly at: string } | undefined;
  if (approval.required) {
    const now = context.df.currentUtcDateTime.getTime();
    const expiresAt = new Date(now + approval.timeoutMs);
    const pending: ChangeState = { phase: 'awaiting-approval', expiresAt: expiresAt.toISOString() };
    yield* show(pending);
    cards = yield* requestApproval(pending);
    const outcome = yield* awaitDecision(context, {
      expiresAt,
      remindAt: new Date(now + Math.round(approval.timeoutMs / 2)),
      remind: () => tryCards(ACTIVITIES.remindApprovers, pending),
    });
    yield* tryCards(ACTIVITIES.closeApproval, pending);
    if (outcome.kind === 'expired') {
      const expired: ChangeState = { phase: 'expired', expiresAt: expiresAt.toISOString() };
      yield* audit('timed-out', `no decision by ${expiresAt.toISOString()}; nothing changed`);
      yield* show(expired, auditRetry());
      yield* tryCards(ACTIVITIES.notifyRequester, expired);
      return { phase: 'expired', endState: 'unchanged' };
    }
    const { decision } = outcome;
    const state = { decidedBy: decision.by, decidedAt: decision.at, ...(decision.reason ? { reason: decision.reason } : {}) };
    if (decision.decision === 'withdrawn') {
      yield* audit('withdrawn', 'withdrawn by the requester while pending; nothing changed', decision.by);
      yield* show({ phase: 'withdrawn', ...state }, auditRetry());
      return { phase: 'withdrawn', endState: 'unchanged' };
    }
    if (decision.decision === 'rejected') {
      yield* audit('rejected', `plan ${decision.fingerprint}${decision.reason ? `: ${decision.reason}` : ''}`, decision.by);
      const rejected: ChangeState = { phase: 'rejected', ...state };
      yield* show(rejected, auditRetry());
      yield* tryCards(ACTIVITIES.notifyRequester, rejected);
      return { phase: 'rejected', ...(decision.reason ? { detail: decision.reason } : {}), endState: 'unchanged' };
    }
    yield* audit('approved', `plan ${decision.fingerprint}${decision.reason ? `: ${decision.reason}` : ''}`, decision.by);
    decided = { by: decision.by, at: decision.at };
  }
  const approvedBy = decided ? { decidedBy: decided.by, decidedAt: decided.at } : {};

  // A maintenance window: approved first, then a durable timer until the plan's not-before time, raced against a
  // withdrawal (the requester's Withdraw or `cancel`). Nothing is applied before the window.
  if (plan.notBefore !== undefined) {
    const window = new Date(plan.notBefore);
    if (!Number.isNaN(window.getTime()) && window.getTime() > context.df.currentUtcDateTime.getTime()) {
      yield* audit('scheduled', `applied at the maintenance window ${plan.notBefore}, not before`);
      yield* show({ phase: 'scheduled', ...approvedBy });
      const waited = yield* awaitWindow(context, window);
      if (waited.kind === 'withdrawn') {
        yield* audit('withdrawn', `withdrawn before its maintenance window ${plan.notBefore}; nothing changed`, waited.by);
        yield* show({ phase: 'withdrawn', decidedBy: waited.by, decidedAt: waited.at }, auditRetry());
        return { phase: 'withdrawn', endState: 'unchanged' };
      }
    }
  }

  /** The last state of a change that reached Azure: audited (with where Azure was left), the index refreshed, shown. */
  function* end(phase: ChangePhase, endState: ChangeEndState, outcome: RecordAuditInput['outcome'], auditDetail: string, cardDetail: string, offer?: 'keep-or-remove'): Orchestration<ChangeOutput> {
    yield* audit(outcome, `${auditDetail}; end state: ${END_STATE_WORDS[endState]}`.slice(0, 900));
    try {
      // Status of this site must find the connection as the change left it (created, changed or gone).
      yield* activity(context, ACTIVITIES.refreshSiteIndex, { connectionId: plan.target.connectionId }, cardRetry());
    } catch {
      // The index expires on its own; a stale entry only costs one listing.
    }
    if (endState === 'applied' && closesExpiryRow(plan)) {
      try {
        // Expiry reports posted in channels show this site's row as done, in place.
        yield* activity(context, ACTIVITIES.markExpiryRotated, { site: plan.site, at: context.df.currentUtcDateTime.toISOString() }, cardRetry());
      } catch {
        // A report that cannot be updated never fails the change.
      }
    }
    // The end state first, so it survives when a long detail is cut on the card.
    const detail = `${END_STATE_WORDS[endState]}. ${cardDetail.charAt(0).toUpperCase()}${cardDetail.slice(1)}`;
    // How it ended is what people must see: that card update is retried as long as the audit is.
    yield* show({ phase, ...approvedBy, detail, ...(offer ? { offer } : {}) }, auditRetry());
    return { phase, detail, endState };
  }
  /**
   * Reads Azure back (a read: retried only when the failure may pass); a failure to read is a "no" in words. An answer
   * of "not yet" is asked again, 2 s then doubling (at most 1 min apart), until the plan's `verifyWithinMs` from the
   * start of the checked step has passed; the card says what it waits for meanwhile.
   */
  function* check(name: typeof ACTIVITIES.verifyChange | typeof ACTIVITIES.verifyUnchanged, since: Date, waiting: ChangeState): Orchestration<{ readonly ok: boolean; readonly detail: string }> {
    const deadline = since.getTime() + (plan.verifyWithinMs ?? 0);
    let pause = FIRST_CHECK_PAUSE_MS;
    let shown: string | undefined;
    for (;;) {
      let answer: VerifyChangeOutput;
      try {
        answer = yield* readActivity(context, name, { jobId: envelope.jobId, since: since.toISOString() });
      } catch (error) {
        return { ok: false, detail: `could not read it back: ${decodeActivityFailure(error).problem}` };
      }
      if (answer.ok || !answer.notYet) return { ok: answer.ok, detail: answer.detail };
      const now = context.df.currentUtcDateTime.getTime();
      if (now >= deadline) return { ok: false, detail: `not within ${minutesText(plan.verifyWithinMs ?? 0)}: ${answer.detail}` };
      if (answer.detail !== shown) {
        shown = answer.detail;
        yield* show({ ...waiting, detail: `${answer.detail}; checking again until ${new Date(deadline).toISOString().slice(11, 16)} UTC` });
      }
      yield context.df.createTimer(new Date(Math.min(now + pause, deadline)));
      pause = Math.min(pause * 2, MAX_CHECK_PAUSE_MS);
    }
  }
  /** A call that failed may still have changed Azure (a timeout, a lost answer): it gets time to land before the read-back. */
  function* settle(): Orchestration<void> {
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + SETTLE_MS));
  }

  /** A plan that keeps what it applied when it does not verify: diagnose the site and say what was found (never fails). */
  function* diagnosis(): Orchestration<string> {
    try {
      const found = yield* readActivity(context, ACTIVITIES.diagnoseSite, { site: plan.site, hours: 1 });
      if (found.kind === 'diagnosed') return ` Diagnosis: ${found.diagnosis.headline}${found.diagnosis.actions[0] ? ` ${found.diagnosis.actions[0]}` : ''}`;
      if (found.kind === 'diagnostics-off') return ` Diagnosis: ${found.gatewayName} sends no IKE logs to Log Analytics, so the cause cannot be read from them.`;
      if (found.kind === 'no-logs') return ` Diagnosis: no IKE log rows in ${found.workspaceName} for the last ${found.hours} h (the device may not have tried yet).`;
      return '';
    } catch (error) {
      return ` Diagnosis could not run: ${decodeActivityFailure(error).problem}`;
    }
  }
  const keepOrRemove = plan.whenNotVerified === 'keep-or-remove';

  /**
   * Applies the plan: in one activity, or, for a plan with steps, one activity per step in order, each shown on the
   * card as it starts (with Azure's expected time) and its outcome kept for the next. A failed step stops the rest.
   */
  function* applyPlan(retried: boolean): Orchestration<string> {
    const steps = plan.steps ?? [];
    if (steps.length === 0) return (retried ? yield* retriedActivity(context, ACTIVITIES.applyChange, { jobId: envelope.jobId }, WRITE_ATTEMPTS) : yield* activity(context, ACTIVITIES.applyChange, { jobId: envelope.jobId })).detail;
    const done: string[] = [];
    for (let step = 0; step < steps.length; step++) {
      const { title, expectedMs } = steps[step]!;
      const progress = [...done.map((d, i) => `✓ ${i + 1}. ${d}`), `… ${step + 1}. ${title}${expectedMs ? ` (Azure: ${minutesText(expectedMs)})` : ''}`].join('\n');
      yield* show({ phase: 'applying', ...approvedBy, detail: `step ${step + 1} of ${steps.length}\n${progress}` });
      const input = { jobId: envelope.jobId, step };
      done.push((retried ? yield* retriedActivity(context, ACTIVITIES.applyChange, input, WRITE_ATTEMPTS) : yield* activity(context, ACTIVITIES.applyChange, input)).detail);
    }
    return done.join('; ');
  }

  yield* show({ phase: 'applying', ...approvedBy });
  const applyStarted = context.df.currentUtcDateTime;
  const verifying: ChangeState = { phase: 'verifying', ...approvedBy };
  let applied: string | undefined;
  let applyError: unknown;
  try {
    applied = yield* applyPlan(false);
  } catch (error) {
    applyError = error;
  }
  let verified: { readonly ok: boolean; readonly detail: string };
  if (applied !== undefined) {
    yield* audit('applied', applied);
    yield* show(verifying);
    verified = yield* check(ACTIVITIES.verifyChange, applyStarted, verifying);
    if (verified.ok) return yield* end('done', 'applied', 'verified', verified.detail, applied);
    yield* audit('failed', `verification: ${verified.detail}`);
    if (keepOrRemove) {
      yield* show({ ...verifying, detail: `not verified (${verified.detail}); diagnosing` });
      const found = yield* diagnosis();
      return yield* end('failed', 'applied-unverified', 'failed', `not verified: ${verified.detail};${found}`, `it did not verify: ${verified.detail}.${found} Keep leaves it for the device owner; Remove deletes what this change created (with approval).`, 'keep-or-remove');
    }
  } else {
    // Applying failed: what Azure shows decides what happened, not the error.
    const failure = decodeActivityFailure(applyError);
    yield* settle();
    const unchanged = yield* check(ACTIVITIES.verifyUnchanged, applyStarted, verifying);
    if (unchanged.ok) return yield* end('failed', 'unchanged', 'failed', `apply: ${failure.code}; ${unchanged.detail}`, `applying it failed: ${failure.problem}`);
    if (keepOrRemove) {
      // Nothing is undone or redone here: the card says what exists; asking again continues from it.
      return yield* end('failed', 'needs-attention', 'failed', `apply: ${failure.code}; ${unchanged.detail}`, `applying it failed part-way: ${failure.problem} What exists now: ${unchanged.detail}. Ask for it again to continue from there, or Remove it.`, 'keep-or-remove');
    }
    const took = yield* check(ACTIVITIES.verifyChange, applyStarted, verifying);
    if (took.ok) {
      yield* audit('applied', `Azure answered ${failure.code}, but the change is in place`);
      return yield* end('done', 'applied', 'verified', took.detail, `Azure reported a failure (${failure.problem}), but the change is in place: ${took.detail}`);
    }
    verified = { ok: false, detail: `applying it failed (${failure.problem}) and left it part-way: ${took.detail}` };
    yield* audit('failed', `apply: ${failure.code}; ${took.detail}`);
  }

  // Not verified: back to how it was when the change defines how (checked), else (or when that fails) forward to the
  // approved plan once more (apply is idempotent), checked too. Only when neither can be shown does it need attention.
  let back = 'this change defines no rollback';
  if (plan.rollback) {
    let rolledBack: string | undefined;
    const rollbackStarted = context.df.currentUtcDateTime;
    try {
      rolledBack = (yield* retriedActivity(context, ACTIVITIES.rollbackChange, { jobId: envelope.jobId }, WRITE_ATTEMPTS)).detail;
    } catch (error) {
      back = `rolling it back failed: ${decodeActivityFailure(error).problem}`;
      yield* settle();
    }
    const restored = yield* check(ACTIVITIES.verifyUnchanged, rollbackStarted, { ...verifying, detail: 'rolling back' });
    if (restored.ok) {
      return yield* end('rolled-back', 'rolled-back', 'rolled-back', `${rolledBack ?? back}; ${restored.detail}`, `${verified.detail}; ${rolledBack ?? 'Azure is back as it was'}`);
    }
    if (rolledBack !== undefined) back = `rolling it back did not restore it: ${restored.detail}`;
    yield* audit('failed', `rollback: ${back}`.slice(0, 900));
  }
  const againStarted = context.df.currentUtcDateTime;
  try {
    yield* applyPlan(true);
  } catch {
    yield* settle();
  }
  const forward = yield* check(ACTIVITIES.verifyChange, againStarted, verifying);
  if (forward.ok) {
    return yield* end('done', 'applied', 'verified', `applied again after ${back}: ${forward.detail}`, `it did not verify at first (${verified.detail}) and ${back}, so the plan was applied again: ${forward.detail}`);
  }
  return yield* end('failed', 'needs-attention', 'failed', `not verified (${forward.detail}); ${back}`, `it did not verify (${verified.detail}), ${back}, and applying it again did not verify either (${forward.detail})`);
}
