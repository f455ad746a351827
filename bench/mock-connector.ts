import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** How the bot reached the connector: a reply in the turn, a proactive post, or an in-place update. */
export type ConnectorEventKind = 'reply' | 'post' | 'update';

export interface ConnectorEvent {
  readonly kind: ConnectorEventKind;
  readonly conversationId: string;
  /** The activity's id: the one the connector assigned (reply, post) or the one updated. */
  readonly activityId: string;
  /** For a reply: the id of the activity (the person's message) it answers. */
  readonly replyToId?: string;
  /** performance.now() when the whole request body had arrived. */
  readonly receivedAt: number;
  /** The activity as posted (UTF-8 bytes of the request body). */
  readonly activityBytes: number;
  /** Each Adaptive Card attachment's content as JSON (UTF-8 bytes); empty when the activity carries no card. */
  readonly cardBytes: readonly number[];
  /** The first Adaptive Card's content, if any. */
  readonly card?: Record<string, unknown>;
}

export interface MockConnector {
  /** The serviceUrl to put in activities (http://127.0.0.1:<port>/). */
  readonly url: string;
  events(): readonly ConnectorEvent[];
  /** Resolves with the first event, already recorded or arriving later, that satisfies `predicate`. */
  waitFor(predicate: (event: ConnectorEvent) => boolean, timeoutMs: number): Promise<ConnectorEvent>;
  close(): Promise<void>;
}

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * The Bot Framework connector's three routes the bot uses (reply in the turn, proactive send, update in place), on
 * loopback. It records when each activity arrived and how big it was, and answers the way the Teams connector does:
 * `{ id }` for new activities. The benchmarks measure latency at this point, where Teams would show the card.
 */
export async function startMockConnector(): Promise<MockConnector> {
  const recorded: ConnectorEvent[] = [];
  const waiters = new Set<{ predicate: (e: ConnectorEvent) => boolean; resolve: (e: ConnectorEvent) => void }>();
  let nextId = 1;

  const record = (event: ConnectorEvent) => {
    recorded.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(event)) {
        waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  };

  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => answer(request, response, body))
      .catch(() => reply(response, 400, { error: { code: 'BadRequest', message: 'Unreadable request.' } }));
  });

  const answer = (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    const receivedAt = performance.now();
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/.exec(path);
    if (!match) return reply(response, 404, { error: { code: 'NotFound', message: `No route ${request.method} ${path}` } });
    const conversationId = decodeURIComponent(match[1]!);
    const pathActivityId = match[2] ? decodeURIComponent(match[2]) : undefined;
    let kind: ConnectorEventKind;
    if (request.method === 'POST') kind = pathActivityId ? 'reply' : 'post';
    else if (request.method === 'PUT' && pathActivityId) kind = 'update';
    else return reply(response, 405, { error: { code: 'MethodNotAllowed', message: `${request.method} ${path}` } });
    let activity: { attachments?: { contentType?: string; content?: unknown }[] };
    try {
      activity = JSON.parse(body.toString('utf8')) as typeof activity;
    } catch {
      return reply(response, 400, { error: { code: 'BadArgument', message: 'The activity is not JSON.' } });
    }
    const cards = (activity.attachments ?? []).filter((a) => a.contentType === ADAPTIVE_CARD && typeof a.content === 'object' && a.content !== null);
    const activityId = kind === 'update' ? pathActivityId! : `bench-activity-${nextId++}`;
    record({
      kind,
      conversationId,
      activityId,
      ...(kind === 'reply' ? { replyToId: pathActivityId! } : {}),
      receivedAt,
      activityBytes: body.length,
      cardBytes: cards.map((c) => Buffer.byteLength(JSON.stringify(c.content), 'utf8')),
      ...(cards[0] ? { card: cards[0].content as Record<string, unknown> } : {}),
    });
    reply(response, kind === 'update' ? 200 : 201, { id: activityId });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    events: () => recorded,
    waitFor(predicate, timeoutMs) {
      const found = recorded.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (event: ConnectorEvent) => {
            clearTimeout(timer);
            resolve(event);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`The connector saw no matching activity within ${timeoutMs} ms (${recorded.length} activities so far).`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.destroy();
        reject(new Error('body too large'));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
