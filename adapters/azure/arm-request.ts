import { createDefaultHttpClient, createPipelineRequest, RestError, type HttpClient, type Pipeline } from '@azure/core-rest-pipeline';

/**
 * A plain ARM GET through an SDK client's own pipeline (same credential, retries, user agent and trusted CA), for
 * the few read-only ARM resources no installed SDK package covers: resource groups, user-assigned identities and
 * Log Analytics workspaces. Errors surface as RestError, exactly like the SDK's own calls.
 */
export class ArmRequester {
  private readonly httpClient: HttpClient = createDefaultHttpClient();

  constructor(
    private readonly pipeline: Pipeline,
    private readonly endpoint: string,
  ) {}

  async get<T>(path: string, apiVersion: string, abortSignal?: AbortSignal): Promise<T> {
    const url = path.startsWith('https://') ? path : `${this.endpoint.replace(/\/$/, '')}${path}${path.includes('?') ? '&' : '?'}api-version=${apiVersion}`;
    const request = createPipelineRequest({ url, method: 'GET', headers: undefined, ...(abortSignal ? { abortSignal } : {}) });
    request.headers.set('accept', 'application/json');
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

  /** Follows `nextLink` until the list ends. */
  async list<T>(path: string, apiVersion: string, abortSignal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    let page = await this.get<{ value?: T[]; nextLink?: string }>(path, apiVersion, abortSignal);
    for (;;) {
      items.push(...(page.value ?? []));
      if (!page.nextLink) return items;
      page = await this.get<{ value?: T[]; nextLink?: string }>(page.nextLink, apiVersion, abortSignal);
    }
  }
}
