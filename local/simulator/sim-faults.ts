import type { SimService } from './sim-principals';

/** What an injected fault does to a matching request. */
export type SimFaultResponse =
  /** ARM's throttling answer: 429 with Retry-After. */
  | { readonly status: 429; readonly retryAfterSeconds?: number }
  /** A server-side failure; the SDK's retry policy retries these. */
  | { readonly status: 500 | 502 | 503 | 504; readonly retryAfterSeconds?: number }
  /** Authorization failure regardless of the caller's roles. */
  | { readonly status: 403 }
  /** Any other error with a chosen Azure error code. */
  | { readonly status: 400 | 404 | 409; readonly code: string; readonly message?: string }
  /** Holds the request this long before answering normally (clients with a deadline time out). */
  | { readonly delayMs: number }
  /** The next long-running operation started by a matching request fails with this Azure error code. */
  | { readonly lroFails: string; readonly message?: string }
  /** Closes the socket without answering (a network error on the client). */
  | { readonly dropConnection: true }
  /**
   * Answers an ARM list normally but with this `nextLink` (a hostile or broken page): another host's URL, or
   * `{self}` (the requested URL again), which pages forever.
   */
  | { readonly nextLink: string };

export interface SimFaultMatch {
  readonly method?: string;
  /** Case-insensitive substring of the request path (without the query string). */
  readonly pathContains?: string;
  /** Case-insensitive end of the request path, e.g. `/connections` for a list but not a get. */
  readonly pathEndsWith?: string;
  readonly service?: SimService;
  /** Operation name as counted in `sim.stats`, e.g. `Microsoft.Network/connections/read`. */
  readonly operation?: string;
  /** Only requests from this principal (object id). */
  readonly principalId?: string;
}

export interface SimFaultRule {
  readonly match: SimFaultMatch;
  readonly respond: SimFaultResponse;
  /** How many matching requests this rule hits; unlimited when omitted. */
  readonly times?: number;
}

export interface SimFaultHandle {
  readonly hits: number;
  remove(): void;
}

export interface SimRequestFacts {
  readonly method: string;
  readonly path: string;
  readonly service: SimService;
  readonly operation: string;
  readonly principalId?: string;
}

interface ActiveRule {
  readonly rule: SimFaultRule;
  remaining: number;
  hits: number;
}

/** Faults injected by tests and benchmarks, matched in the order they were added. */
export class SimFaults {
  private rules: ActiveRule[] = [];

  add(rule: SimFaultRule): SimFaultHandle {
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) throw new RangeError('times must be a positive integer.');
    const active: ActiveRule = { rule, remaining: rule.times ?? Number.POSITIVE_INFINITY, hits: 0 };
    this.rules.push(active);
    return {
      get hits() {
        return active.hits;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== active);
      },
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault to apply to a request (not LRO failures: see `takeLroFailure`), consuming one use of its rule. */
  take(request: SimRequestFacts): SimFaultResponse | undefined {
    return this.consume(request, (r) => !('lroFails' in r));
  }

  /** An LRO failure for an operation started by this request, if one was injected. */
  takeLroFailure(request: SimRequestFacts): { code: string; message?: string } | undefined {
    const response = this.consume(request, (r) => 'lroFails' in r);
    return response && 'lroFails' in response ? { code: response.lroFails, ...(response.message ? { message: response.message } : {}) } : undefined;
  }

  private consume(request: SimRequestFacts, kind: (r: SimFaultResponse) => boolean): SimFaultResponse | undefined {
    for (const active of this.rules) {
      if (active.remaining <= 0 || !kind(active.rule.respond) || !matches(active.rule.match, request)) continue;
      active.remaining--;
      active.hits++;
      if (active.remaining <= 0) this.rules = this.rules.filter((r) => r !== active);
      return active.rule.respond;
    }
    return undefined;
  }
}

function matches(match: SimFaultMatch, request: SimRequestFacts): boolean {
  if (match.method && match.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (match.pathContains && !request.path.toLowerCase().includes(match.pathContains.toLowerCase())) return false;
  if (match.pathEndsWith && !request.path.toLowerCase().replace(/\/$/, '').endsWith(match.pathEndsWith.toLowerCase())) return false;
  if (match.service && match.service !== request.service) return false;
  if (match.operation && match.operation.toLowerCase() !== request.operation.toLowerCase()) return false;
  if (match.principalId && match.principalId !== request.principalId) return false;
  return true;
}
