import { EventType, type HistoryEvent } from './history-event';

/**
 * Re-plays the actions an out-of-process orchestrator returned against the instance history, the way the Durable
 * extension's OutOfProcOrchestrationShim does on top of DurableTask.Core:
 *
 * - actions are invoked one after another, each awaited before the next (failures swallowed), so a Task.all with a
 *   failed child still waits for its other children before anything after it is scheduled;
 * - every activity, timer and sub-orchestration takes the next sequence id when it is invoked; retries are
 *   DurableTask.Core's RetryInterceptor (one timer after every failed attempt, backoff from firstRetryInterval,
 *   backoffCoefficient, maxRetryInterval, retryTimeout); timers beyond 6 days are split into 3-day chunks;
 * - history is processed in order: scheduling events must match the action with the same sequence id (type and
 *   name), otherwise the instance fails with DurableTask.Core's non-determinism message; completion events resume
 *   the awaiting action; external events go to the most recent waiter or are buffered;
 * - whatever was invoked but is not in history yet is a new decision for the engine to carry out.
 */

export enum ActionType {
  CallActivity = 0,
  CallActivityWithRetry = 1,
  CallSubOrchestrator = 2,
  CallSubOrchestratorWithRetry = 3,
  ContinueAsNew = 4,
  CreateTimer = 5,
  WaitForExternalEvent = 6,
  CallEntity = 7,
  CallHttp = 8,
  SignalEntity = 9,
  ScheduledSignalEntity = 10,
  WhenAny = 11,
  WhenAll = 12,
  LockEntities = 13,
  ReleaseEntities = 14,
}

export interface RetryOptionsJson {
  firstRetryIntervalInMilliseconds?: number;
  maxNumberOfAttempts?: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface OrchestratorAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: RetryOptionsJson;
  instanceId?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: OrchestratorAction[];
}

export type Decision =
  /** `input` is the action's input exactly as the SDK sent it (strings arrive pre-serialised as JSON text). */
  | { kind: 'ScheduleTask'; id: number; name: string; input: unknown }
  | { kind: 'CreateTimer'; id: number; fireAt: Date }
  | { kind: 'CreateSubOrchestration'; id: number; name: string; instanceId: string; input: unknown };

export interface ShimEnvironment {
  instanceId: string;
  executionId: string;
  parentInstanceId: string | undefined;
  activityNames: string[];
  orchestratorNames: string[];
}

export interface ShimResult {
  decisions: Decision[];
  /** Non-determinism: the instance fails with exactly this message. */
  nonDeterminism?: string;
  /** An action the extension refuses (unknown function, unsupported API): fails as "Orchestrator function ... failed". */
  invalidAction?: string;
  /** Set when the replay reached a ContinueAsNew action; the SDK's input as sent (JSON text for strings). */
  continueAsNew?: { input: unknown };
}

/** Azure Storage provider limits the extension applies to durable timers. */
export const maximumShortTimerMs = 6 * 86_400_000;
export const longRunningTimerIntervalMs = 3 * 86_400_000;

type Outcome = 'completed' | 'failed' | 'canceled';

class ShimTask {
  outcome: Outcome | undefined;
  #listeners: (() => void)[] = [];

  get done(): boolean {
    return this.outcome !== undefined;
  }

  settle(outcome: Outcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }

  onSettle(listener: () => void): void {
    if (this.outcome) listener();
    else this.#listeners.push(listener);
  }
}

class ShimAbort extends Error {
  constructor(
    readonly kind: 'nonDeterminism' | 'invalidAction',
    message: string,
  ) {
    super(message);
  }
}

const ndSuffix = 'Was a change made to the orchestrator code after this instance had already started running?';

export function replayActions(actions: OrchestratorAction[], history: HistoryEvent[], env: ShimEnvironment): ShimResult {
  return new ReplayShim(actions, env).run(history);
}

