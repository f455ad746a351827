import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import type { JobRecord, JobRuntimeStatus, JobService } from '../../core/ports/jobs';
import type { JobEnvelope } from '../../core/jobs/job-envelope';

/** Jobs as the bot sees them, over the real Durable client (HTTP to the Durable extension or the local host). */
export function createDurableJobService(client: DurableClient): JobService {
  return {
    async start(orchestration, envelope) {
      // One call on the acknowledgement path: the extension itself refuses an id that is still running (409).
      try {
        await client.startNew(orchestration, { instanceId: envelope.jobId, input: envelope });
        return 'started';
      } catch (error) {
        // Two starts racing for one business key: the extension answers 409 to the second.
        if (error instanceof Error && /status code: 409/.test(error.message)) return 'conflict';
        throw error;
      }
    },
    async get(jobId) {
      const status = await getStatus(client, jobId);
      return status ? toRecord(status) : undefined;
    },
    async raise(jobId, event, data) {
      await client.raiseEvent(jobId, event, data);
    },
    async cancel(jobId, reason) {
      // The client puts the reason into the URL unencoded; keep it to characters that survive that.
      await client.terminate(jobId, reason.replace(/[^A-Za-z0-9 .,_-]/g, '').slice(0, 200));
    },
  };
}

async function getStatus(client: DurableClient, jobId: string): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(jobId, { showInput: true });
  } catch (error) {
    // durable-functions reports an unknown instance as "...replied with HTTP 404 response...".
    if (error instanceof Error && /HTTP 404 response/.test(error.message)) return undefined;
    throw error;
  }
}

const KNOWN: ReadonlySet<string> = new Set(['Running', 'Pending', 'Completed', 'Failed', 'Terminated', 'Suspended', 'ContinuedAsNew', 'Canceled']);

function toRecord(status: DurableOrchestrationStatus): JobRecord {
  const input = status.input as Partial<JobEnvelope<unknown>> | undefined;
  const envelope = input && typeof input.jobId === 'string' && typeof input.requestedBy?.aadObjectId === 'string' ? (input as JobEnvelope<unknown>) : undefined;
  return {
    jobId: status.instanceId,
    orchestration: status.name,
    status: (KNOWN.has(String(status.runtimeStatus)) ? status.runtimeStatus : 'Unknown') as JobRuntimeStatus,
    createdAt: new Date(status.createdTime),
    lastUpdatedAt: new Date(status.lastUpdatedTime),
    ...(envelope ? { envelope } : {}),
    ...(status.customStatus !== undefined && status.customStatus !== null ? { customStatus: status.customStatus } : {}),
    ...(status.output !== undefined && status.output !== null ? { output: status.output } : {}),
  };
}
