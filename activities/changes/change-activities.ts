import type { ChangeCardModel } from '../../cards/change-card';
import { approvalReminderCard, changeCard, changeCardModel, requesterNoticeCard } from '../../cards/change-card';
import { renderJobCard } from '../../cards/job-card-view';
import { changeJobId } from '../../core/change/change-job-id';
import { changeStatusOf } from '../../core/change/change-state';
import { phaseWords } from '../../core/change/check-press';
import { planFingerprint } from '../../core/change/plan-fingerprint';
import type { ChangePayload } from '../../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { JobEnvelope, JobRef } from '../../core/jobs/job-envelope';
import type { ChangeState } from '../../core/change/change-state';
import { PERSON_NOT_REACHABLE } from '../../core/ports/messaging';
import { isUserError } from '../../core/errors/user-error';
import type {
  ApplyChangeOutput,
  ApprovalCardRef,
  ChangeCardsInput,
  ChangeStepInput,
  OpenApprovalInput,
  PlanChangeInput,
  PlanChangeOutput,
  PostApprovalCardInput,
  PostApprovalCardOutput,
  StartChangeInput,
  StartChangeOutput,
  VerifyChangeOutput,
} from '../activity-names';
import type { ActivityPorts } from '../activity-ports';
import { handlerFor } from './change-kinds';

/** The change kind's plan, with its fingerprint (what approvers approve). */
export async function planChange(input: PlanChangeInput, ports: ActivityPorts): Promise<PlanChangeOutput> {
  const planned = await handlerFor(input.kind).plan(input, ports);
  if (planned.kind === 'site-not-found' || planned.kind === 'nothing-to-change') return planned;
  return { kind: 'planned', plan: planned, fingerprint: planFingerprint(planned) };
}

/**
 * Starts the change job under its business key (the encoded connection id), with the approval terms configuration
 * gives this kind now. The Durable extension refuses the id while another change to the connection runs: then the
 * running job is named, with its requester and state.
 */
export async function startChange(input: StartChangeInput, ports: ActivityPorts): Promise<StartChangeOutput> {
  const { envelope: request, plan, fingerprint } = input;
  const jobId = changeJobId(plan.target.connectionId);
  const policy = ports.approvalPolicy;
  const envelope: JobEnvelope<ChangePayload> = {
    ...request,
    jobId,
    commandLine: request.commandLine,
    payload: {
      requestId: request.jobId,
      plan,
      fingerprint,
      approval: { required: policy.required[plan.kind], timeoutMs: Math.round(policy.timeoutHours * 3_600_000), approverIds: [...ports.approverIds], ...(policy.channelId ? { channelId: policy.channelId } : {}) },
    },
  };
  if ((await ports.jobs.start(ORCHESTRATIONS.change, envelope)) === 'conflict') {
    const running = await ports.jobs.get(jobId);
    const phase = changeStatusOf(running?.customStatus)?.phase;
    return {
      kind: 'refused',
      running: {
        jobId,
        requestedBy: running?.envelope?.requestedBy.name ?? 'someone',
        state: phase ? phaseWords(phase) : (running?.status.toLowerCase() ?? 'running'),
        commandLine: running?.envelope?.commandLine ?? 'a change',
      },
    };
  }
  try {
    await ports.jobIndex.add({ jobId, requesterId: request.requestedBy.aadObjectId, createdAt: ports.now() });
  } catch (error) {
    // The change runs either way: a failed index write only hides it from `jobs`.
    ports.log.warn('could not index the change job for `jobs`', { jobId, error: String(error) });
  }
  return { kind: 'handed-over', jobId };
}

export async function applyChange(input: ChangeStepInput, ports: ActivityPorts): Promise<ApplyChangeOutput> {
  const { plan } = (await changeJobInput(input.jobId, ports)).payload;
  return { detail: await handlerFor(plan.kind).apply(plan, ports, input.step) };
}

export async function verifyChange(input: ChangeStepInput, ports: ActivityPorts): Promise<VerifyChangeOutput> {
  const { plan } = (await changeJobInput(input.jobId, ports)).payload;
  return handlerFor(plan.kind).verify(plan, ports, sinceOf(input, ports));
}

export async function verifyUnchanged(input: ChangeStepInput, ports: ActivityPorts): Promise<VerifyChangeOutput> {
  const { plan } = (await changeJobInput(input.jobId, ports)).payload;
  return handlerFor(plan.kind).verifyUnchanged(plan, ports, sinceOf(input, ports));
}

/** When the checked step began; a check asked without it (a test, an old history) looks back from now. */
function sinceOf(input: ChangeStepInput, ports: ActivityPorts): Date {
  const since = input.since ? new Date(input.since) : undefined;
  return since && Number.isFinite(since.getTime()) ? since : ports.now();
}

