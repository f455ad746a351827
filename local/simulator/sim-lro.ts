import { randomUUID } from 'node:crypto';
import { isManualClock, type SimClock } from './sim-clock';

export interface SimLroError {
  readonly code: string;
  readonly message: string;
  readonly details?: { code: string; message: string }[];
}

/** The long-running operations of the Network RP the simulator runs, each with its own duration. */
export type SimOperationKind =
  | 'connection-create'
  | 'connection-update'
  | 'connection-delete'
  | 'connection-reset'
  | 'gateway-update'
  | 'local-network-gateway-create'
  | 'local-network-gateway-update'
  | 'local-network-gateway-delete'
  | 'tags-update';

/**
 * How long Azure takes, roughly (Microsoft's pages and experience, not measured SLAs): a connection is created or
 * updated in tens of seconds to a couple of minutes, a gateway update (identity, settings) takes several minutes, a
 * local network gateway about a minute. Benchmarks run against these on the virtual clock to tell the bot's own
 * time from Azure's.
 */
export const azureOperationDurations: Readonly<Record<SimOperationKind, number>> = {
  'connection-create': 90_000,
  'connection-update': 60_000,
  'connection-delete': 45_000,
  'connection-reset': 30_000,
  'gateway-update': 360_000,
  'local-network-gateway-create': 60_000,
  'local-network-gateway-update': 60_000,
  'local-network-gateway-delete': 30_000,
  'tags-update': 10_000,
};

/** Every operation done at once: for tests and benchmarks that measure something other than Azure's time. */
export const instantOperationDurations: Readonly<Record<SimOperationKind, number>> = Object.fromEntries(Object.keys(azureOperationDurations).map((kind) => [kind, 0])) as Record<SimOperationKind, number>;

export interface SimLroOperation {
  readonly id: string;
  readonly kind: SimOperationKind;
  readonly subscriptionId: string;
  readonly provider: string;
  readonly location: string;
  readonly startedAt: Date;
  readonly readyAt: Date;
  polls: number;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  endedAt?: Date;
  error?: SimLroError;
  /** For operations polled through `Location` (POST/DELETE): the final answer once done. */
  readonly result?: () => { status: number; body?: unknown };
}

export interface SimLroTiming {
  /** How long each kind of operation runs on the simulator's clock. */
  readonly durations: Readonly<Record<SimOperationKind, number>>;
  /** Retry-After the simulator advertises on LRO responses and on 409/429 "busy" answers, in seconds. */
  readonly retryAfterSeconds: number;
  /** How many polls answer InProgress before an operation may finish, so Updating is observable. */
  readonly minPolls: number;
  /** An operation nobody polls still finishes this long after `readyAt` (a client may give up polling). */
  readonly unpolledGraceMs: number;
  /**
   * Manual clock only: how far the clock moves each time the simulator tells a client to wait (an InProgress poll,
   * a 409/429 busy answer), as if the client had waited Azure's Retry-After (10 s). Undefined: the clock only moves
   * when the test moves it.
   */
  readonly clientWaitMs?: number;
}

interface Pending {
  readonly op: SimLroOperation;
  /** Decides the outcome when the operation finishes (what Azure finds while applying the change). */
  readonly decide?: (at: Date) => SimLroError | undefined;
  readonly complete: (outcome: { ok: true } | { ok: false; error: SimLroError }, at: Date) => void;
}

/**
 * Long-running operations as Azure Resource Manager runs them: the initial response carries Azure-AsyncOperation
 * (and, for POST/DELETE, Location) headers; polls answer InProgress until the operation is ready, then
 * Succeeded/Failed; the resource's provisioningState moves Updating -> Succeeded/Failed at that moment.
 */
export class SimLroRegistry {
  private readonly operations = new Map<string, Pending>();

  constructor(
    private readonly clock: SimClock,
    readonly timing: SimLroTiming,
  ) {}

  start(input: {
    kind: SimOperationKind;
    subscriptionId: string;
    provider: string;
    location: string;
    decide?: (at: Date) => SimLroError | undefined;
    result?: () => { status: number; body?: unknown };
    complete: (outcome: { ok: true } | { ok: false; error: SimLroError }, at: Date) => void;
  }): SimLroOperation {
    const now = this.clock.now();
    const op: SimLroOperation = {
      id: randomUUID(),
      kind: input.kind,
      subscriptionId: input.subscriptionId,
      provider: input.provider,
      location: input.location.toLowerCase().replace(/\s+/g, ''),
      startedAt: now,
      readyAt: new Date(now.getTime() + this.timing.durations[input.kind]),
      polls: 0,
      status: 'InProgress',
      ...(input.result ? { result: input.result } : {}),
    };
    this.operations.set(op.id.toLowerCase(), { op, complete: input.complete, ...(input.decide ? { decide: input.decide } : {}) });
    return op;
  }

  /** Records a poll and settles the operation if its time has come; a client told to keep waiting waits. */
  poll(id: string): SimLroOperation | undefined {
    const pending = this.operations.get(id.toLowerCase());
    if (!pending) return undefined;
    this.settleOne(pending, this.clock.now(), true);
    pending.op.polls++;
    if (pending.op.status === 'InProgress') this.clientWaits();
    return pending.op;
  }

  /** Finishes every operation that nobody polled but whose grace period is over. */
  settleDue(): void {
    const now = this.clock.now();
    for (const pending of this.operations.values()) this.settleOne(pending, now, false);
  }

  /** The simulator told a client to come back later: on a manual clock, that wait passes on the virtual clock. */
  clientWaits(): void {
    if (this.timing.clientWaitMs !== undefined && isManualClock(this.clock)) this.clock.advance(this.timing.clientWaitMs);
  }

  headers(op: SimLroOperation, baseUrl: string, apiVersion: string, withLocation: boolean): Record<string, string> {
    const root = `${baseUrl}/subscriptions/${op.subscriptionId}/providers/${op.provider}/locations/${op.location}`;
    return {
      'azure-asyncoperation': `${root}/operations/${op.id}?api-version=${apiVersion}`,
      ...(withLocation ? { location: `${root}/operationResults/${op.id}?api-version=${apiVersion}` } : {}),
      'retry-after': String(this.timing.retryAfterSeconds),
    };
  }

  private settleOne(pending: Pending, now: Date, polling: boolean): void {
    const { op } = pending;
    if (op.status !== 'InProgress' || now < op.readyAt) return;
    const polledEnough = polling ? op.polls >= this.timing.minPolls : now.getTime() >= op.readyAt.getTime() + this.timing.unpolledGraceMs;
    if (!polledEnough) return;
    op.endedAt = now;
    const failure = pending.decide?.(now);
    if (failure) {
      op.status = 'Failed';
      op.error = failure;
      pending.complete({ ok: false, error: failure }, now);
    } else {
      op.status = 'Succeeded';
      pending.complete({ ok: true }, now);
    }
  }
}
