import type { SimRequestFacts } from './sim-faults';
import type { SimPrincipal, SimService } from './sim-principals';
import type { ThrottleKind } from './sim-throttle';

export interface SimResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface SimHandlerContext {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Request headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly params: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly principal: SimPrincipal;
  readonly now: Date;
  /** `https://127.0.0.1:<port>` of the listener that received the request. */
  readonly baseUrl: string;
  readonly apiVersion: string;
  readonly facts: SimRequestFacts;
}

export interface SimRoute {
  readonly service: SimService;
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
  /**
   * Path template: `{name}` matches one segment, `{name+}` one or more (for `/{resourceUri}/providers/...`).
   * Literal segments match case-insensitively, as ARM does.
   */
  readonly template: string;
  /** Operation name for stats and faults, e.g. `Microsoft.Network/connections/read`. */
  readonly operation: string;
  /** RBAC action checked on `scope`; defaults to `operation`. */
  readonly action?: string;
  /** Scope the action is checked on; defaults to the request path. */
  readonly scope?: (params: Readonly<Record<string, string>>, path: string) => string;
  readonly throttle?: ThrottleKind;
  /** Accepted api-version values; the request is rejected as ARM does when absent or unknown. Omit for no api-version. */
  readonly apiVersions?: readonly string[];
  /** Resource type named in ARM's "no registered provider" error. */
  readonly resourceType?: string;
  handle(ctx: SimHandlerContext): SimResponse | Promise<SimResponse>;
}

interface CompiledRoute {
  readonly route: SimRoute;
  readonly regex: RegExp;
  readonly names: string[];
}

/** Matches requests to routes; the first route whose method and template match wins. */
export class SimRouter {
  private readonly compiled: CompiledRoute[] = [];

  add(...routes: SimRoute[]): void {
    for (const route of routes) this.compiled.push(compile(route));
  }

  match(service: SimService, method: string, path: string): { route: SimRoute; params: Record<string, string> } | { route: undefined; methodMismatch: boolean } {
    let methodMismatch = false;
    for (const c of this.compiled) {
      if (c.route.service !== service) continue;
      const m = c.regex.exec(path);
      if (!m) continue;
      if (c.route.method !== method.toUpperCase()) {
        methodMismatch = true;
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route: c.route, params };
    }
    return { route: undefined, methodMismatch };
  }
}

function compile(route: SimRoute): CompiledRoute {
  const names: string[] = [];
  const pattern = route.template
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)(\+?)\}$/.exec(segment);
      if (param?.[1]) {
        names.push(param[1]);
        return param[2] ? '(.+?)' : '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\$]/g, '\\$&');
    })
    .join('/');
  return { route, regex: new RegExp(`^${pattern}/?$`, 'i'), names };
}