export async function rollbackChange(input: ChangeStepInput, ports: ActivityPorts): Promise<ApplyChangeOutput> {
  const { plan } = (await changeJobInput(input.jobId, ports)).payload;
  const handler = handlerFor(plan.kind);
  if (!handler.rollback || !plan.rollback) throw new Error(`change kind ${plan.kind} has no rollback for this plan`);
  return { detail: await handler.rollback(plan, ports) };
}

/** Lists the request for `approvals` (before its cards go out, so approvers can find it even if a card cannot). */
export async function openApproval(input: OpenApprovalInput, ports: ActivityPorts): Promise<void> {
  const { job } = input;
  await ports.approvals.open({
    requestId: input.requestId,
    jobId: job.jobId,
    title: input.title,
    site: input.site,
    requesterId: job.requestedBy.aadObjectId,
    requesterName: job.requestedBy.name,
    fingerprint: input.fingerprint,
    requestedAt: job.requestedAt,
    expiresAt: input.expiresAt,
  });
}

/**
 * Posts one approval card: in the approvals channel, or in one approver's personal chat (through the requester's
 * conversation's service). The card as posted is the observer's view; approvers get theirs through its refresh. An
 * approver the bot cannot reach personally is an answer, not a failure: retrying would not change it.
 */
export async function postApprovalCard(input: PostApprovalCardInput, ports: ActivityPorts): Promise<PostApprovalCardOutput> {
  try {
    const model = await cardModel(input.job, input.state, ports);
    return { kind: 'posted', ...(await ports.messenger.postTo(input.job.conversationKey, input.to, changeCard(model, 'observer'))) };
  } catch (error) {
    if (isUserError(error) && error.code === PERSON_NOT_REACHABLE) return { kind: 'unreachable', problem: error.safeMessage };
    throw error;
  }
}

/** Half-time: a short reminder next to each approval card. */
export async function remindApprovers(input: ChangeCardsInput, ports: ActivityPorts): Promise<void> {
  const model = await cardModel(input.job, input.state, ports);
  await eachCard(input.cards, (ref) => ports.messenger.post(ref.conversationKey, approvalReminderCard(model)));
}

/** The request is decided or expired: `approvals` no longer lists it. */
export async function closeApproval(input: { readonly requestId: string }, ports: ActivityPorts): Promise<void> {
  await ports.approvals.close(input.requestId);
}

/**
 * Shows the change's current state on the requester's card and on every approval card (each card is tried; a
 * failure is raised after all were tried, so the orchestration's retry updates what is still stale).
 */
export async function showChange(input: ChangeCardsInput, ports: ActivityPorts): Promise<void> {
  const { job } = input;
  const model = await cardModel(job, input.state, ports);
  const requesterCard = renderJobCard(job, { kind: 'change', model }, ports.now());
  const approvalCard = changeCard(model, 'observer');
  await eachCard([{ conversationKey: job.conversationKey, activityId: job.cardActivityId }, ...input.cards], (ref) =>
    ports.messenger.update(ref.conversationKey, ref.activityId, ref.activityId === job.cardActivityId && ref.conversationKey === job.conversationKey ? requesterCard : approvalCard),
  );
}

/** A rejected or expired change: a new message to the requester (an update in place would not notify them). */
export async function notifyRequester(input: ChangeCardsInput, ports: ActivityPorts): Promise<void> {
  await ports.messenger.post(input.job.conversationKey, requesterNoticeCard(await cardModel(input.job, input.state, ports)));
}

/**
 * The change job's input: its plan, fingerprint and approval terms, stored once by Durable, so the pipeline's steps
 * and card updates carry only the job id. Only the running change job's activities call this, and the job holds its
 * business key (the instance id) until it ends.
 */
async function changeJobInput(jobId: string, ports: ActivityPorts): Promise<JobEnvelope<ChangePayload>> {
  const record = await ports.jobs.get(jobId);
  const envelope = record?.orchestration === ORCHESTRATIONS.change ? (record.envelope as JobEnvelope<ChangePayload> | undefined) : undefined;
  if (!envelope?.payload?.plan) throw new Error(`change job ${jobId}: its input (the plan) could not be read`);
  return envelope;
}

/** The cards' model: the plan and approval terms from the change job's input, the state from the activity's. */
async function cardModel(job: JobRef, state: ChangeState, ports: ActivityPorts): Promise<ChangeCardModel> {
  return changeCardModel(await changeJobInput(job.jobId, ports), state);
}

async function eachCard(cards: readonly ApprovalCardRef[], send: (ref: ApprovalCardRef) => Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled(cards.map(send));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
