import { createDefaultHttpClient, createPipelineRequest, RestError, type HttpClient, type Pipeline } from '@azure/core-rest-pipeline';
import { checkedNextLink, pageCounter } from './arm-paging';

/**
 * A plain ARM request through an SDK client's own pipeline (same credential, retries, user agent and trusted CA), for
 * the few ARM resources no installed SDK package covers: resource groups, user-assigned identities, Key Vault vaults
 * and their access policies, role assignments and the caller's permissions (Microsoft.Authorization), and
 * Log Analytics workspaces. Errors surface as RestError, exactly like the SDK's own calls.
 */
export class ArmRequester {
  private readonly httpClient: HttpClient = createDefaultHttpClient();

  constructor(
    private readonly pipeline: Pipeline,
    private readonly endpoint: string,
  ) {}

  /** GET of a path on the ARM endpoint (or a `nextLink` of it). */
  async get<T>(path: string, apiVersion: string, abortSignal?: AbortSignal): Promise<T> {
    return this.send<T>('GET', path, apiVersion, undefined, abortSignal);
  }

  /** PUT, POST or DELETE of a path on the ARM endpoint (synchronous ARM operations: role assignments, access policies). */
  async send<T>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, apiVersion: string, payload?: unknown, abortSignal?: AbortSignal): Promise<T> {
    const url = /^[a-z][a-z0-9+.-]*:/i.test(path) ? checkedNextLink(path, this.endpoint) : `${this.endpoint.replace(/\/$/, '')}${path}${path.includes('?') ? '&' : '?'}api-version=${apiVersion}`;
    const request = createPipelineRequest({ url, method, headers: undefined, ...(abortSignal ? { abortSignal } : {}) });
    request.headers.set('accept', 'application/json');
    if (payload !== undefined) {
      request.headers.set('content-type', 'application/json');
      request.body = JSON.stringify(payload);
    }
    const response = await this.pipeline.sendRequest(this.httpClient, request);
    let body: unknown;
    try {
      body = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
    } catch {
      body = undefined;
    }
    if (response.status >= 400) {
      const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      const restError = new RestError(error?.message ?? `ARM answered ${response.status}`, { statusCode: response.status, request, response, ...(error?.code ? { code: error.code } : {}) });
      restError.details = body;
      throw restError;
    }
    return body as T;
  }

  /** Follows `nextLink` (on the ARM endpoint only) until the list ends, at most MAX_ARM_LIST_PAGES pages. */
  async list<T>(path: string, apiVersion: string, abortSignal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    const counted = pageCounter(`list ${path.split('?')[0]!.split('/').pop() ?? 'items'}`);
    counted();
    let page = await this.get<{ value?: T[]; nextLink?: string }>(path, apiVersion, abortSignal);
    for (;;) {
      items.push(...(page.value ?? []));
      if (!page.nextLink) return items;
      counted();
      page = await this.get<{ value?: T[]; nextLink?: string }>(page.nextLink, apiVersion, abortSignal);
    }
  }
}
