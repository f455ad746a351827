import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../clock';
import { DurableApiError, isTerminal, runtimeStatuses, type DurableEngine, type InstanceRecord, type RuntimeStatus } from './durable-engine';
import { toStatusPayload } from './status-payload';

/** Path under which the extension's webhook / local RPC API is served (`rpcBaseUrl` points here too). */
export const durableApiPath = '/runtime/webhooks/durabletask';

export interface ApiRequest {
  method: string;
  /** Path after `durableApiPath`, without leading slash, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** scheme://host:port the caller used; management links are built on it. */
  origin: string;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON when not undefined. */
  body?: unknown;
}

export interface DurableClientBindingData {
  taskHubName: string;
  connectionName: string;
  creationUrls: { createNewInstancePostUri: string; createAndWaitOnNewInstancePostUri: string };
  managementUrls: Record<string, string>;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
  httpBaseUrl: string;
}

/** The `durableClient` input binding value the extension sends to out-of-process workers. */
export function durableClientBindingData(origin: string, hubName: string, connectionName: string): DurableClientBindingData {
  const base = origin + durableApiPath;
  const creation = `${base}/orchestrators/{functionName}[/{instanceId}]`;
  return {
    taskHubName: hubName,
    connectionName,
    creationUrls: {
      createNewInstancePostUri: `${creation}?`,
      createAndWaitOnNewInstancePostUri: `${creation}?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&`,
    },
    managementUrls: managementUrls(origin, 'INSTANCEID', hubName, connectionName, false),
    baseUrl: base,
    requiredQueryStringParameters: '',
    rpcBaseUrl: `${base}/`,
    httpBaseUrl: base,
  };
}

