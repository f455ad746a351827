import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RealClock, VirtualClock, type Clock } from './clock';
import { DurableEngine, isTerminal, type DurableFunctionCatalog, type InstanceSnapshot } from './durable/durable-engine';
import { durableApiPath, durableClientBindingData, DurableHttpApi } from './durable/durable-http-api';
import { EVENT_GRID_WEBHOOK_PATH, handleEventGridWebhook } from './event-grid-trigger';
import { describeError, FunctionInvoker } from './function-invoker';
import { getFunctionsCoreRegistry, installFunctionsCoreApi, type RegisteredFunction } from './functions-core-api';
import type { RpcHttpCookie, RpcHttpData, RpcInvocationResponse, RpcParameterBinding, RpcTypedData } from './functions-core-types';
import { readHostConfig, type HostConfig } from './host-config';
import { HostLogger, type HostLogEntry, type HostLogOption } from './host-logger';
import { compareRoutes, CompiledRoute } from './http-route';
import { TimerTriggers } from './timer-triggers';

export interface LocalHostOptions {
  /** Loads the app (e.g. `() => require('../../functions/index')`); called after the functions-core hook is installed. */
  loadApp: () => unknown | Promise<unknown>;
  /** Folder holding host.json. */
  appRoot: string;
  /** 0 = any free port (default). Always bound to 127.0.0.1. */
  port?: number;
  /** Default RealClock. */
  clock?: Clock;
  /** Default 'info', or 'quiet' under vitest. */
  log?: HostLogOption;
  /** Receives every log entry (also when quiet), e.g. to assert on logging in tests. */
  onLog?: (entry: HostLogEntry) => void;
}

export interface LocalHostFunctionInfo {
  name: string;
  trigger: string;
  route?: string;
  methods?: string[];
}

export interface LocalHost {
  /** http://127.0.0.1:<port> */
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly hubName: string;
  readonly durable: {
    getInstance(id: string): InstanceSnapshot | undefined;
    /** Default predicate: a terminal status (Completed, Failed, Terminated, Canceled). Default timeout 10 s (wall time). */
    waitFor(id: string, predicate?: (s: InstanceSnapshot) => boolean, timeoutMs?: number): Promise<InstanceSnapshot>;
    list(): InstanceSnapshot[];
    /** Resolves when no orchestration, activity or timer-trigger work is pending (durable timers may be). */
    idle(): Promise<void>;
  };
  invokeTimer(functionName: string): Promise<void>;
  functions(): LocalHostFunctionInfo[];
  close(): Promise<void>;
}

interface HttpFunction {
  fn: RegisteredFunction;
  triggerName: string;
  route: CompiledRoute;
  methods: string[] | undefined;
}

const maxRequestBodyBytes = 100 * 1024 * 1024;

/**
 * Starts the local Functions + Durable host: loads the app's REAL registrations, serves HTTP triggers and the Durable
 * management API on 127.0.0.1, runs timer triggers and durable orchestrations on the given clock.
 */
