import { randomUUID } from 'node:crypto';
import type { SimClock } from './sim-clock';

export interface SimLroError {
  readonly code: string;
  readonly message: string;
  readonly details?: { code: string; message: string }[];
}

export interface SimLroOperation {
  readonly id: string;
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
  /** How long an operation runs on the simulator clock (0 = done at the first poll after the first InProgress). */
  readonly durationMs: number;
  /** Retry-After the simulator advertises on LRO responses, in seconds (Azure Network says 10). */
  readonly retryAfterSeconds: number;
  /** How many polls answer InProgress before an operation may finish, so Updating is observable. */
  readonly minPolls: number;
  /** An operation nobody polls still finishes this long after `readyAt` (a client may give up polling). */
  readonly unpolledGraceMs: number;
}

interface Pending {
  readonly op: SimLroOperation;
  readonly failure?: SimLroError;
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
    subscriptionId: string;
    provider: string;
    location: string;
    failure?: SimLroError;
    result?: () => { status: number; body?: unknown };
    complete: (outcome: { ok: true } | { ok: false; error: SimLroError }, at: Date) => void;
  }): SimLroOperation {
    const now = this.clock.now();
    const op: SimLroOperation = {
      id: randomUUID(),
      subscriptionId: input.subscriptionId,
      provider: input.provider,
      location: input.location.toLowerCase().replace(/\s+/g, ''),
      startedAt: now,
      readyAt: new Date(now.getTime() + this.timing.durationMs),
      polls: 0,
      status: 'InProgress',
      ...(input.result ? { result: input.result } : {}),
    };
    this.operations.set(op.id.toLowerCase(), { op, complete: input.complete, ...(input.failure ? { failure: input.failure } : {}) });
    return op;
  }

  get(id: string): SimLroOperation | undefined {
    return this.operations.get(id.toLowerCase())?.op;
  }

  /** Records a poll and settles the operation if its time has come. */
  poll(id: string): SimLroOperation | undefined {
    const pending = this.operations.get(id.toLowerCase());
    if (!pending) return undefined;
    this.settleOne(pending, this.clock.now(), true);
    pending.op.polls++;
    return pending.op;
  }

  /** Finishes every operation that nobody polled but whose grace period is over. */
  settleDue(): void {
    const now = this.clock.now();
    for (const pending of this.operations.values()) this.settleOne(pending, now, false);
  }

  isRunning(): boolean {
    return [...this.operations.values()].some((p) => p.op.status === 'InProgress');
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
    if (pending.failure) {
      op.status = 'Failed';
      op.error = pending.failure;
      pending.complete({ ok: false, error: pending.failure }, now);
    } else {
      op.status = 'Succeeded';
      pending.complete({ ok: true }, now);
    }
  }
}
