import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SimClock } from './sim-clock';
import type { SimFaultResponse, SimFaults, SimRequestFacts } from './sim-faults';
import { SimHttpError } from './sim-http-error';
import { readBearerPrincipal, type SimPrincipal, type SimService } from './sim-principals';
import type { SimRbac } from './sim-rbac';
import type { SimHandlerContext, SimResponse, SimRouter } from './sim-route';
import type { SimStats } from './sim-stats';
import type { SimThrottle } from './sim-throttle';
import type { SimTlsMaterial } from './sim-tls';

/** Hands a Key Vault request to the data-plane handler mounted for that vault's listener. */
export type SimVaultRequestHandler = (req: IncomingMessage, res: ServerResponse, route: { vaultName: string; path: string; principal: SimPrincipal; body?: Buffer }) => Promise<void>;

export interface SimServerDeps {
  readonly tls: SimTlsMaterial;
  readonly clock: SimClock;
  readonly router: SimRouter;
  readonly rbac: SimRbac;
  readonly faults: SimFaults;
  readonly stats: SimStats;
  readonly throttle?: SimThrottle;
  /** Key Vault's per-vault read limit (its `reads` bucket, keyed by vault name): absent, Key Vault never throttles. */
  readonly keyVaultThrottle?: SimThrottle;
  readonly latencyMs: number;
  readonly checkTokenLifetime: boolean;
  readonly subscriptionId: string;
  /** Public, unauthenticated files (`/files/...`): the sandbox's public certificate chains. */
  readonly publicFiles?: ReadonlyMap<string, string>;
  /** Brings simulated state up to "now" before each request (settles LROs, advances tunnels). */
  readonly tick: () => Promise<void>;
}

const maxBodyBytes = 4 * 1024 * 1024;

/**
 * The HTTPS front of the simulator: one listener for ARM and Log Analytics, one per Key Vault (Key Vault
 * identifiers carry the vault only in the host, so each simulated vault needs its own `https://127.0.0.1:<port>`).
 * Every request goes through the same steps as in Azure: authentication, faults, latency, throttling, RBAC,
 * api-version, then the handler.
 */
export class SimServer {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Duplex>();
  /** Requests being handled (a request whose client gave up waiting is handled to the end: it still lands). */
  private inFlight = 0;

  constructor(private readonly deps: SimServerDeps) {}

  /** Starts the main listener; returns its base URL. */
  async listenMain(port = 0): Promise<string> {
    return this.listen(port, (req, res, baseUrl) => this.handleMain(req, res, baseUrl));
  }

  /** Starts a listener for one vault (in `tenantId`: its challenge names it, and tokens must come from it); returns the vault URL. */
  async listenVault(vaultName: string, tenantId: string, handler: SimVaultRequestHandler, port = 0): Promise<string> {
    return this.listen(port, (req, res) => this.handleVault(req, res, vaultName, tenantId, handler));
  }