export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  installFunctionsCoreApi();
  const registry = getFunctionsCoreRegistry();
  const logger = new HostLogger(options.log ?? (process.env.VITEST ? 'quiet' : 'info'), options.onLog);
  const config: HostConfig = readHostConfig(options.appRoot);
  const clock = options.clock ?? new RealClock();
  const previousSink = registry.logSink;
  registry.logSink = (level, category, message) => logger.log({ time: new Date(), level, category, message });

  if (!registry.locked) {
    await options.loadApp();
    if (registry.functions.size === 0) {
      throw new Error(
        'No function registrations reached the local host. Either the app registered nothing, or @azure/functions was ' +
          'loaded before installFunctionsCoreApi() ran (it caches the missing core API as "test mode"): install the hook ' +
          'first (vitest: setupFiles local/host/vitest-setup.ts; node: call installFunctionsCoreApi() before requiring the app).',
      );
    }
    registry.locked = true;
    const model = registry.programmingModel;
    if (model?.getCapabilities) {
      // The worker asks for capabilities after loading the app; this also locks app.setup() as in Azure.
      const capabilities = await model.getCapabilities({});
      if (capabilities.HttpUri) {
        throw new Error('HTTP streaming (app.setup({ enableHttpStream: true })) is not supported by the local host.');
      }
    }
  } else {
    logger.host('debug', 'The app is already loaded in this process; reusing its registrations (one app per process).');
  }

  const invoker = new FunctionInvoker(logger, { ms: config.functionTimeoutMs, text: config.functionTimeoutText });
  const catalog: DurableFunctionCatalog = { orchestrators: new Map(), activities: new Map() };
  const httpFunctions: HttpFunction[] = [];
  const eventGridFunctions = new Map<string, { triggerName: string }>();
  const timers = new TimerTriggers(clock, logger, (name, inputs, reason) => invokeWithClient(name, inputs, reason));
  const infos: LocalHostFunctionInfo[] = [];

  for (const fn of registry.functions.values()) {
    const [triggerName, trigger] = Object.entries(fn.metadata.bindings).find(([, b]) => /trigger$/i.test(String(b.type))) ?? [];
    const type = String(trigger?.type ?? 'unknown');
    const info: LocalHostFunctionInfo = { name: fn.metadata.name, trigger: type };
    if (!triggerName || !trigger) {
      logger.host('warning', `Function '${fn.metadata.name}' has no trigger binding and cannot be invoked.`, fn.metadata.name);
    } else if (type.toLowerCase() === 'httptrigger') {
      const routeText = typeof trigger.route === 'string' ? trigger.route : fn.metadata.name;
      const methods = Array.isArray(trigger.methods) ? (trigger.methods as unknown[]).map((m) => String(m).toUpperCase()) : undefined;
      httpFunctions.push({ fn, triggerName, route: new CompiledRoute(routeText), methods });
      info.route = routeText;
      if (methods) info.methods = methods;
    } else if (type.toLowerCase() === 'timertrigger') {
      timers.register(fn.metadata.name, triggerName, trigger);
    } else if (type.toLowerCase() === 'eventgridtrigger') {
      eventGridFunctions.set(fn.metadata.name, { triggerName });
      info.route = `${EVENT_GRID_WEBHOOK_PATH.slice(1)}?functionName=${fn.metadata.name}`;
    } else if (type === 'orchestrationTrigger') {
      catalog.orchestrators.set(fn.metadata.name, { triggerName });
    } else if (type === 'activityTrigger') {
      catalog.activities.set(fn.metadata.name, { triggerName });
    } else {
      logger.host('warning', `Trigger type '${type}' of function '${fn.metadata.name}' is not modelled by the local host; it is never invoked.`, fn.metadata.name);
    }
    for (const [bindingName, binding] of Object.entries(fn.metadata.bindings)) {
      if (bindingName === triggerName) continue;
      const bindingType = String(binding.type);
      const supported = bindingType === 'durableClient' || bindingType === 'orchestrationClient' || (bindingType === 'http' && binding.direction === 'out');
      if (!supported) {
        logger.host('warning', `Binding '${bindingName}' (${bindingType}) of function '${fn.metadata.name}' is not modelled by the local host: inputs arrive undefined, outputs are discarded.`, fn.metadata.name);
      }
    }
    infos.push(info);
  }
  httpFunctions.sort((a, b) => compareRoutes(a.route, b.route));

  const engine = new DurableEngine({
    invoker,
    clock,
    logger,
    catalog,
    maxConcurrentActivityFunctions: config.maxConcurrentActivityFunctions,
    withClientInputs: (functionName, inputs) => {
      const fn = invoker.find(functionName);
      return fn ? withClientInputs(fn, inputs) : inputs;
    },
  });
  const api = new DurableHttpApi(engine, clock, config.hubName);
  let origin = '';

  /** Adds the durableClient binding value to functions that declare one (df.app.client.* / df.input.durableClient()). */
  function withClientInputs(fn: RegisteredFunction, inputs: RpcParameterBinding[]): RpcParameterBinding[] {
    const extra: RpcParameterBinding[] = [];
    for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
      if (binding.direction === 'in' && (binding.type === 'durableClient' || binding.type === 'orchestrationClient')) {
        const connection = typeof binding.connection === 'string' ? binding.connection : typeof binding.connectionName === 'string' ? binding.connectionName : 'Storage';
        extra.push({ name, data: { string: JSON.stringify(durableClientBindingData(origin, config.hubName, connection)) } });
      }
    }
    return [...inputs, ...extra];
  }

  function invokeWithClient(functionName: string, inputs: RpcParameterBinding[], reason: string): Promise<void> {
    const fn = invoker.find(functionName);
    if (!fn) return Promise.reject(new Error(`Function '${functionName}' is not registered.`));
    return engine.trackWork(invoker.invoke({ functionName: fn.metadata.name, inputData: withClientInputs(fn, inputs), reason }).then(() => undefined));
  }

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      logger.host('error', `Local host failed to handle ${req.method ?? ''} ${pathOnly(req.url)}: ${describeError(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-length': '0' });
      res.end();
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const body = await readBody(req);
    if (body === undefined) {
      res.writeHead(413, { 'content-length': '0' });
      res.end();
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();

    if (url.pathname === durableApiPath || url.pathname.startsWith(`${durableApiPath}/`)) {
      const response = await api.handle({
        method,
        path: url.pathname.slice(durableApiPath.length).replace(/^\//, ''),
        query: url.searchParams,
        headers: req.headers,
        body,
        origin,
      });
      const payload = response.body === undefined ? undefined : Buffer.from(JSON.stringify(response.body), 'utf8');
      res.writeHead(response.status, {
        ...(response.headers ?? {}),
        ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        'content-length': String(payload?.length ?? 0),
      });
      res.end(payload);
      return;
    }

    if (url.pathname.toLowerCase() === EVENT_GRID_WEBHOOK_PATH) {
      const answer = await handleEventGridWebhook({ method, headers: req.headers, query: url.searchParams, body }, eventGridFunctions, (name, inputs) =>
        invokeWithClient(name, inputs, 'EventGrid trigger fired (webhook delivery)'),
      );
      const payload = answer.body === undefined ? undefined : Buffer.from(JSON.stringify(answer.body), 'utf8');
      res.writeHead(answer.status, { ...(answer.headers ?? {}), ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}), 'content-length': String(payload?.length ?? 0) });
      res.end(payload);
      return;
    }

    if (url.pathname === '/' && method === 'GET') {
      const text = 'Your Functions 4.0 app is up and running (local host).';
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
      return;
    }

    const prefix = config.routePrefix === '' ? '' : `/${config.routePrefix}`;
    const lowerPath = url.pathname.toLowerCase();
    if (prefix !== '' && lowerPath !== prefix.toLowerCase() && !lowerPath.startsWith(`${prefix.toLowerCase()}/`)) {
      notFound(res);
      return;
    }
    const rest = url.pathname.slice(prefix.length);
    for (const candidate of httpFunctions) {
      const params = candidate.route.match(rest);
      if (!params) continue;
      if (candidate.methods && !candidate.methods.includes(method)) continue;
      await invokeHttp(candidate, req, res, url, method, params, body);
      return;
    }
    notFound(res);
  }

  async function invokeHttp(
    candidate: HttpFunction,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
    params: Record<string, string>,
    body: Buffer,
  ): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    const query: Record<string, string> = {};
    for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
    const http: RpcHttpData = {
      method,
      url: url.toString(),
      headers,
      nullableHeaders: nullable(headers),
      query: Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '')),
      nullableQuery: nullable(query),
      params,
      nullableParams: nullable(params),
      body: { bytes: body },
      rawBody: { bytes: body },
    };
    const triggerMetadata: Record<string, RpcTypedData> = {
      Query: { json: JSON.stringify(query) },
      Headers: { json: JSON.stringify(headers) },
    };
    for (const [key, value] of Object.entries(params)) triggerMetadata[key] = { string: value };

    let response: RpcInvocationResponse;
    try {
      response = await invoker.invoke({
        functionName: candidate.fn.metadata.name,
        inputData: withClientInputs(candidate.fn, [{ name: candidate.triggerName, data: { http } }]),
        triggerMetadata,
        reason: `This function was programmatically called via the host APIs.`,
      });
    } catch {
      // Logged by the invoker; the caller learns nothing about the exception.
      if (!res.headersSent) res.writeHead(500, { 'content-length': '0' });
      res.end();
      return;
    }
    writeHttpResponse(res, method, findHttpOutput(response));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  try {
    return await finishStartup(port);
  } catch (error) {
    engine.close();
    timers.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    registry.logSink = previousSink;
    throw error;
  }

  async function finishStartup(port: number): Promise<LocalHost> {
    // The durable client rewrites management URLs to localhost:7071 unless WEBSITE_HOSTNAME is set (and not 0.0.0.0).
    const previousHostname = process.env.WEBSITE_HOSTNAME;
    const setHostname = !previousHostname || previousHostname.includes('0.0.0.0');
    const restoreHostname = (): void => {
      if (!setHostname) return;
      if (previousHostname === undefined) delete process.env.WEBSITE_HOSTNAME;
      else process.env.WEBSITE_HOSTNAME = previousHostname;
    };
    if (setHostname) process.env.WEBSITE_HOSTNAME = `127.0.0.1:${port}`;
    ensureLoopbackBypassesProxy();

    try {
      for (const hook of registry.hooks.appStart) {
        await hook({ hookData: {}, appHookData: registry.appHookData, functionAppDirectory: options.appRoot });
      }
    } catch (error) {
      restoreHostname();
      throw error;
    }
    if (clock instanceof VirtualClock) clock.attachSettle(() => engine.idle());
    timers.start();

    logger.host('information', `Local Functions host listening on ${origin} (task hub '${config.hubName}').`);
    for (const info of infos) {
      const where = info.route !== undefined ? ` ${info.methods ? `[${info.methods.join(',')}] ` : ''}${origin}${config.routePrefix ? `/${config.routePrefix}` : ''}/${info.route.replace(/^\/+/, '')}` : '';
      logger.host('information', `  ${info.name}: ${info.trigger}${where}`);
    }

    let closed = false;
    const host: LocalHost = {
      baseUrl: origin,
      clock,
      hubName: config.hubName,
      durable: {
        getInstance: (id) => engine.snapshot(id),
        list: () => engine.snapshots(),
        idle: () => engine.idle(),
        waitFor(id, predicate = (s) => isTerminal(s.runtimeStatus), timeoutMs = 10_000) {
          return new Promise<InstanceSnapshot>((resolve, reject) => {
            const check = (): void => {
              const snapshot = engine.snapshot(id);
              if (snapshot && predicate(snapshot)) {
                cleanup();
                resolve(snapshot);
              }
            };
            const unsubscribe = engine.onChange((changed) => {
              if (changed === id) check();
            });
            const timer = setTimeout(() => {
              cleanup();
              const status = engine.get(id)?.status ?? 'not found';
              reject(new Error(`Timed out after ${timeoutMs} ms waiting for durable instance '${id}' (current status: ${status}).`));
            }, timeoutMs);
            const cleanup = (): void => {
              clearTimeout(timer);
              unsubscribe();
            };
            check();
          });
        },
      },
      async invokeTimer(functionName) {
        const fn = invoker.find(functionName);
        if (!fn || !timers.has(fn.metadata.name)) throw new Error(`'${functionName}' is not a timer-triggered function of this app.`);
        try {
          await engine.trackWork(timers.invokeNow(fn.metadata.name));
        } catch (error) {
          throw new Error(`Timer function '${fn.metadata.name}' failed.`, { cause: error });
        }
      },
      functions: () => infos.map((i) => ({ ...i, ...(i.methods ? { methods: [...i.methods] } : {}) })),
      async close() {
        if (closed) return;
        closed = true;
        timers.stop();
        engine.close();
        if (clock instanceof VirtualClock) clock.detachSettle();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        for (const hook of registry.hooks.appTerminate) {
          try {
            await hook({ hookData: {}, appHookData: registry.appHookData });
          } catch (error) {
            logger.host('error', `An appTerminate hook failed: ${describeError(error)}`);
          }
        }
        restoreHostname();
        registry.logSink = previousSink;
      },
    };
    return host;
  }
}

function findHttpOutput(response: RpcInvocationResponse): RpcHttpData | undefined {
  if (response.returnValue?.http) return response.returnValue.http;
  for (const output of response.outputData ?? []) {
    if (output.data?.http) return output.data.http;
  }
  return undefined;
}

function writeHttpResponse(res: ServerResponse, method: string, http: RpcHttpData | undefined): void {
  if (!http) {
    // The host answers 200 with no body when the function produced no HTTP response.
    res.writeHead(200, { 'content-length': '0' });
    res.end();
    return;
  }
  const status = Number.parseInt(http.statusCode ?? '200', 10) || 200;
  const body = typedDataBytes(http.body);
  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(http.headers ?? {})) {
    const lower = key.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue;
    headers[key] = value;
  }
  const cookies = (http.cookies ?? []).map(serializeCookie);
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const noBody = method === 'HEAD' || status === 204 || status === 304;
  headers['content-length'] = String(noBody ? 0 : body.length);
  res.writeHead(status, headers);
  res.end(noBody ? undefined : body);
}

function typedDataBytes(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes) return Buffer.from(data.bytes);
  if (typeof data.string === 'string') return Buffer.from(data.string, 'utf8');
  if (typeof data.json === 'string') return Buffer.from(data.json, 'utf8');
  if (typeof data.int === 'number' || typeof data.double === 'number') return Buffer.from(String(data.int ?? data.double), 'utf8');
  return Buffer.alloc(0);
}

function serializeCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (typeof seconds === 'number') parts.push(`Expires=${new Date(seconds * 1000).toUTCString()}`);
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  if (cookie.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (cookie.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (cookie.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}

function nullable(map: Record<string, string>): Record<string, { value: string }> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, { value: v }]));
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-length': '0' });
  res.end();
}

function pathOnly(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The durable client uses axios, which honours HTTP(S)_PROXY: keep loopback out of any proxy. */
function ensureLoopbackBypassesProxy(): void {
  for (const key of ['NO_PROXY', 'no_proxy']) {
    const current = process.env[key];
    const entries = (current ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    let changed = false;
    for (const needed of ['127.0.0.1', 'localhost']) {
      if (!entries.includes(needed)) {
        entries.push(needed);
        changed = true;
      }
    }
    if (changed && (current !== undefined || process.env.HTTP_PROXY || process.env.HTTPS_PROXY || process.env.http_proxy || process.env.https_proxy)) {
      process.env[key] = entries.join(',');
    }
  }
}
