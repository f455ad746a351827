import type { OrchestrationContext, Task } from 'durable-functions';
import { RetryOptions } from 'durable-functions';
import type { ActivityInput, ActivityName, ActivityOutput, JobCardView } from '../activities/activity-names';
import { ACTIVITIES } from '../activities/activity-names';
import type { JobPayload, OrchestrationName } from '../core/jobs/job-catalog';
import type { JobEnvelope, JobProgress } from '../core/jobs/job-envelope';
import { jobRefOf } from '../core/jobs/job-envelope';
import { decodeActivityFailure } from './activity-failure';

export type { OrchestrationContext, Task };

/** What orchestrator generators yield (durable tasks) and return. */
export type Orchestration<Result> = Generator<Task, Result, unknown>;

/** The job's envelope, typed by the job catalog: the bot started `name` with exactly this payload. */
export function jobInput<N extends OrchestrationName>(context: OrchestrationContext, _name: N): JobEnvelope<JobPayload<N>> {
  return context.df.getInput<JobEnvelope<JobPayload<N>>>();
}

/**
 * Calls an activity and returns its result typed by the activity catalog (`yield* activity(...)`). The Durable SDK
 * hands results back as `unknown`; this is the one place that relies on the catalog for their type.
 */
export function* activity<N extends ActivityName>(context: OrchestrationContext, name: N, input: ActivityInput<N>, retry?: RetryOptions): Generator<Task, ActivityOutput<N>, unknown> {
  return (yield activityTask(context, name, input, retry)) as ActivityOutput<N>;
}

/** The task of an activity call, for Task.all / Task.any; read its result with `resultOf`. */
export function activityTask<N extends ActivityName>(context: OrchestrationContext, name: N, input: ActivityInput<N>, retry?: RetryOptions): Task & { readonly activity: N } {
  const task = retry ? context.df.callActivityWithRetry(name, retry, input) : context.df.callActivity(name, input);
  return Object.assign(task, { activity: name });
}

/** The result of a completed activity task, typed by the activity it called. */
export function resultOf<N extends ActivityName>(task: Task & { readonly activity: N }): ActivityOutput<N> {
  return task.result as ActivityOutput<N>;
}

/** Read-only Azure reads are retried once more by the orchestration (the SDK already retried transient errors). */
export function readRetry(): RetryOptions {
  const retry = new RetryOptions(2_000, 2);
  retry.backoffCoefficient = 2;
  return retry;
}

/**
 * Audit writes are retried for a long while (about half an hour, backing off to 5 min): a short Table Storage outage
 * after Azure was changed must not lose the record.
 */
export function auditRetry(): RetryOptions {
  const retry = new RetryOptions(2_000, 12);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 300_000;
  return retry;
}

/** Card updates are retried a few times (Teams throttles and has short outages); after that the change goes on without. */
export function cardRetry(): RetryOptions {
  const retry = new RetryOptions(2_000, 4);
  retry.backoffCoefficient = 2;
  return retry;
}

export function setProgress(context: OrchestrationContext, progress: JobProgress): void {
  context.df.setCustomStatus(progress);
}

export function showCard(context: OrchestrationContext, envelope: JobEnvelope<unknown>, view: JobCardView): Generator<Task, void, unknown> {
  return activity(context, ACTIVITIES.showJobCard, { envelope: jobRefOf(envelope), view });
}

/** The card for a failed step: the activity's safe text, or a reference for unexpected failures. */
export function failureView(title: string, error: unknown): JobCardView {
  const failure = decodeActivityFailure(error);
  return { kind: 'failed', title, problem: failure.problem, code: failure.code, ...(failure.fix ? { fix: failure.fix } : {}) };
}
