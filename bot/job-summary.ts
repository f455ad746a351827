import type { JobState, JobSummary } from '../cards/jobs-card';
import type { JobProgress } from '../core/jobs/job-envelope';
import type { JobRecord, JobRuntimeStatus } from '../core/ports/jobs';

const STATE: Record<JobRuntimeStatus, JobState> = {
  Running: 'running',
  Pending: 'pending',
  Completed: 'completed',
  Failed: 'failed',
  Terminated: 'cancelled',
  Canceled: 'cancelled',
  Suspended: 'suspended',
  ContinuedAsNew: 'running',
  Unknown: 'unknown',
};

export function isActive(status: JobRuntimeStatus): boolean {
  return status === 'Running' || status === 'Pending' || status === 'Suspended' || status === 'ContinuedAsNew';
}

export function toJobSummary(record: JobRecord, cancellable: boolean): JobSummary {
  const progress = record.customStatus as Partial<JobProgress> | undefined;
  const detail = progress && typeof progress.step === 'string' ? [progress.step, typeof progress.detail === 'string' ? progress.detail : undefined].filter(Boolean).join(': ') : undefined;
  return {
    jobId: record.jobId,
    commandLine: record.envelope?.commandLine ?? record.orchestration,
    state: STATE[record.status] ?? 'unknown',
    createdAt: record.createdAt,
    lastUpdatedAt: record.lastUpdatedAt,
    ...(detail ? { detail } : {}),
    cancellable: cancellable && isActive(record.status),
  };
}
