import { app } from '@azure/functions';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { createDurableJobService } from '../adapters/durable/durable-job-service';
import { createTurnLogic } from '../adapters/teams/teams-turn';
import { handleCardAction } from '../bot/handle-card-action';
import { handleMessage } from '../bot/handle-message';
import { welcome } from '../bot/welcome';
import { describeError } from '../bot/present-error';
import { appServices } from './app-services';

/** Largest activity we accept; Teams messages are far smaller (the service caps them near 100 KB). */
const MAX_BODY_BYTES = 1024 * 1024;

/** `POST /api/messages`: the Bot Framework endpoint. Authentication happens in the Teams adapter. */
export async function messages(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const services = appServices();
  const raw = await request.arrayBuffer();
  if (raw.byteLength > MAX_BODY_BYTES) return { status: 413 };
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    return { status: 400, jsonBody: { error: 'The request body is not JSON.' } };
  }
  const deps = services.botDeps(createDurableJobService(df.getClient(context)));
  const logic = createTurnLogic(
    {
      onMessage: (message) => handleMessage(message, deps),
      onAction: (action) => handleCardAction(action, deps),
      onInstalled: (caller, reply) => welcome(caller, reply, deps),
    },
    services.conversations,
    {
      allowLoopbackDownloads: services.config.azure.target === 'simulator',
      onRefused: (why) => services.log.warn('activity not handled', { invocationId: context.invocationId, why }),
    },
  );
  const result = await services.teams.handle({ authorization: request.headers.get('authorization') ?? undefined, body }, logic, (error) =>
    services.log.error('bot turn failed', { invocationId: context.invocationId, error: describeError(error) }),
  );
  return { status: result.status, ...(result.body !== undefined ? { jsonBody: result.body } : {}) };
}

app.http('messages', {
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'messages',
  extraInputs: [df.input.durableClient()],
  handler: messages,
});
