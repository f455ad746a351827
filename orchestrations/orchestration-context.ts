import type { OrchestrationContext, Task } from 'durable-functions';
import { RetryOptions } from 'durable-functions';
import type { JobCardView } from '../activities/activity-names';
import { ACTIVITIES } from '../activities/activity-names';
import { decodeActivityFailure } from './activity-failure';
import type { JobEnvelope, JobProgress } from '../core/jobs/job-envelope';

export type { OrchestrationContext, Task };

/** What orchestrator generators yield (durable tasks) and return. */
export type Orchestration<Result> = Generator<Task, Result, unknown>;

/** Read-only Azure reads are retried once more by the orchestration (the SDK already retried transient errors). */
export function readRetry(): RetryOptions {
  const retry = new RetryOptions(2_000, 2);
  retry.backoffCoefficient = 2;
  return retry;
}

export function setProgress(context: OrchestrationContext, progress: JobProgress): void {
  context.df.setCustomStatus(progress);
}

export function showCard(context: OrchestrationContext, envelope: JobEnvelope<unknown>, view: JobCardView) {
  return context.df.callActivity(ACTIVITIES.showJobCard, { envelope, view });
}

/** The card for a failed step: the activity's safe text, or a reference for unexpected failures. */
export function failureView(title: string, error: unknown): JobCardView {
  const failure = decodeActivityFailure(error);
  return { kind: 'failed', title, problem: failure.problem, code: failure.code, ...(failure.fix ? { fix: failure.fix } : {}) };
}
