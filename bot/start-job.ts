import { errorCard } from '../cards/error-card';
import { jobCard } from '../cards/job-card';
import type { JobPayload, OrchestrationName } from '../core/jobs/job-catalog';
import type { JobEnvelope } from '../core/jobs/job-envelope';
import { deliveryKey } from '../core/jobs/delivery-key';
import type { BotDeps } from './bot-deps';
import type { ChatMessage } from '../core/ports/chat';
import { presentError } from './present-error';

export interface JobToStart<N extends OrchestrationName> {
  readonly orchestration: N;
  readonly jobId: string;
  readonly commandLine: string;
  readonly payload: JobPayload<N>;
  /** What the audit record calls the action and its target. */
  readonly audit: { readonly action: string; readonly target: string };
  /** Shown when a job with this id is still running. */
  readonly alreadyRunning: string;
  /** The id derives from the Teams activity: claim its delivery first, so a redelivery starts (and says) nothing. */
  readonly claimDelivery?: boolean;
}

export type JobStartResult = 'started' | 'conflict' | 'failed' | 'duplicate';

/**
 * A job id for `name` on `target` (lower case), derived from the Teams activity that asked when it has an id (see
 * core/jobs/delivery-key.ts), else random; `claim` says whether the delivery must be claimed before starting.
 */
export function jobIdFor(name: string, target: string, surface: { readonly activityId?: string; readonly conversation: { readonly id: string } }, deps: BotDeps): { readonly jobId: string; readonly claim: boolean } {
  const suffix = surface.activityId ? deliveryKey(surface.conversation.id, surface.activityId) : deps.newId();
  return { jobId: `${name}-${target}-${suffix}`.toLowerCase(), claim: surface.activityId !== undefined };
}

/**
 * The one way the bot starts a job: acknowledgement card first (so the person sees an answer at once), then the
 * orchestration with that card's id to update, then the per-person index and the audit record. If the job can't
 * start, the acknowledgement card is replaced: it must never keep promising a result no job will bring.
 */
export async function startJob<N extends OrchestrationName>(surface: Pick<ChatMessage, 'caller' | 'reply' | 'update' | 'rememberConversation'>, job: JobToStart<N>, deps: BotDeps): Promise<JobStartResult> {
  if (job.claimDelivery && !(await deps.jobIndex.claimDelivery(job.jobId))) {
    deps.log.info('the same Teams activity came again; its job was started already', { jobId: job.jobId });
    return 'duplicate';
  }
  const startedAt = deps.now();
  const requestedBy = { aadObjectId: surface.caller.aadObjectId!, name: surface.caller.displayName };
  // The acknowledgement goes out while the conversation is remembered: the person sees it one Table write sooner.
  const [remembered, replied] = await Promise.allSettled([
    surface.rememberConversation(),
    surface.reply(jobCard({ jobId: job.jobId, commandLine: job.commandLine, requestedBy: requestedBy.name, startedAt, state: 'started' })),
  ]);
  if (replied.status === 'rejected') throw replied.reason;
  const cardActivityId = replied.value;
  if (remembered.status === 'rejected') {
    // Without the conversation the job could never answer: the card must not keep promising it will.
    await surface.update(cardActivityId, presentError(remembered.reason, { log: deps.log, reference: job.jobId, where: `start ${job.orchestration}`, title: 'Could not start the job' }));
    return 'failed';
  }
  const conversationKey = remembered.value;
  const envelope: JobEnvelope<JobPayload<N>> = {
    jobId: job.jobId,
    commandLine: job.commandLine,
    requestedBy,
    conversationKey,
    cardActivityId,
    requestedAt: startedAt.toISOString(),
    payload: job.payload,
  };
  let started: 'started' | 'conflict';
  try {
    started = await deps.jobs.start(job.orchestration, envelope);
  } catch (error) {
    await surface.update(cardActivityId, presentError(error, { log: deps.log, reference: job.jobId, where: `start ${job.orchestration}`, title: 'Could not start the job' }));
    return 'failed';
  }
  if (started === 'conflict') {
    await surface.update(cardActivityId, errorCard({ title: 'Already running', problem: job.alreadyRunning, fix: 'Wait for it to finish, or see `jobs`.', code: 'JobAlreadyRunning' }));
    return 'conflict';
  }
  try {
    await deps.jobIndex.add({ jobId: job.jobId, requesterId: requestedBy.aadObjectId, createdAt: startedAt });
  } catch (error) {
    // The job runs either way: a failed index write only hides it from `jobs`.
    deps.log.warn('could not index the job for `jobs`', { jobId: job.jobId, error: String(error) });
  }
  await deps.audit.record({ action: job.audit.action, actor: requestedBy, target: job.audit.target, outcome: 'started', jobId: job.jobId });
  return 'started';
}
