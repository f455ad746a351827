import type { AdaptiveCard } from '../cards/adaptive-card';
import type { ChangeCardAudience } from '../cards/change-card';
import { changeCard, changeCardModel, endedRequestCard } from '../cards/change-card';
import { authorize, normalizeId } from '../core/auth/access-policy';
import type { ChangeRequest } from '../core/change/change-kind';
import { CHANGE_KIND_TITLES } from '../core/change/change-kind';
import type { ChangeDecision, ChangePhase, ChangeState } from '../core/change/change-state';
import { changeStatusOf, DECISION_EVENT } from '../core/change/change-state';
import { checkApprovalPress, endedRequestProblem, phaseWords } from '../core/change/check-press';
import { UserError } from '../core/errors/user-error';
import type { ChangePayload } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import type { JobEnvelope } from '../core/jobs/job-envelope';
import type { ActionOutcome, CardAction, ChatMessage } from '../core/ports/chat';
import type { PendingApproval } from '../core/ports/approvals';
import type { JobRecord } from '../core/ports/jobs';
import type { BotDeps } from './bot-deps';
import { stringField } from './card-data';
import { jobIdFor, startJob } from './start-job';

/** Longest reason an approver may type; it is shown to the requester and kept in the audit. */
const MAX_REASON = 300;

/**
 * Asks for a change (typed, or a button): acknowledgement card, then the change request job that plans it and hands it
 * to its change job. The request's id comes from the Teams activity, so a redelivered message asks once.
 */
export async function requestChange(
  surface: Pick<ChatMessage, 'caller' | 'conversation' | 'reply' | 'update' | 'rememberConversation' | 'activityId'>,
  request: ChangeRequest,
  commandLine: string,
  deps: BotDeps,
): Promise<{ readonly jobId: string; readonly started: 'started' | 'conflict' | 'failed' | 'duplicate' }> {
  const { jobId, claim } = jobIdFor(request.kind, request.site, surface, deps);
  const started = await startJob(
    surface,
    {
      orchestration: ORCHESTRATIONS.changeRequest,
      jobId,
      commandLine,
      payload: request,
      audit: { action: request.kind, target: request.site },
      alreadyRunning: `${CHANGE_KIND_TITLES[request.kind]} for ${request.site} is already being planned.`,
      claimDelivery: claim,
    },
    deps,
  );
  return { jobId, started };
}

/** A change job as a press sees it: its envelope and current state, or undefined when the id is no change job. */
interface ChangeJob {
  readonly record: JobRecord;
  readonly envelope: JobEnvelope<ChangePayload>;
  readonly change: NonNullable<ReturnType<typeof changeStatusOf>>;
}

async function changeJob(jobId: string, deps: BotDeps): Promise<ChangeJob | undefined> {
  const record = await deps.jobs.get(jobId);
  const change = changeStatusOf(record?.customStatus);
  if (!record || record.orchestration !== ORCHESTRATIONS.change || !record.envelope || !change) return undefined;
  return { record, envelope: record.envelope as JobEnvelope<ChangePayload>, change };
}

/** How a press is audited when it is refused before its handler runs. */
export interface RefusedPress {
  readonly action: string;
  readonly target: string;
  readonly jobId?: string;
}

/**
 * A press on a change's card refused for lack of role, audited as `action` on the change's site (what `audit <site>`
 * lists), or undefined when the data names no change job.
 */
export async function changePressedAs(action: string, pressed: CardAction, deps: BotDeps): Promise<RefusedPress | undefined> {
  const jobId = (pressed.data as { jobId?: unknown } | undefined)?.jobId;
  if (typeof jobId !== 'string' || jobId.length > 300) return undefined;
  const job = await changeJob(jobId, deps);
  return job ? { action, target: job.change.site, jobId } : undefined;
}

function cardFor(job: ChangeJob, state: ChangeState, audience: ChangeCardAudience): AdaptiveCard {
  return changeCard(changeCardModel(job.envelope, state), audience);
}

function currentState(job: ChangeJob): ChangeState {
  const { phase, expiresAt, decidedBy, decidedAt } = job.change;
  return { phase, ...(expiresAt ? { expiresAt } : {}), ...(decidedBy ? { decidedBy } : {}), ...(decidedAt ? { decidedAt } : {}) };
}

