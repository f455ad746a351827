import { jobCard } from '../cards/job-card';
import { UserError } from '../core/errors/user-error';
import { isChangeJobId } from '../core/change/change-job-id';
import type { BotDeps } from './bot-deps';
import { cancelChange } from './change-actions';
import { isActive } from './job-summary';
import { requireOwnJob } from './own-job';

/**
 * Cancels a job the caller started. Used by `cancel <job-id>` and the Cancel button, so both enforce the same
 * rules: the caller must be the requester (taken from the job's recorded, verified identity) and the job must still run.
 */
export async function cancelJob(jobId: string, caller: { aadObjectId?: string; tenantId?: string; displayName: string }, deps: BotDeps): Promise<{ commandLine: string }> {
  const job = await deps.jobs.get(jobId);
  if (!job || !job.envelope) throw new UserError('JobNotFound', `There is no job ${jobId}.`, 'Type `jobs` to see your operations and their ids.');
  await requireOwnJob({ jobId, envelope: job.envelope }, caller, { action: 'cancel', problem: (owner) => `Job ${jobId} was started by ${owner}; you can only cancel jobs you started.`, fix: (owner) => `Ask ${owner} to cancel it.` }, deps);
  if (!isActive(job.status)) {
    throw new UserError('JobNotRunning', `Job ${jobId} is not running any more (it is ${job.status.toLowerCase()}).`);
  }
  // A change is not terminated: waiting for approval it is withdrawn (cards and audit follow); applying, it finishes.
  if (isChangeJobId(jobId)) {
    await cancelChange(jobId, caller, deps);
    return { commandLine: job.envelope.commandLine };
  }
  await deps.jobs.cancel(jobId, `Cancelled in Teams by ${caller.displayName}`);
  await deps.audit.record({ action: 'cancel', actor: { aadObjectId: job.envelope.requestedBy.aadObjectId, name: caller.displayName }, target: jobId, outcome: 'cancelled', jobId });
  // A terminated orchestration can't update its own card, so the canceller does.
  await deps.messenger
    .update(
      job.envelope.conversationKey,
      job.envelope.cardActivityId,
      jobCard({
        jobId,
        commandLine: job.envelope.commandLine,
        requestedBy: job.envelope.requestedBy.name,
        startedAt: new Date(job.envelope.requestedAt),
        state: 'cancelled',
        note: `Cancelled by ${caller.displayName}.`,
      }),
    )
    .catch((error: unknown) => deps.log.warn('could not update the cancelled job card', { jobId, error: String(error) }));
  return { commandLine: job.envelope.commandLine };
}
