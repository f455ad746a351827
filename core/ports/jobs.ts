import type { JobPayload, OrchestrationName } from '../jobs/job-catalog';
import type { JobEnvelope } from '../jobs/job-envelope';

export type JobRuntimeStatus = 'Running' | 'Pending' | 'Completed' | 'Failed' | 'Terminated' | 'Suspended' | 'ContinuedAsNew' | 'Canceled' | 'Unknown';

export interface JobRecord {
  readonly jobId: string;
  readonly orchestration: string;
  readonly status: JobRuntimeStatus;
  readonly createdAt: Date;
  readonly lastUpdatedAt: Date;
  readonly envelope?: JobEnvelope<unknown>;
  readonly customStatus?: unknown;
  /** The orchestration's result once completed (e.g. the fleet status a card pages through). */
  readonly output?: unknown;
}

/** Durable jobs as the bot uses them (wraps the Durable client). */
export interface JobService {
  /** Starts the orchestration; `conflict` when a job with this id is still running. */
  start<N extends OrchestrationName>(orchestration: N, envelope: JobEnvelope<JobPayload<N>>): Promise<'started' | 'conflict'>;
  get(jobId: string): Promise<JobRecord | undefined>;
  cancel(jobId: string, reason: string): Promise<void>;
  /** Raises an event the job waits for (e.g. a decision on a change). */
  raise(jobId: string, event: string, data: unknown): Promise<void>;
}

/**
 * Which jobs each person started, so `jobs` reads only the caller's few instead of every instance in the task hub.
 * Status still comes from the Durable client; the index only knows ids.
 */
export interface JobIndex {
  add(entry: { readonly jobId: string; readonly requesterId: string; readonly createdAt: Date }): Promise<void>;
  /**
   * Claims one delivery of a Teams activity (its job id is derived from the activity id): true the first time, false
   * when the same activity came again (Teams redelivers when an answer is slow), so it starts nothing twice.
   */
  claimDelivery(jobId: string): Promise<boolean>;
  /** Job ids the person started since `since`, newest first, at most `limit`. */
  recentFor(requesterId: string, since: Date, limit: number): Promise<string[]>;
}