/** Who the caller is to this change: the requester, someone who may decide it, or an onlooker. */
function audienceOf(action: Pick<CardAction, 'caller'>, job: ChangeJob, deps: BotDeps): ChangeCardAudience {
  const me = normalizeId(action.caller.aadObjectId ?? '');
  if (me !== '' && me === normalizeId(job.envelope.requestedBy.aadObjectId)) return 'requester';
  return authorize(action.caller, 'approver', deps.access).allowed ? 'approver' : 'observer';
}

function actorOf(action: Pick<CardAction, 'caller'>): { aadObjectId?: string; name: string } {
  return { ...(action.caller.aadObjectId ? { aadObjectId: action.caller.aadObjectId } : {}), name: action.caller.displayName };
}

/**
 * Approve or Reject on an approval card. Every check runs on the server, against the verified invoke identity and the
 * job's current state (see core/change/check-press.ts); the decision is then recorded once per request (the first
 * press wins; a double click or a second approver is told who decided) and handed to the change job.
 */
export async function decideChange(action: CardAction, decision: 'approved' | 'rejected', deps: BotDeps): Promise<ActionOutcome> {
  const jobId = stringField(action.data, 'jobId', 300);
  const requestId = stringField(action.data, 'requestId', 300);
  const fingerprint = stringField(action.data, 'fingerprint', 64);
  const rawReason = (action.data as { reason?: unknown } | undefined)?.reason;
  const reason = typeof rawReason === 'string' ? rawReason.trim().slice(0, MAX_REASON) : '';
  const job = await changeJob(jobId, deps);
  const check = checkApprovalPress(action.caller, { requestId, fingerprint }, job && { running: job.record.status === 'Running', requesterId: job.envelope.requestedBy.aadObjectId, requesterName: job.envelope.requestedBy.name, change: job.change }, deps.access);
  if (!check.ok) {
    await deps.audit.record({ action: `${decision === 'approved' ? 'approve' : 'reject'}`, actor: actorOf(action), target: job?.change.site ?? jobId.slice(0, 200), outcome: 'denied', jobId: jobId.slice(0, 200), detail: `${check.code}: ${check.problem}` });
    // Decided already (a double click, or another approver was faster): the card shows who decided and where it is.
    if (check.code === 'ChangeNotPending' && job) return { kind: 'card', card: cardFor(job, currentState(job), 'observer') };
    throw new UserError(check.code, check.problem, check.code === 'OwnChange' ? 'Ask another approver.' : undefined);
  }
  const current = job!;
  const by = { aadObjectId: action.caller.aadObjectId!, name: action.caller.displayName };
  const proposed: ChangeDecision = { decision, by, at: deps.now().toISOString(), fingerprint, ...(reason ? { reason } : {}) };
  const { recorded, decision: standing } = await deps.approvals.decide(current.change.requestId, proposed);
  if (!recorded) return { kind: 'card', card: cardFor(current, decidedState(standing), 'observer') };
  await deps.jobs.raise(jobId, DECISION_EVENT, proposed);
  return { kind: 'card', card: cardFor(current, decidedState(proposed), 'observer') };
}

/** The requester withdraws their change while it waits for approval (recorded like a decision: first one wins). */
export async function withdrawChange(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const jobId = stringField(action.data, 'jobId', 300);
  const requestId = stringField(action.data, 'requestId', 300);
  const job = await changeJob(jobId, deps);
  if (!job) throw new UserError('ChangeNotFound', 'That card does not belong to a change I know.');
  if (job.change.requestId !== requestId) throw new UserError('EndedRequest', endedRequestProblem(job.change.phase, 'withdrawn'));
  return withdraw(job, action, deps);
}