  /** How many requests are being handled now: a test waits for none before it reads the state they may still change. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private async listen(port: number, handle: (req: IncomingMessage, res: ServerResponse, baseUrl: string) => Promise<void>): Promise<string> {
    let baseUrl = '';
    const server = createServer({ cert: this.deps.tls.certPem, key: this.deps.tls.keyPem }, (req, res) => {
      this.inFlight++;
      handle(req, res, baseUrl).finally(() => this.inFlight--).catch((error: unknown) => {
        // A handler bug must still produce a well-formed 500, not a hung request.
        if (!res.headersSent) writeJson(res, 500, { error: { code: 'InternalServerError', message: 'The simulator failed to process the request.' } }, {});
        console.error('[azure-simulator] handler error', error);
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.servers.push(server);
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return baseUrl;
  }

  private async handleMain(req: IncomingMessage, res: ServerResponse, baseUrl: string): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    // Clients that join `/{resourceUri}` with an id that starts with '/' send '//subscriptions/...'; ARM tolerates it.
    const path = url.pathname.replace(/\/{2,}/g, '/');
    const method = (req.method ?? 'GET').toUpperCase();
    const service: SimService = /^\/v1\//i.test(path) ? 'logs' : 'arm';
    const requestId = randomUUID();
    const baseHeaders: Record<string, string> = service === 'arm' ? { 'x-ms-request-id': requestId, 'x-ms-correlation-request-id': (req.headers['x-ms-correlation-request-id'] as string | undefined) ?? requestId } : { 'x-ms-request-id': requestId };

    const file = method === 'GET' ? this.deps.publicFiles?.get(path) : undefined;
    if (file !== undefined) {
      this.deps.stats.record({ operation: 'files/read', service, method, path, status: 200 });
      res.writeHead(200, { 'content-type': path.endsWith('.pem') ? 'application/x-pem-file' : 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(file) });
      res.end(file);
      return;
    }
    const matched = this.deps.router.match(service, method, path);
    const operation = matched.route?.operation ?? `${service}/${method} unmatched`;
    let principal: SimPrincipal | undefined;
    const facts = (): SimRequestFacts => ({ method, path, service, operation, ...(principal ? { principalId: principal.objectId } : {}) });
    const finish = (status: number, body: unknown, headers: Record<string, string>, faulted = false) => {
      this.deps.stats.record({ operation, service, method, path, status, ...(principal ? { principalId: principal.objectId } : {}) }, faulted);
      writeJson(res, status, body, { ...baseHeaders, ...headers });
    };

    try {
      const rawBody = await readBody(req);
      principal = readBearerPrincipal(header(req, 'authorization'), service, this.deps.clock.now(), this.deps.checkTokenLifetime);
      await this.deps.tick();

      const fault = this.deps.faults.take(facts());
      const nextLink = fault && 'nextLink' in fault ? fault.nextLink.replaceAll('{self}', `${baseUrl}${path}${url.search}`) : undefined;
      if (fault && nextLink === undefined) {
        const handled = await this.applyFault(fault, req, service, principal);
        if (handled === 'dropped') {
          this.deps.stats.record({ operation, service, method, path, status: 0, principalId: principal.objectId }, true);
          return;
        }
        if (handled) return finish(handled.status, handled.body, handled.headers ?? {}, true);
      }
      if (this.deps.latencyMs > 0) await sleep(this.deps.latencyMs);

      const subscription = service === 'arm' ? /^\/subscriptions\/([^/]+)/i.exec(path)?.[1] : undefined;
      if (subscription && subscription.toLowerCase() !== this.deps.subscriptionId.toLowerCase()) {
        throw new SimHttpError(404, 'SubscriptionNotFound', `The subscription '${subscription}' could not be found.`);
      }
      if (!matched.route) {
        throw matched.methodMismatch
          ? new SimHttpError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`)
          : unknownPath(service, path, url.searchParams.get('api-version'));
      }
      const route = matched.route;
      const throttleHeaders: Record<string, string> = {};
      if (service === 'arm' && route.throttle && this.deps.throttle) {
        const decision = this.deps.throttle.take(this.deps.subscriptionId, principal.objectId, route.throttle);
        if (!decision.allowed) {
          return finish(
            429,
            {
              error: {
                code: 'SubscriptionRequestsThrottled',
                message: `Number of '${route.throttle === 'reads' ? 'read' : 'write'}' requests for subscription '${this.deps.subscriptionId}' actor '${principal.objectId}' exceeded. Please try again after '${decision.retryAfterSeconds}' seconds after additional tokens are available. Refer to https://aka.ms/armthrottling for additional information.`,
              },
            },
            { 'retry-after': String(decision.retryAfterSeconds), [`x-ms-ratelimit-remaining-subscription-${route.throttle}`]: '0' },
          );
        }
        throttleHeaders[`x-ms-ratelimit-remaining-subscription-${route.throttle}`] = String(decision.remaining);
      }

      const scope = route.scope ? route.scope(matched.params, path) : path.replace(/\/$/, '');
      if (service === 'logs') {
        if (!this.deps.rbac.isAllowed(principal.objectId, route.action ?? route.operation, scope)) {
          throw new SimHttpError(403, 'InsufficientAccessError', 'The provided credentials have insufficient access to perform the requested operation');
        }
      } else {
        this.deps.rbac.demand(principal, route.action ?? route.operation, scope);
      }

      const apiVersion = url.searchParams.get('api-version') ?? '';
      if (route.apiVersions) checkApiVersion(apiVersion, route.apiVersions, route.resourceType ?? route.operation);

      let body: unknown;
      if (rawBody.length > 0) {
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          throw service === 'logs'
            ? new SimHttpError(400, 'BadArgumentError', 'The request had some invalid properties', { innererror: { code: 'InvalidRequestBody', message: 'The request body is not valid JSON.' } })
            : new SimHttpError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
        }
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]));
      const ctx: SimHandlerContext = { method, path, query: url.searchParams, headers, params: matched.params, body, principal, now: this.deps.clock.now(), baseUrl, apiVersion, facts: facts() };
      const response = await route.handle(ctx);
      const answer = nextLink !== undefined && typeof response.body === 'object' && response.body !== null && Array.isArray((response.body as { value?: unknown }).value) ? { ...response.body, nextLink } : response.body;
      finish(response.status, answer, { ...throttleHeaders, ...(response.headers ?? {}) }, nextLink !== undefined);
    } catch (error) {
      if (error instanceof SimHttpError) return finish(error.status, error.body(), error.extra.headers ?? {});
      throw error;
    }
  }

  private async handleVault(req: IncomingMessage, res: ServerResponse, vaultName: string, tenantId: string, handler: SimVaultRequestHandler): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const firstSegment = url.pathname.split('/')[1] ?? '';
    const operation = `Microsoft.KeyVault/vaults/${firstSegment || 'root'}/${method === 'GET' ? 'read' : 'write'}`;
    let principalId: string | undefined;
    const record = (status: number, faulted = false) =>
      this.deps.stats.record({ operation, service: 'keyvault', method, path: url.pathname, status, vault: vaultName, ...(principalId ? { principalId } : {}) }, faulted);
    try {
      const principal = readBearerPrincipal(header(req, 'authorization'), 'keyvault', this.deps.clock.now(), this.deps.checkTokenLifetime, tenantId);
      principalId = principal.objectId;
      await this.deps.tick();
      const fault = this.deps.faults.take({ method, path: url.pathname, service: 'keyvault', operation, principalId });
      // Key Vault has the whole request before it is slow to answer: a client that gives up waiting does not stop it landing.
      const body = fault && 'delayMs' in fault ? await readBody(req) : undefined;
      if (fault) {
        const handled = await this.applyFault(fault, req, 'keyvault', principal);
        if (handled === 'dropped') return record(0, true);
        if (handled) {
          record(handled.status, true);
          return writeJson(res, handled.status, handled.body, handled.headers ?? {});
        }
      }
      if (this.deps.latencyMs > 0) await sleep(this.deps.latencyMs);
      if (method === 'GET' && this.deps.keyVaultThrottle) {
        const decision = this.deps.keyVaultThrottle.take(vaultName, '*', 'reads');
        if (!decision.allowed) {
          await readBody(req).catch(() => Buffer.alloc(0));
          record(429);
          return writeJson(
            res,
            429,
            { error: { code: 'Throttled', message: `Request was not processed because too many requests were received. Reason: A single client has exceeded the maximum allowed rate. Retry after ${decision.retryAfterSeconds} seconds.` } },
            { 'retry-after': String(decision.retryAfterSeconds) },
          );
        }
      }
      res.on('finish', () => record(res.statusCode));
      await handler(req, res, { vaultName, path: url.pathname + url.search, principal, ...(body ? { body } : {}) });
    } catch (error) {
      if (error instanceof SimHttpError) {
        // Drain the body so the client sees the 401 challenge rather than a reset connection.
        await readBody(req).catch(() => Buffer.alloc(0));
        record(error.status);
        return writeJson(res, error.status, error.body(), error.extra.headers ?? {});
      }
      throw error;
    }
  }

  /** Applies a fault: returns the response to send, 'dropped' when the socket was closed, or undefined to continue. */
  private async applyFault(fault: SimFaultResponse, req: IncomingMessage, service: SimService, principal: SimPrincipal): Promise<SimResponse | 'dropped' | undefined> {
    if ('delayMs' in fault) {
      await sleep(fault.delayMs);
      return undefined;
    }
    if ('dropConnection' in fault) {
      req.socket.destroy();
      return 'dropped';
    }
    if ('lroFails' in fault || 'nextLink' in fault) return undefined;
    switch (fault.status) {
      case 429:
        return {
          status: 429,
          headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
          body:
            service === 'logs'
              ? { error: { code: 'ThrottledError', message: 'Your request was throttled. Retry after the period indicated by Retry-After.' } }
              : { error: { code: 'TooManyRequests', message: 'The request is being throttled as the limit has been reached for operation type. Please retry after the indicated time.' } },
        };
      case 403:
        return service === 'logs'
          ? { status: 403, body: { error: { code: 'InsufficientAccessError', message: 'The provided credentials have insufficient access to perform the requested operation' } } }
          : { status: 403, body: new SimHttpError(403, 'AuthorizationFailed', `The client '${principal.objectId}' with object id '${principal.objectId}' does not have authorization to perform action '${req.method} ${new URL(req.url ?? '/', 'https://x').pathname}' or the scope is invalid. If access was recently granted, please refresh your credentials.`).body() };
      case 400:
      case 404:
      case 409:
        return { status: fault.status, body: { error: { code: fault.code, message: fault.message ?? `Simulated failure ${fault.code}.` } } };
      default:
        return {
          status: fault.status,
          headers: fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
          body:
            fault.status === 503
              ? { error: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Please try again later.' } }
              : { error: { code: 'InternalServerError', message: 'An error has occurred on the server. Please retry the request.' } },
        };
    }
  }
}

function unknownPath(service: SimService, path: string, apiVersion: string | null): SimHttpError {
  if (service === 'logs') return new SimHttpError(404, 'PathNotFoundError', `The requested path does not exist`, {});
  const provider = /\/providers\/([^/]+)\/([^/]+)/i.exec(path);
  if (provider?.[1] && provider[2]) {
    return new SimHttpError(400, 'InvalidResourceType', `The resource type '${provider[2]}' could not be found in the namespace '${provider[1]}' for api version '${apiVersion ?? ''}'.`);
  }
  return new SimHttpError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${path}'.`);
}

function checkApiVersion(apiVersion: string, supported: readonly string[], resourceType: string): void {
  if (!apiVersion) throw new SimHttpError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  if (!supported.includes(apiVersion)) {
    throw new SimHttpError(400, 'NoRegisteredProviderFound', `No registered resource provider found for location 'westeurope' and API version '${apiVersion}' for type '${resourceType}'. The supported api-versions are '${supported.join(', ')}'.`);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) throw new SimHttpError(413, 'RequestEntityTooLarge', 'The request content is too large.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
