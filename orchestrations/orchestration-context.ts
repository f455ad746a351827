import type { OrchestrationContext, Task } from 'durable-functions';
import { RetryOptions } from 'durable-functions';
import type { ActivityInput, ActivityName, ActivityOutput, JobCardView } from '../activities/activity-names';
import { ACTIVITIES } from '../activities/activity-names';
import type { JobPayload, OrchestrationName } from '../core/jobs/job-catalog';
import type { JobEnvelope, JobProgress } from '../core/jobs/job-envelope';
import { jobRefOf } from '../core/jobs/job-envelope';
import { PASSING_FAILURE_CODES } from '../core/errors/user-error';
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

/** What a read is tried again after: Azure throttling, unavailable or slow, or an unexpected failure. */
const TRANSIENT_FAILURES: ReadonlySet<string> = new Set([...PASSING_FAILURE_CODES, 'Unexpected']);
/** Attempts of a read activity, and the wait before the second (doubling after). */
export const READ_ATTEMPTS = 2;
const READ_RETRY_MS = 2_000;

/**
 * A read-only activity, tried once more when it failed for a reason that may pass (the SDK already retried
 * transient HTTP errors). A refusal is final: Azure's 400/401/403/404 (AzureBadRequest, AzureUnauthenticated,
 * AzureForbidden, AzureNotFound) and every other typed error answer the same way the second time.
 */
export function readActivity<N extends ActivityName>(context: OrchestrationContext, name: N, input: ActivityInput<N>): Generator<Task, ActivityOutput<N>, unknown> {
  return retriedActivity(context, name, input, READ_ATTEMPTS);
}

/** An activity tried up to `attempts` times while it fails for a reason that may pass (see readActivity). */
export function* retriedActivity<N extends ActivityName>(context: OrchestrationContext, name: N, input: ActivityInput<N>, attempts: number): Generator<Task, ActivityOutput<N>, unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return yield* activity(context, name, input);
    } catch (error) {
      if (attempt >= attempts || !TRANSIENT_FAILURES.has(decodeActivityFailure(error).code)) throw error;
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + READ_RETRY_MS * 2 ** (attempt - 1)));
    }
  }
}

/**
 * For the fleet's parallel reads (Task.all), which fail only unexpectedly: Azure's refusals become gaps and row
 * problems in their output, so a retry never repeats a 4xx.
 */
export function fleetReadRetry(): RetryOptions {
  const retry = new RetryOptions(READ_RETRY_MS, READ_ATTEMPTS);
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

/** A post to Teams still throttled after the messenger waited out its Retry-After answers is tried again later. */
export function postRetry(): RetryOptions {
  const retry = new RetryOptions(5_000, 4);
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
  return { kind: 'failed', title, problem: failure.problem, code: failure.code, ...(failure.fix ? { fix: failure.fix } : {}), ...(failure.findings ? { findings: failure.findings } : {}) };
}