class ReplayShim {
  #idCounter = 0;
  #currentUtc = 0;
  readonly #pending = new Map<number, Decision>();
  readonly #openTasks = new Map<number, ShimTask>();
  readonly #waiters = new Map<string, ShimTask[]>();
  readonly #buffered = new Map<string, number>();
  #continueAsNew: { input: unknown } | undefined;
  #started = false;

  constructor(
    private readonly actions: OrchestratorAction[],
    private readonly env: ShimEnvironment,
  ) {}

  run(history: HistoryEvent[]): ShimResult {
    try {
      for (const event of history) this.#process(event);
      if (!this.#started) this.#runFrom(0);
    } catch (error) {
      if (error instanceof ShimAbort) {
        return error.kind === 'nonDeterminism'
          ? { decisions: [], nonDeterminism: error.message }
          : { decisions: [], invalidAction: error.message };
      }
      throw error;
    }
    const decisions = [...this.#pending.values()].sort((a, b) => a.id - b.id);
    return { decisions, ...(this.#continueAsNew ? { continueAsNew: this.#continueAsNew } : {}) };
  }

  #process(event: HistoryEvent): void {
    switch (event.EventType) {
      case EventType.OrchestratorStarted:
        this.#currentUtc = Date.parse(event.Timestamp);
        break;
      case EventType.ExecutionStarted:
        if (!this.#started) {
          this.#started = true;
          this.#runFrom(0);
        }
        break;
      case EventType.TaskScheduled:
        this.#matchTaskScheduled(event);
        break;
      case EventType.TimerCreated:
        this.#matchTimerCreated(event);
        break;
      case EventType.SubOrchestrationInstanceCreated:
        this.#matchSubOrchestrationCreated(event);
        break;
      case EventType.EventSent:
        throw new ShimAbort(
          'nonDeterminism',
          `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled a send event task with sequence ID ${event.EventId}, type '${EventType[event.EventType]}' name '${String(event.Name)}', instance ID '${String(event.InstanceId)}', but the current replay execution hasn't (yet?) scheduled this task. ${ndSuffix}`,
        );
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted:
        this.#complete(event.TaskScheduledId, 'completed');
        break;
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed:
        this.#complete(event.TaskScheduledId, 'failed');
        break;
      case EventType.TimerFired:
        this.#complete(event.TimerId, 'completed');
        break;
      case EventType.EventRaised:
        this.#raiseEvent(String(event.Name));
        break;
      default:
        break;
    }
  }

  #complete(id: unknown, outcome: Outcome): void {
    if (typeof id !== 'number') return;
    const task = this.#openTasks.get(id);
    if (!task) return; // duplicate or stale completion: DurableTask.Core logs and ignores it
    this.#openTasks.delete(id);
    task.settle(outcome);
  }

  #matchTaskScheduled(event: HistoryEvent): void {
    const id = event.EventId;
    const name = String(event.Name);
    const action = this.#pending.get(id);
    if (!action) {
      throw new ShimAbort(
        'nonDeterminism',
        `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task with sequence ID ${id} and name '${name}' (version '${String(event.Version ?? '')}'), but the current replay execution hasn't (yet?) scheduled this task. ${ndSuffix}`,
      );
    }
    if (action.kind !== 'ScheduleTask') {
      throw new ShimAbort(
        'nonDeterminism',
        `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task with sequence number ${id} named '${name}', but the current orchestration replay instead produced a ${dtfxActionName(action)} action with this sequence number. ${ndSuffix}`,
      );
    }
    if (action.name.toLowerCase() !== name.toLowerCase()) {
      throw new ShimAbort(
        'nonDeterminism',
        `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task with sequence number ${id} named '${name}', but the current orchestration replay instead scheduled an activity task named '${action.name}' with this sequence number.  ${ndSuffix}`,
      );
    }
    this.#pending.delete(id);
  }

  #matchTimerCreated(event: HistoryEvent): void {
    const id = event.EventId;
    const action = this.#pending.get(id);
    if (!action) {
      throw new ShimAbort(
        'nonDeterminism',
        `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled a timer task with sequence number ${id} but the current replay execution hasn't (yet?) scheduled this task. ${ndSuffix}`,
      );
    }
    if (action.kind !== 'CreateTimer') {
      throw new ShimAbort(
        'nonDeterminism',
        `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled a timer task with sequence number ${id} named but the current orchestration replay instead produced a ${dtfxActionName(action)} action with this sequence number. ${ndSuffix}`,
      );
    }
    this.#pending.delete(id);
  }

