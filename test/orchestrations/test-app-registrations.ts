/**
 * What the test apps of the local host share (test/orchestrations/orchestration-app.ts, test/fault-matrix/matrix-app.ts):
 * the bot's real orchestrators with the given activities and ports, unexpected failures kept by reference, and an HTTP
 * route that starts a job the way the bot does. Call once, from the app module the host loads.
 */
import type { HttpRequest } from '@azure/functions';
import * as df from 'durable-functions';
import type { DurableClient } from 'durable-functions';
import type { ActivityPorts } from '../../activities/activity-ports';
import type { ActivityFunctions } from '../../activities/create-activities';
import { registerDurableFunctions } from '../../functions/durable-registrations';

export function registerTestApp(options: {
  readonly ports: (durableClient: () => DurableClient) => ActivityPorts;
  readonly activities: ActivityFunctions;
  /** Each unexpected failure the registrations logged: its reference and full text. */
  readonly onUnexpected: (reference: string, text: string) => void;
  readonly newReference: () => string;
}): void {
  registerDurableFunctions({
    ports: options.ports,
    activities: options.activities,
    log: () => ({
      info: () => undefined,
      warn: () => undefined,
      error: (_message, properties) => options.onUnexpected(String(properties?.reference), String(properties?.error)),
    }),
    newReference: options.newReference,
  });

  /** Starts a job the way the bot does: its envelope as input, the job id as the instance id. */
  df.app.client.http('StartJob', {
    route: 'start/{name}/{id}',
    methods: ['POST'],
    handler: async (request: HttpRequest, client: DurableClient) => {
      const id = await client.startNew(request.params.name ?? '', { instanceId: request.params.id ?? '', input: await request.json() });
      return { status: 202, jsonBody: { id } };
    },
  });
}
