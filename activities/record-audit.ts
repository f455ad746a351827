import type { RecordAuditInput } from './activity-names';
import type { ActivityPorts } from './activity-ports';

/** Audit records for what a job did (who asked comes from the envelope, captured from the verified activity). */
export async function recordAudit(input: RecordAuditInput, ports: ActivityPorts): Promise<void> {
  await ports.audit.record({
    action: input.action,
    actor: input.actor ?? input.envelope.requestedBy,
    target: input.target,
    outcome: input.outcome,
    jobId: input.envelope.jobId,
    ...(input.detail ? { detail: input.detail } : {}),
  });
}