  #matchSubOrchestrationCreated(event: HistoryEvent): void {
    const id = event.EventId;
    const name = String(event.Name);
    const describe = `sub-orchestration task with sequence ID ${id} and name '${name}' (version '${String(event.Version ?? '')}', instance ID '${String(event.InstanceId)}')`;
    const action = this.#pending.get(id);
    if (!action) {
      throw new ShimAbort(
        'nonDeterminism',
        `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled a ${describe}, but the current replay execution hasn't (yet?) scheduled this task. ${ndSuffix}`,
      );
    }
    if (action.kind !== 'CreateSubOrchestration') {
      throw new ShimAbort(
        'nonDeterminism',
        `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled a ${describe}, but the current orchestration replay instead produced a ${dtfxActionName(action)} action at this sequence number. ${ndSuffix}`,
      );
    }
    if (action.name.toLowerCase() !== name.toLowerCase()) {
      throw new ShimAbort(
        'nonDeterminism',
        `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled a ${describe}, but the current orchestration replay instead scheduled a sub-orchestration task with name ${action.name} at this sequence number. ${ndSuffix}`,
      );
    }
    this.#pending.delete(id);
  }

  /** The extension's replay loop: invoke each action and await it before invoking the next. */
  #runFrom(index: number): void {
    for (let i = index; i < this.actions.length; i++) {
      const task = this.#invoke(this.actions[i] as OrchestratorAction);
      if (!task.done) {
        task.onSettle(() => this.#runFrom(i + 1));
        return;
      }
    }
  }

  #invoke(action: OrchestratorAction): ShimTask {
    switch (action.actionType) {
      case ActionType.CallActivity: {
        const name = this.#requireFunction(action, 'activity');
        return this.#scheduleTask(name, action.input);
      }
      case ActionType.CallActivityWithRetry: {
        const name = this.#requireFunction(action, 'activity');
        return this.#withRetry(action.retryOptions, () => this.#scheduleTask(name, action.input));
      }
      case ActionType.CallSubOrchestrator: {
        const name = this.#requireFunction(action, 'orchestrator');
        this.#checkSubOrchestrationId(action.instanceId);
        return this.#createSubOrchestration(name, action.instanceId, action.input);
      }
      case ActionType.CallSubOrchestratorWithRetry: {
        const name = this.#requireFunction(action, 'orchestrator');
        this.#checkSubOrchestrationId(action.instanceId);
        return this.#withRetry(action.retryOptions, () => this.#createSubOrchestration(name, action.instanceId, action.input));
      }
      case ActionType.ContinueAsNew: {
        this.#continueAsNew = { input: action.input };
        return settled('completed');
      }
      case ActionType.CreateTimer:
        return this.#timer(action);
      case ActionType.WaitForExternalEvent:
        return this.#waitForEvent(String(action.externalEventName));
      case ActionType.WhenAll: {
        const children = (action.compoundActions ?? []).map((child) => this.#invoke(child));
        const all = new ShimTask();
        const check = (): void => {
          if (children.every((c) => c.done)) all.settle(children.some((c) => c.outcome !== 'completed') ? 'failed' : 'completed');
        };
        if (children.length === 0) all.settle('completed');
        for (const child of children) child.onSettle(check);
        return all;
      }
      case ActionType.WhenAny: {
        const children = (action.compoundActions ?? []).map((child) => this.#invoke(child));
        const any = new ShimTask();
        for (const child of children) child.onSettle(() => any.settle('completed'));
        return any;
      }
      case ActionType.CallEntity:
      case ActionType.SignalEntity:
      case ActionType.ScheduledSignalEntity:
      case ActionType.LockEntities:
      case ActionType.ReleaseEntities:
        throw new ShimAbort('invalidAction', `Durable entities (${ActionType[action.actionType]}) are not supported by the local Functions host.`);
      case ActionType.CallHttp:
        throw new ShimAbort('invalidAction', 'Durable HTTP calls (callHttp) are not supported by the local Functions host; call an activity instead.');
      default:
        throw new ShimAbort('invalidAction', `Received an unexpected action type from the out-of-proc function: '$${String(action.actionType)}'.`);
    }
  }

  #requireFunction(action: OrchestratorAction, kind: 'activity' | 'orchestrator'): string {
    const name = action.functionName ?? '';
    const known = kind === 'activity' ? this.env.activityNames : this.env.orchestratorNames;
    const match = known.find((n) => n.toLowerCase() === name.toLowerCase());
    if (!match) {
      const list = known.map((n) => `'${n}'`).join(', ');
      throw new ShimAbort(
        'invalidAction',
        `The function '${name}' doesn't exist, is disabled, or is not an ${kind} function. Additional info: The following are the known ${kind} functions: ${list}.`,
      );
    }
    return match;
  }

  #checkSubOrchestrationId(instanceId: string | undefined): void {
    if (instanceId === undefined || instanceId === null) return;
    if (
      instanceId.toLowerCase() === this.env.instanceId.toLowerCase() ||
      (this.env.parentInstanceId !== undefined && instanceId.toLowerCase() === this.env.parentInstanceId.toLowerCase())
    ) {
      throw new ShimAbort('invalidAction', 'The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration.');
    }
    if (instanceId.startsWith('@')) throw new ShimAbort('invalidAction', 'Orchestration instance ids must not start with @');
  }

  #scheduleTask(name: string, input: unknown): ShimTask {
    const id = this.#idCounter++;
    this.#pending.set(id, { kind: 'ScheduleTask', id, name, input });
    const task = new ShimTask();
    this.#openTasks.set(id, task);
    return task;
  }

  #createSubOrchestration(name: string, instanceId: string | undefined, input: unknown): ShimTask {
    const id = this.#idCounter++;
    const actualId = instanceId ? instanceId : `${this.env.executionId}:${id}`;
    this.#pending.set(id, { kind: 'CreateSubOrchestration', id, name, instanceId: actualId, input });
    const task = new ShimTask();
    this.#openTasks.set(id, task);
    return task;
  }

  #createTimer(fireAt: Date): ShimTask {
    const id = this.#idCounter++;
    this.#pending.set(id, { kind: 'CreateTimer', id, fireAt });
    const task = new ShimTask();
    this.#openTasks.set(id, task);
    return task;
  }

  #timer(action: OrchestratorAction): ShimTask {
    const fireAt = new Date(String(action.fireAt));
    if (Number.isNaN(fireAt.getTime())) {
      throw new ShimAbort('invalidAction', `CreateTimer received an invalid fireAt value '${String(action.fireAt)}'.`);
    }
    const finalMs = fireAt.getTime();
    if (finalMs - this.#currentUtc <= maximumShortTimerMs) {
      const task = this.#createTimer(fireAt);
      if (action.isCanceled) this.#cancel(task);
      return task;
    }
    // Long-running timer: the extension creates 3-day timers until the remaining time is short enough.
    const result = new ShimTask();
    const next = (fireAtMs: number): void => {
      const chunk = this.#createTimer(new Date(fireAtMs));
      if (action.isCanceled) {
        this.#cancel(chunk);
        result.settle('canceled');
        return;
      }
      chunk.onSettle(() => {
        const remaining = finalMs - this.#currentUtc;
        if (remaining <= 0) result.settle('completed');
        else next(this.#currentUtc + Math.min(remaining, longRunningTimerIntervalMs));
      });
    };
    next(this.#currentUtc + longRunningTimerIntervalMs);
    return result;
  }

  /** A cancelled timer stops being awaited, but its CreateTimer decision stays (the timer still fires later). */
  #cancel(task: ShimTask): void {
    for (const [id, open] of this.#openTasks) {
      if (open === task) this.#openTasks.delete(id);
    }
    task.settle('canceled');
  }

  #waitForEvent(name: string): ShimTask {
    const task = new ShimTask();
    const buffered = this.#buffered.get(name) ?? 0;
    if (buffered > 0) {
      this.#buffered.set(name, buffered - 1);
      task.settle('completed');
      return task;
    }
    const stack = this.#waiters.get(name) ?? [];
    stack.push(task);
    this.#waiters.set(name, stack);
    return task;
  }

  #raiseEvent(name: string): void {
    const stack = this.#waiters.get(name);
    const waiter = stack?.pop();
    if (waiter) {
      if (stack && stack.length === 0) this.#waiters.delete(name);
      waiter.settle('completed');
    } else {
      this.#buffered.set(name, (this.#buffered.get(name) ?? 0) + 1);
    }
  }

  /** DurableTask.Core RetryInterceptor.Invoke. */
  #withRetry(options: RetryOptionsJson | undefined, attempt: () => ShimTask): ShimTask {
    const first = Number(options?.firstRetryIntervalInMilliseconds ?? 0);
    const maxAttempts = Number(options?.maxNumberOfAttempts ?? 0);
    const coefficient = options?.backoffCoefficient ?? 1;
    const maxInterval = options?.maxRetryIntervalInMilliseconds ?? Number.POSITIVE_INFINITY;
    const timeout = options?.retryTimeoutInMilliseconds ?? Number.POSITIVE_INFINITY;
    const firstAttempt = this.#currentUtc;
    const result = new ShimTask();
    let retryCount = 0;

    const nextDelay = (): number => {
      if (!(this.#currentUtc < firstAttempt + timeout)) return 0;
      const delay = first * Math.pow(coefficient, retryCount);
      return delay < maxInterval ? delay : maxInterval;
    };

    const tryOnce = (): void => {
      if (retryCount >= maxAttempts) {
        result.settle('failed');
        return;
      }
      const task = attempt();
      task.onSettle(() => {
        if (task.outcome === 'completed') {
          result.settle('completed');
          return;
        }
        const delay = nextDelay();
        if (!(delay > 0)) {
          result.settle('failed');
          return;
        }
        const timer = this.#createTimer(new Date(this.#currentUtc + Math.round(delay)));
        timer.onSettle(() => {
          retryCount++;
          tryOnce();
        });
      });
    };
    tryOnce();
    return result;
  }
}

function settled(outcome: Outcome): ShimTask {
  const task = new ShimTask();
  task.settle(outcome);
  return task;
}

/** DurableTask.Core's class names for actions, used in its non-determinism messages. */
function dtfxActionName(action: Decision): string {
  switch (action.kind) {
    case 'ScheduleTask':
      return 'ScheduleTaskOrchestratorAction';
    case 'CreateTimer':
      return 'CreateTimerOrchestratorAction';
    case 'CreateSubOrchestration':
      return 'CreateSubOrchestrationAction';
  }
}

/** Counts WaitForExternalEvent actions per event name (nested ones included). */
export function countEventWaits(actions: OrchestratorAction[], into = new Map<string, number>()): Map<string, number> {
  for (const action of actions) {
    if (action.actionType === ActionType.WaitForExternalEvent && action.externalEventName !== undefined) {
      into.set(action.externalEventName, (into.get(action.externalEventName) ?? 0) + 1);
    }
    if (action.compoundActions) countEventWaits(action.compoundActions, into);
  }
  return into;
}
