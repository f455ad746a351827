import { app } from '@azure/functions';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { createDurableJobService } from '../adapters/durable/durable-job-service';
import { createTurnLogic } from '../adapters/teams/teams-turn';
import { handleCardAction } from '../bot/handle-card-action';
import { handleFileConsent } from '../bot/handover-files';
import { handleMessage } from '../bot/handle-message';
import { welcome } from '../bot/welcome';
import { describeError } from '../bot/present-error';
import { appServices } from './app-services';

/** Largest activity we accept; Teams messages are far smaller (the service caps them near 100 KB). */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The body, read only up to `limit` bytes: undefined when it declares (Content-Length) or turns out to be larger,
 * so an oversized request is refused before it is buffered, and a body without a length stops at the limit.
 */
async function readLimited(request: HttpRequest, limit: number): Promise<Uint8Array | undefined> {
  const declared = request.headers.get('content-length');
  if (declared !== null && !(/^\d{1,16}$/.test(declared.trim()) && Number(declared) <= limit)) return undefined;
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** Whether this process has stored a team conversation (channels of the team are posted to through it). */
let teamRemembered = false;

/**
 * The first channel message this process sees: its conversation is one of the team's, through which expiry reports
 * reach channels known only by id (the configured default channel). Once per process; a failure is only logged.
 */
function rememberTeam(rememberConversation: () => Promise<string>): void {
  if (teamRemembered) return;
  teamRemembered = true;
  const services = appServices();
  void rememberConversation()
    .then((key) => services.subscriptions.rememberTeamConversation(key))
    .catch((error: unknown) => {
      teamRemembered = false;
      services.log.warn('could not remember the team conversation', { error: describeError(error) });
    });
}

/** `POST /api/messages`: the Bot Framework endpoint. Authentication happens in the Teams adapter. */
export async function messages(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const services = appServices();
  const raw = await readLimited(request, MAX_BODY_BYTES);
  if (raw === undefined) return { status: 413 };
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    return { status: 400, jsonBody: { error: 'The request body is not JSON.' } };
  }
  const deps = services.botDeps(createDurableJobService(df.getClient(context)));
  const logic = createTurnLogic(
    {
      onMessage: (message) => {
        if (message.conversation.type === 'channel') rememberTeam(message.rememberConversation);
        return handleMessage(message, deps);
      },
      onAction: (action) => handleCardAction(action, deps),
      onFileConsent: (answer) => handleFileConsent(answer, deps),
      onInstalled: (caller, reply) => welcome(caller, reply, deps),
      onAddedToTeam: async (conversationKey) => {
        await services.subscriptions.rememberTeamConversation(conversationKey);
      },
    },
    services.conversations,
    {
      // The sandbox's own loopback server is the only exception to the hosts Teams serves files from.
      downloads: { allowedHosts: services.config.attachmentHosts, allowLoopback: services.config.azure.target === 'simulator' },
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