async function withdraw(job: ChangeJob, action: Pick<CardAction, 'caller'>, deps: BotDeps): Promise<ActionOutcome> {
  if (audienceOf(action, job, deps) !== 'requester') {
    await deps.audit.record({ action: 'withdraw', actor: actorOf(action), target: job.change.site, outcome: 'denied', jobId: job.envelope.jobId, detail: 'not the requester' });
    throw new UserError('NotYourChange', `Only ${job.envelope.requestedBy.name}, who requested it, can withdraw this change.`);
  }
  if (job.record.status !== 'Running' || (job.change.phase !== 'awaiting-approval' && job.change.phase !== 'scheduled')) {
    throw new UserError('ChangeNotPending', `This change can no longer be withdrawn: it is ${phaseWords(job.change.phase)}.`);
  }
  const proposed: ChangeDecision = { decision: 'withdrawn', by: { aadObjectId: action.caller.aadObjectId!, name: action.caller.displayName ?? job.envelope.requestedBy.name }, at: deps.now().toISOString(), fingerprint: job.change.fingerprint };
  if (job.change.phase === 'scheduled') {
    // Approved and waiting for its maintenance window: the approval stays recorded; the change job takes the
    // withdrawal if it comes before the window (the card then follows the job).
    await deps.jobs.raise(job.envelope.jobId, DECISION_EVENT, proposed);
    return { kind: 'card', card: cardFor(job, { ...currentState(job), phase: 'withdrawn', decidedBy: proposed.by, decidedAt: proposed.at }, 'requester') };
  }
  const { recorded, decision } = await deps.approvals.decide(job.change.requestId, proposed);
  if (recorded) await deps.jobs.raise(job.envelope.jobId, DECISION_EVENT, proposed);
  return { kind: 'card', card: cardFor(job, decidedState(decision), 'requester') };
}

/** `cancel <change job>`: a pending change is withdrawn (with its cards and audit); one being applied runs to its end. */
export async function cancelChange(jobId: string, caller: CardAction['caller'], deps: BotDeps): Promise<AdaptiveCard | undefined> {
  const job = await changeJob(jobId, deps);
  if (!job) return undefined;
  if (job.change.phase === 'awaiting-approval' || job.change.phase === 'scheduled') {
    const outcome = await withdraw(job, { caller }, deps);
    return outcome.kind === 'card' ? outcome.card : undefined;
  }
  throw new UserError('ChangeCannotBeCancelled', `This change is ${phaseWords(job.change.phase)}; a change in progress finishes (and rolls back if it does not verify) rather than stopping half-way.`);
}

/** Universal Actions refresh (and "Open the request"): the caller's own view of an approval card. */
export async function approvalView(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const jobId = stringField(action.data, 'jobId', 300);
  const requestId = stringField(action.data, 'requestId', 300);
  const job = await changeJob(jobId, deps);
  if (!job) throw new UserError('ChangeNotFound', 'That change is no longer known.', 'Type `approvals` to see what waits for a decision.');
  // The connection's job runs a newer change now: this card's request has ended, and the audit has its story.
  if (job.change.requestId !== requestId) return { kind: 'card', card: endedRequestCard(job.change.title, job.change.site, phaseWords(job.change.phase)) };
  return { kind: 'card', card: cardFor(job, currentState(job), audienceOf(action, job, deps)) };
}

function decidedState(decision: ChangeDecision): ChangeState {
  const phase: ChangePhase = decision.decision === 'approved' ? 'approved' : decision.decision === 'rejected' ? 'rejected' : 'withdrawn';
  return { phase, decidedBy: decision.by, decidedAt: decision.at, ...(decision.reason ? { reason: decision.reason } : {}) };
}

/**
 * What `approvals` lists: every change still waiting for a decision (checked against the job itself, not only the
 * index), except the caller's own, which they cannot decide.
 */
export async function pendingForCaller(caller: CardAction['caller'], deps: BotDeps, limit: number): Promise<{ readonly pending: PendingApproval[]; readonly ownWaiting: number }> {
  const listed = await deps.approvals.pending(limit);
  const pending: PendingApproval[] = [];
  let ownWaiting = 0;
  for (const entry of listed) {
    const job = await changeJob(entry.jobId, deps);
    if (!job || job.record.status !== 'Running' || job.change.phase !== 'awaiting-approval' || job.change.requestId !== entry.requestId) continue;
    if (audienceOf({ caller }, job, deps) === 'requester') ownWaiting++;
    else pending.push(entry);
  }
  return { pending, ownWaiting };
}
