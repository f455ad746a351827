/**
 * A Functions app for the job service tests: two orchestrations, and one HTTP function that runs a JobService
 * operation over the REAL Durable client the function receives (as functions/messages.ts does).
 */
import type { HttpRequest } from '@azure/functions';
import * as df from 'durable-functions';
import type { DurableClient, OrchestrationContext } from 'durable-functions';
import { createDurableJobService } from '../../../adapters/durable/durable-job-service';
import type { JobEnvelope } from '../../../core/jobs/job-envelope';

/** Runs until the test raises `go`; shows progress like the bot's jobs do. */
df.app.orchestration('WaitForGo', function* (context: OrchestrationContext) {
  context.df.setCustomStatus({ step: 'waiting', detail: 'for go' });
  yield context.df.waitForExternalEvent('go');
  return { done: true };
});

/** Completes at once with its payload. */
df.app.orchestration('Quick', function* (context: OrchestrationContext) {
  const input = context.df.getInput<JobEnvelope<unknown> | undefined>();
  yield context.df.createTimer(context.df.currentUtcDateTime);
  return input?.payload ?? null;
});

df.app.client.http('JobOps', {
  route: 'jobs/{op}',
  methods: ['POST'],
  handler: async (request: HttpRequest, client: DurableClient) => {
    const args = (await request.json()) as Record<string, unknown>;
    const jobs = createDurableJobService(client);
    switch (request.params.op) {
      case 'start':
        return { jsonBody: { result: await jobs.start(String(args.orchestration) as never, args.envelope as JobEnvelope<never>) } };
      case 'startMany': {
        const envelopes = args.envelopes as JobEnvelope<unknown>[];
        const results: string[] = [];
        for (let i = 0; i < envelopes.length; i += 25) results.push(...(await Promise.all(envelopes.slice(i, i + 25).map((e) => jobs.start(String(args.orchestration) as never, e as JobEnvelope<never>)))));
        return { jsonBody: { results } };
      }
      case 'startRaw':
        // An instance someone else started, with an input that is not a job envelope.
        await client.startNew(String(args.orchestration), { instanceId: String(args.instanceId), input: args.input });
        return { jsonBody: { ok: true } };
      case 'get':
        return { jsonBody: { record: (await jobs.get(String(args.jobId))) ?? null } };
      case 'cancel':
        await jobs.cancel(String(args.jobId), String(args.reason));
        return { jsonBody: { ok: true } };
      case 'raise':
        await client.raiseEvent(String(args.jobId), 'go', { go: true });
        return { jsonBody: { ok: true } };
      default:
        return { status: 404 };
    }
  },
});