function managementUrls(origin: string, instanceId: string, hubName: string, connectionName: string, encodeId: boolean): Record<string, string> {
  const id = encodeId ? encodeURIComponent(instanceId) : instanceId;
  const instance = `${origin}${durableApiPath}/instances/${id}`;
  const query = `taskHub=${encodeURIComponent(hubName)}&connection=${encodeURIComponent(connectionName)}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${query}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${instance}?${query}`,
    restartPostUri: `${instance}/restart?${query}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
    resumePostUri: `${instance}/resume?reason={text}&${query}`,
  };
}

const defaultPageSize = 100;

/**
 * The Durable extension's HTTP management API (HttpApiHandler), the surface `df.getClient()` talks to:
 * start (with optional wait), status, list with filters and continuation tokens, raise event, terminate, suspend,
 * resume, rewind, restart, purge by id and by filter. Status codes and bodies follow the extension.
 */
export class DurableHttpApi {
  constructor(
    private readonly engine: DurableEngine,
    private readonly clock: Clock,
    private readonly hubName: string,
    private readonly defaultConnectionName = 'Storage',
  ) {}

  async handle(request: ApiRequest): Promise<ApiResponse> {
    try {
      return await this.#route(request);
    } catch (error) {
      if (error instanceof DurableApiError) {
        if (error.status === 400) return errorResponse(400, 'One or more of the arguments submitted is incorrect', error.message);
        return { status: error.status, body: { Message: error.message } };
      }
      return errorResponse(500, 'Something went wrong while processing your request', error instanceof Error ? error.message : String(error));
    }
  }

  async #route(request: ApiRequest): Promise<ApiResponse> {
    const segments = request.path.split('/').filter((s, i, all) => s.length > 0 || i < all.length - 1);
    const decoded = segments.map((s) => safeDecode(s));
    const method = request.method.toUpperCase();

    const hub = request.query.get('taskHub');
    if (hub && hub.toLowerCase() !== this.hubName.toLowerCase()) {
      return { status: 404, body: { Message: `Task hub '${hub}' is not served by this local host (it serves '${this.hubName}').` } };
    }

    if (decoded[0] === 'orchestrators' && decoded.length >= 2 && decoded.length <= 3 && decoded[1]) {
      if (method !== 'POST') return { status: 404 };
      return this.#start(request, decoded[1], decoded[2]);
    }

    if (decoded[0] === 'entities') {
      return { status: 501, body: { Message: 'Durable entities are not supported by the local Functions host.' } };
    }

    if (decoded[0] !== 'instances') return { status: 404 };
    const instanceId = decoded[1];
    if (!instanceId) {
      if (method === 'GET') return this.#list(request);
      if (method === 'DELETE') return this.#purgeWhere(request);
      return { status: 404 };
    }
    const operation = decoded[2];
    if (operation === undefined) {
      if (method === 'GET') return this.#status(request, instanceId);
      if (method === 'DELETE') return this.#purge(instanceId);
      return { status: 404 };
    }
    if (method !== 'POST') return { status: 404 };
    if (operation === 'raiseEvent' && decoded.length === 4 && decoded[3]) return this.#raiseEvent(request, instanceId, decoded[3]);
    if (decoded.length !== 3) return { status: 404 };
    const reason = request.query.get('reason') ?? '';
    switch (operation.toLowerCase()) {
      case 'terminate':
        return controlResponse(this.engine.terminate(instanceId, reason), instanceId, 'terminate');
      case 'suspend':
        return controlResponse(this.engine.suspend(instanceId, reason), instanceId, 'suspend');
      case 'resume':
        return controlResponse(this.engine.resume(instanceId, reason), instanceId, 'resume');
      case 'rewind': {
        const result = this.engine.rewind(instanceId, reason);
        if (result === 'invalidState') return { status: 412, body: 'The rewind operation is only supported on failed orchestration instances.' };
        return controlResponse(result, instanceId, 'rewind');
      }
      case 'restart':
        return this.#restart(request, instanceId);
      default:
        return { status: 404 };
    }
  }

  async #start(request: ApiRequest, functionName: string, instanceId: string | undefined): Promise<ApiResponse> {
    let inputJson: string | null = null;
    const text = request.body.toString('utf8');
    if (text.trim().length > 0) {
      try {
        inputJson = JSON.stringify(JSON.parse(text));
      } catch (error) {
        return errorResponse(400, 'Invalid JSON content', (error as Error).message);
      }
    }
    const record = this.engine.startNew(functionName, instanceId, inputJson);
    return this.#afterStart(request, record);
  }

  async #restart(request: ApiRequest, instanceId: string): Promise<ApiResponse> {
    const existing = this.engine.get(instanceId);
    if (!existing) return errorResponse(400, 'InstanceId does not match a valid orchestration instance.', `No instance with ID '${instanceId}' found.`);
    const newId = parseBool(request.query.get('restartWithNewInstanceId')) ?? true;
    const record = this.engine.startNew(existing.name, newId ? undefined : instanceId, existing.input);
    return this.#afterStart(request, record);
  }

  async #afterStart(request: ApiRequest, record: InstanceRecord): Promise<ApiResponse> {
    const timeout = parseSeconds(request.query.get('timeout'));
    const interval = parseSeconds(request.query.get('pollingInterval'));
    if (timeout !== undefined && interval !== undefined) {
      if (interval > timeout) {
        return errorResponse(400, 'One or more of the arguments submitted is incorrect', `Total timeout ${timeout / 1000} should be bigger than retry timeout ${interval / 1000}`);
      }
      const finished = await this.#waitForTerminal(record.instanceId, timeout);
      if (finished) {
        if (finished.status === 'Completed') return { status: 200, body: JSON.parse(finished.output ?? 'null') as unknown };
        return this.#status(request, finished.instanceId);
      }
    }
    return this.#checkStatus(request, record.instanceId);
  }

  #checkStatus(request: ApiRequest, instanceId: string): ApiResponse {
    const connection = request.query.get('connection') ?? this.defaultConnectionName;
    const links = managementUrls(request.origin, instanceId, this.hubName, connection, true);
    const body = {
      id: instanceId,
      statusQueryGetUri: links.statusQueryGetUri,
      sendEventPostUri: links.sendEventPostUri,
      terminatePostUri: links.terminatePostUri,
      purgeHistoryDeleteUri: links.purgeHistoryDeleteUri,
      restartPostUri: links.restartPostUri,
      suspendPostUri: links.suspendPostUri,
      resumePostUri: links.resumePostUri,
    };
    return { status: 202, headers: { Location: String(links.statusQueryGetUri), 'Retry-After': '10' }, body };
  }

  #waitForTerminal(instanceId: string, timeoutMs: number): Promise<InstanceRecord | undefined> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const record = this.engine.get(instanceId);
        if (record && isTerminal(record.status)) {
          finish(record);
          return true;
        }
        return false;
      };
      const finish = (record: InstanceRecord | undefined): void => {
        clearTimeout(timer);
        unsubscribe();
        resolve(record);
      };
      const unsubscribe = this.engine.onChange((id) => {
        if (id === instanceId) check();
      });
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      timer.unref();
      check();
    });
  }

  #status(request: ApiRequest, instanceId: string): ApiResponse {
    const record = this.engine.get(instanceId);
    if (!record) return { status: 404 };
    const body = toStatusPayload(record, {
      showHistory: parseBool(request.query.get('showHistory')) ?? false,
      showHistoryOutput: parseBool(request.query.get('showHistoryOutput')) ?? false,
      showInput: parseBool(request.query.get('showInput')) ?? true,
    });
    switch (record.status) {
      case 'Running':
      case 'Pending':
      case 'ContinuedAsNew':
      case 'Suspended':
        return {
          status: 202,
          headers: { Location: `${request.origin}${durableApiPath}/${request.path}${request.query.size > 0 ? `?${request.query.toString()}` : ''}`, 'Retry-After': '5' },
          body,
        };
      case 'Failed':
        return { status: parseBool(request.query.get('returnInternalServerErrorOnFailure')) ? 500 : 200, body };
      default:
        return { status: 200, body };
    }
  }

  #list(request: ApiRequest): ApiResponse {
    const q = request.query;
    const prefix = q.get('instanceIdPrefix');
    const from = parseDate(q.get('createdTimeFrom'));
    const to = parseDate(q.get('createdTimeTo'));
    const statuses = parseStatuses(q);
    const showInput = parseBool(q.get('showInput')) ?? true;
    const top = parseInteger(q.get('top'));
    const pageSize = top !== undefined && top > 0 ? top : defaultPageSize;

    let offset = 0;
    const token = headerValue(request.headers['x-ms-continuation-token']);
    if (token) {
      const decoded = decodeToken(token);
      if (decoded === undefined) return errorResponse(400, 'One or more of the arguments submitted is incorrect', 'The continuation token is not valid.');
      offset = decoded;
    }

    const matches = this.engine
      .all()
      .filter((r) => (prefix ? r.instanceId.startsWith(prefix) : true))
      .filter((r) => (from ? r.createdTime >= from : true))
      .filter((r) => (to ? r.createdTime <= to : true))
      .filter((r) => (statuses.length > 0 ? statuses.includes(r.status) : true))
      .sort((a, b) => a.createdTime.getTime() - b.createdTime.getTime() || (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
    const page = matches.slice(offset, offset + pageSize);
    const headers: Record<string, string> = {};
    if (offset + pageSize < matches.length) headers['x-ms-continuation-token'] = encodeToken(offset + pageSize);
    return { status: 200, headers, body: page.map((r) => toStatusPayload(r, { showHistory: false, showHistoryOutput: false, showInput })) };
  }

  #purge(instanceId: string): ApiResponse {
    const result = this.engine.purge(instanceId);
    if (result === 'notFound') return { status: 404 };
    return { status: 200, body: { instancesDeleted: result } };
  }

  #purgeWhere(request: ApiRequest): ApiResponse {
    const from = parseDate(request.query.get('createdTimeFrom'));
    if (!from) return { status: 400, body: "Please provide value for 'createdTimeFrom' parameter." };
    const to = parseDate(request.query.get('createdTimeTo')) ?? this.clock.now();
    const deleted = this.engine.purgeWhere({ createdTimeFrom: from, createdTimeTo: to, statuses: parseStatuses(request.query) });
    if (deleted === 0) return { status: 404 };
    return { status: 200, body: { instancesDeleted: deleted } };
  }

  #raiseEvent(request: ApiRequest, instanceId: string, eventName: string): ApiResponse {
    const record = this.engine.get(instanceId);
    if (!record) return { status: 404 };
    if (isTerminal(record.status)) return { status: 410 };
    const mediaType = (headerValue(request.headers['content-type']) ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json') {
      return errorResponse(400, 'Only application/json request content is supported');
    }
    // JToken.Load: an empty body is not JSON either (the SDK sends none when eventData is undefined).
    let inputJson: string;
    try {
      inputJson = JSON.stringify(JSON.parse(request.body.toString('utf8')));
    } catch (error) {
      return errorResponse(400, 'Invalid JSON content', (error as Error).message);
    }
    const result = this.engine.raiseEvent(instanceId, eventName, inputJson);
    return controlResponse(result, instanceId, 'raiseEvent');
  }
}

function controlResponse(result: 'accepted' | 'notFound' | 'gone' | 'invalidState', instanceId: string, operation: string): ApiResponse {
  switch (result) {
    case 'accepted':
      return { status: 202 };
    case 'notFound':
      return { status: 404 };
    case 'gone':
      return { status: 410 };
    case 'invalidState':
      return errorResponse(500, 'Something went wrong while processing your request', `Cannot ${operation} the orchestration instance ${instanceId} because of its current state.`);
  }
}

function errorResponse(status: number, message: string, exceptionMessage?: string): ApiResponse {
  return { status, body: exceptionMessage === undefined ? { Message: message } : { Message: message, ExceptionMessage: exceptionMessage } };
}

function parseBool(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

function parseInteger(value: string | null): number | undefined {
  if (value === null || !/^\s*-?\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

function parseSeconds(value: string | null): number | undefined {
  if (value === null) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && value.trim() !== '' ? n * 1000 : undefined;
}

function parseDate(value: string | null): Date | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function parseStatuses(query: URLSearchParams): RuntimeStatus[] {
  return query
    .getAll('runtimeStatus')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v): v is RuntimeStatus => (runtimeStatuses as string[]).includes(v));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

function decodeToken(token: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    return typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0 ? parsed.offset : undefined;
  } catch {
    return undefined;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
