import { normalizeId } from '../core/auth/access-policy';
import { UserError } from '../core/errors/user-error';
import type { JobEnvelope } from '../core/jobs/job-envelope';
import type { BotDeps } from './bot-deps';
import { describeError } from './present-error';

/**
 * Only the person who started a job acts on it by id (cancel, page through its result): the owner is the job's
 * recorded, verified identity, never data a card sent back. A refusal is audited, and says who the job belongs to.
 */
export async function requireOwnJob(
  job: { readonly jobId: string; readonly envelope: JobEnvelope<unknown> },
  caller: { aadObjectId?: string; displayName: string },
  what: { readonly action: string; readonly problem: (owner: string) => string; readonly fix: (owner: string) => string },
  deps: BotDeps,
): Promise<void> {
  const owner = job.envelope.requestedBy;
  if (caller.aadObjectId && normalizeId(caller.aadObjectId) === normalizeId(owner.aadObjectId)) return;
  await recordRefusal(deps, { action: what.action, actor: { ...(caller.aadObjectId ? { aadObjectId: caller.aadObjectId } : {}), name: caller.displayName }, target: job.jobId, outcome: 'denied', jobId: job.jobId, detail: 'not the requester' });
  throw new UserError('NotYourJob', what.problem(owner.name), what.fix(owner.name));
}

/**
 * Audits a refusal without letting the audit decide the answer: a refusal still reaches the person (and an invoke
 * still gets its 200) when Table Storage is down; the lost record is logged instead.
 */
export async function recordRefusal(deps: Pick<BotDeps, 'audit' | 'log'>, record: Parameters<BotDeps['audit']['record']>[0]): Promise<void> {
  try {
    await deps.audit.record(record);
  } catch (error) {
    deps.log.error('could not audit a refusal', { action: record.action, target: record.target, outcome: record.outcome, error: describeError(error) });
  }
}
