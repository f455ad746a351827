import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import { errorMessageOf, errorStackOf, FunctionTimeoutError, type FunctionInvoker } from '../function-invoker';
import type { RpcParameterBinding, RpcTypedData } from '../functions-core-types';
import type { HostLogger } from '../host-logger';
import { EventType, historyEvent, OrchestrationStatusCode, type HistoryEvent } from './history-event';
import { countEventWaits, replayActions, type Decision, type OrchestratorAction } from './replay-shim';

export type RuntimeStatus = 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Canceled' | 'Terminated' | 'Pending' | 'Suspended';

export const runtimeStatuses: RuntimeStatus[] = ['Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Canceled', 'Terminated', 'Pending', 'Suspended'];

export interface InstanceSnapshot {
  instanceId: string;
  name: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: Date;
  lastUpdatedTime: Date;
  executionId: string;
  parentInstanceId?: string;
  /** History of the current execution, in the JSON shape the SDK receives (copies). */
  history: HistoryEvent[];
}

export interface DurableFunctionCatalog {
  orchestrators: Map<string, { triggerName: string }>;
  activities: Map<string, { triggerName: string }>;
}

interface ParentLink {
  instanceId: string;
  executionId: string;
  taskScheduledId: number;
  name: string;
}

interface Message {
  event: HistoryEvent;
  /** Task results and timers belong to one execution; external events and control messages target the instance. */
  executionId?: string;
}

/** One orchestration instance. `input`/`output`/`customStatus` hold the serialized text DurableTask.Core stores. */
export class InstanceRecord {
  executionId = newExecutionId();
  status: RuntimeStatus = 'Pending';
  output: string | null = null;
  customStatus: string | null = null;
  history: HistoryEvent[] = [];
  inbox: Message[] = [];
  busy = false;
  readonly timers = new Set<{ cancel(): void }>();

  constructor(
    readonly instanceId: string,
    readonly name: string,
    public input: string | null,
    public createdTime: Date,
    public lastUpdatedTime: Date,
    readonly parent: ParentLink | undefined,
  ) {}
}

export class DurableApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type ControlResult = 'accepted' | 'notFound' | 'gone' | 'invalidState';

const terminalStatuses: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

export function isTerminal(status: RuntimeStatus): boolean {
  return terminalStatuses.includes(status);
}

/**
 * The durable backend: instance store, per-instance message queues, orchestration episodes that feed the real
 * durable-functions replay code, activity execution with host.json concurrency, durable timers on the host clock,
 * sub-orchestrations and the management operations the HTTP API exposes. State lives in memory.
 */
export class DurableEngine {
  readonly #instances = new Map<string, InstanceRecord>();
  readonly #listeners = new Set<(instanceId: string) => void>();
  readonly #activityQueue: (() => Promise<void>)[] = [];
  #activitiesRunning = 0;
  #work = 0;
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  constructor(
    private readonly deps: {
      invoker: FunctionInvoker;
      /** Adds the durableClient binding values a function declares to its inputs. */
      withClientInputs(functionName: string, inputs: RpcParameterBinding[]): RpcParameterBinding[];
      clock: Clock;
      logger: HostLogger;
      catalog: DurableFunctionCatalog;
      maxConcurrentActivityFunctions: number;
    },
  ) {}

  // ---- queries -------------------------------------------------------------------------------------------------

  get(instanceId: string): InstanceRecord | undefined {
    return this.#instances.get(instanceId);
  }

  all(): InstanceRecord[] {
    return [...this.#instances.values()];
  }

  snapshot(instanceId: string): InstanceSnapshot | undefined {
    const record = this.#instances.get(instanceId);
    return record ? toSnapshot(record) : undefined;
  }

  snapshots(): InstanceSnapshot[] {
    return this.all().map(toSnapshot);
  }

  onChange(listener: (instanceId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when no orchestration episode, activity or queued message is pending (durable timers may be). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#work === 0) {
        await tick();
        await tick();
        if (this.#work === 0) return;
      } else {
        await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
      }
    }
  }

  /** Host-level work (e.g. a timer-trigger invocation) that should keep `idle()` waiting. */
  trackWork<T>(promise: Promise<T>): Promise<T> {
    this.#work++;
    return promise.finally(() => {
      this.#work--;
      this.#checkIdle();
    });
  }

  close(): void {
    this.#closed = true;
    for (const record of this.#instances.values()) this.#cancelTimers(record);
    this.#activityQueue.length = 0;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // ---- management operations ---------------------------------------------------------------------------------

  resolveOrchestratorName(name: string): string | undefined {
    for (const known of this.deps.catalog.orchestrators.keys()) {
      if (known.toLowerCase() === name.toLowerCase()) return known;
    }
    return undefined;
  }

  /** DurableClient.StartNewAsync: validates the id, refuses an active duplicate (409), replaces a finished one. */
  startNew(functionName: string, instanceId: string | undefined, inputJson: string | null): InstanceRecord {
    const name = this.resolveOrchestratorName(functionName);
    if (!name) {
      const known = [...this.deps.catalog.orchestrators.keys()].map((n) => `'${n}'`).join(', ');
      throw new DurableApiError(
        400,
        `The function '${functionName}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: The following are the known orchestrator functions: ${known}.`,
      );
    }
    const id = instanceId && instanceId.length > 0 ? instanceId : randomUUID().replace(/-/g, '');
    validateInstanceId(id);
    const existing = this.#instances.get(id);
    if (existing && !isTerminal(existing.status)) {
      throw new DurableApiError(409, `An Orchestration instance with the status ${existing.status} already exists.`);
    }
    return this.#create(name, id, inputJson, undefined);
  }

  raiseEvent(instanceId: string, eventName: string, inputJson: string | null): ControlResult {
    const record = this.#instances.get(instanceId);
    if (!record) return 'notFound';
    if (isTerminal(record.status)) return 'gone';
    this.#deliver(record, historyEvent(EventType.EventRaised, this.deps.clock.now(), { Name: eventName, Input: inputJson }));
    return 'accepted';
  }

  terminate(instanceId: string, reason: string): ControlResult {
    const record = this.#instances.get(instanceId);
    if (!record) return 'notFound';
    if (isTerminal(record.status)) return 'gone';
    this.#deliver(record, historyEvent(EventType.ExecutionTerminated, this.deps.clock.now(), { Input: reason }));
    return 'accepted';
  }

  suspend(instanceId: string, reason: string): ControlResult {
    const record = this.#instances.get(instanceId);
    if (!record) return 'notFound';
    if (isTerminal(record.status)) return 'gone';
    if (record.status !== 'Running' && record.status !== 'Pending') return 'invalidState';
    this.#deliver(record, historyEvent(EventType.ExecutionSuspended, this.deps.clock.now(), { Reason: reason }));
    return 'accepted';
  }

  resume(instanceId: string, reason: string): ControlResult {
    const record = this.#instances.get(instanceId);
    if (!record) return 'notFound';
    if (isTerminal(record.status)) return 'gone';
    if (record.status !== 'Suspended') return 'invalidState';
    this.#deliver(record, historyEvent(EventType.ExecutionResumed, this.deps.clock.now(), { Reason: reason }));
    return 'accepted';
  }

  /**
   * Rewind of a Failed instance, as DurableTask.Core's Azure Storage provider does it: the failure of each failed
   * activity or sub-orchestration is rewritten into a GenericEvent together with its scheduling event, the instance
   * turns Running again and replays, so the orchestrator schedules that work anew. A failed sub-orchestration is
   * re-run from its start (not rewound in place).
   */
  rewind(instanceId: string, reason: string): ControlResult {
    const record = this.#instances.get(instanceId);
    if (!record) return 'notFound';
    if (record.status === 'Completed' || record.status === 'Terminated' || record.status === 'Canceled') return 'gone';
    if (record.status !== 'Failed') return 'invalidState';
    const now = this.deps.clock.now();
    const rewound = (event: HistoryEvent): HistoryEvent =>
      historyEvent(EventType.GenericEvent, new Date(event.Timestamp), { Data: `Rewound: ${JSON.stringify(event)}` });
    const failedIds = new Set<number>();
    const failedSubIds = new Set<number>();
    for (const event of record.history) {
      if (event.EventType === EventType.TaskFailed) failedIds.add(Number(event.TaskScheduledId));
      if (event.EventType === EventType.SubOrchestrationInstanceFailed) failedSubIds.add(Number(event.TaskScheduledId));
    }
    record.history = record.history.map((event) => {
      switch (event.EventType) {
        case EventType.TaskFailed:
        case EventType.SubOrchestrationInstanceFailed:
        case EventType.ExecutionCompleted:
          return rewound(event);
        case EventType.TaskScheduled:
          return failedIds.has(event.EventId) ? rewound(event) : event;
        case EventType.SubOrchestrationInstanceCreated:
          return failedSubIds.has(event.EventId) ? rewound(event) : event;
        default:
          return event;
      }
    });
    record.status = 'Running';
    record.output = null;
    record.lastUpdatedTime = now;
    this.#emit(record);
    this.#deliver(record, historyEvent(EventType.GenericEvent, now, { Data: reason }));
    return 'accepted';
  }

  /** Purges one finished instance; an active one is left alone (0 deleted), as the storage providers do. */
  purge(instanceId: string): number | 'notFound' {
    const record = this.#instances.get(instanceId);
    if (!record) return 'notFound';
    if (!isTerminal(record.status)) return 0;
    this.#remove(record);
    return 1;
  }

  purgeWhere(filter: { createdTimeFrom: Date; createdTimeTo: Date; statuses?: RuntimeStatus[] }): number {
    let deleted = 0;
    for (const record of this.all()) {
      if (!isTerminal(record.status)) continue;
      if (record.createdTime < filter.createdTimeFrom || record.createdTime > filter.createdTimeTo) continue;
      if (filter.statuses && filter.statuses.length > 0 && !filter.statuses.includes(record.status)) continue;
      this.#remove(record);
      deleted++;
    }
    return deleted;
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  #create(name: string, instanceId: string, inputJson: string | null, parent: ParentLink | undefined): InstanceRecord {
    const previous = this.#instances.get(instanceId);
    if (previous) this.#cancelTimers(previous);
    const now = this.deps.clock.now();
    const record = new InstanceRecord(instanceId, name, inputJson, now, now, parent);
    this.#instances.set(instanceId, record);
    record.inbox.push({ event: this.#executionStarted(record, now) });
    this.#emit(record);
    this.#kick(record);
    return record;
  }

  #executionStarted(record: InstanceRecord, time: Date): HistoryEvent {
    return historyEvent(EventType.ExecutionStarted, time, {
      OrchestrationInstance: { InstanceId: record.instanceId, ExecutionId: record.executionId },
      ParentInstance: record.parent
        ? {
            Name: record.parent.name,
            OrchestrationInstance: { InstanceId: record.parent.instanceId, ExecutionId: record.parent.executionId },
            TaskScheduleId: record.parent.taskScheduledId,
          }
        : null,
      Name: record.name,
      Version: '',
      Input: record.input,
      Tags: null,
    });
  }

  #remove(record: InstanceRecord): void {
    this.#cancelTimers(record);
    record.inbox = [];
    this.#instances.delete(record.instanceId);
    this.#emit(record);
  }

  #deliver(record: InstanceRecord, event: HistoryEvent, executionId?: string): void {
    if (this.#closed || this.#instances.get(record.instanceId) !== record) return;
    if (isTerminal(record.status)) return;
    if (executionId !== undefined && executionId !== record.executionId) return;
    record.inbox.push({ event, ...(executionId !== undefined ? { executionId } : {}) });
    this.#kick(record);
  }

  #kick(record: InstanceRecord): void {
    if (record.busy || this.#closed) return;
    record.busy = true;
    this.#work++;
    setImmediate(() => {
      this.#process(record)
        .catch((error: unknown) => {
          this.deps.logger.host('error', `Durable engine error for instance '${record.instanceId}': ${errorStackOf(error) || errorMessageOf(error)}`);
        })
        .finally(() => {
          record.busy = false;
          this.#work--;
          if (this.#instances.get(record.instanceId) === record && this.#hasDeliverable(record)) this.#kick(record);
          this.#checkIdle();
        });
    });
  }

  #hasDeliverable(record: InstanceRecord): boolean {
    if (isTerminal(record.status)) return false;
    const live = record.inbox.filter((m) => m.executionId === undefined || m.executionId === record.executionId);
    if (record.status === 'Suspended') {
      return live.some((m) => m.event.EventType === EventType.ExecutionResumed || m.event.EventType === EventType.ExecutionTerminated);
    }
    return live.length > 0;
  }

  async #process(record: InstanceRecord): Promise<void> {
    while (!this.#closed && this.#instances.get(record.instanceId) === record) {
      if (isTerminal(record.status)) {
        record.inbox = [];
        return;
      }
      // Messages addressed to an earlier execution (before continue-as-new) are dropped, as DurableTask.Core does.
      record.inbox = record.inbox.filter((m) => m.executionId === undefined || m.executionId === record.executionId);
      if (record.inbox.length === 0) return;

      const terminate = record.inbox.find((m) => m.event.EventType === EventType.ExecutionTerminated);
      if (terminate) {
        this.#terminateNow(record, terminate.event);
        return;
      }

      if (record.status === 'Suspended') {
        const resumeAt = record.inbox.findIndex((m) => m.event.EventType === EventType.ExecutionResumed);
        if (resumeAt < 0) return;
        const resume = record.inbox[resumeAt] as Message;
        // Duplicate suspends that arrived while suspended are ignored.
        record.inbox = record.inbox.filter((m, i) => i !== resumeAt && m.event.EventType !== EventType.ExecutionSuspended);
        record.history.push({ ...resume.event, IsPlayed: false });
        record.status = record.history.some((e) => e.EventType === EventType.ExecutionStarted) ? 'Running' : 'Pending';
        record.lastUpdatedTime = this.deps.clock.now();
        this.#emit(record);
        continue;
      }

      record.inbox = record.inbox.filter((m) => m.event.EventType !== EventType.ExecutionResumed);
      const suspendAt = record.inbox.findIndex((m) => m.event.EventType === EventType.ExecutionSuspended);
      const batch = suspendAt < 0 ? record.inbox.splice(0) : record.inbox.splice(0, suspendAt);
      if (batch.length > 0) {
        await this.#episode(
          record,
          batch.map((m) => m.event),
        );
        continue;
      }
      const suspend = record.inbox.shift() as Message;
      record.history.push({ ...suspend.event, IsPlayed: false });
      record.status = 'Suspended';
      record.lastUpdatedTime = this.deps.clock.now();
      this.#emit(record);
    }
  }

  #terminateNow(record: InstanceRecord, event: HistoryEvent): void {
    const now = this.deps.clock.now();
    const reason = typeof event.Input === 'string' ? event.Input : '';
    record.history.push(
      historyEvent(EventType.OrchestratorStarted, now),
      { ...event, IsPlayed: false },
      historyEvent(EventType.ExecutionCompleted, now, { OrchestrationStatus: OrchestrationStatusCode.Terminated, Result: reason }),
      historyEvent(EventType.OrchestratorCompleted, now),
    );
    record.status = 'Terminated';
    record.output = reason;
    record.lastUpdatedTime = now;
    record.inbox = [];
    this.#cancelTimers(record);
    this.deps.logger.host('information', `Instance '${record.instanceId}' was terminated.`, record.name);
    this.#emit(record);
  }

  /** One orchestrator invocation: past history + OrchestratorStarted + the new events, replayed by the SDK. */
  async #episode(record: InstanceRecord, newEvents: HistoryEvent[]): Promise<void> {
    const orchestrator = this.deps.catalog.orchestrators.get(record.name);
    const started = this.deps.clock.now();
    const past = record.history.map((e) => ({ ...e, IsPlayed: true }));
    const fresh = newEvents.map((e) => ({ ...e, IsPlayed: false }));
    const history: HistoryEvent[] = [...past, historyEvent(EventType.OrchestratorStarted, started), ...fresh];
    const generation = record.executionId;
    if (record.status === 'Pending' && history.some((e) => e.EventType === EventType.ExecutionStarted)) {
      record.status = 'Running';
      record.lastUpdatedTime = started;
      this.#emit(record);
    }
    if (!orchestrator) {
      record.history = history;
      this.#fail(record, `The function '${record.name}' doesn't exist, is disabled, or is not an orchestrator function.`);
      return;
    }

    const payload = {
      history,
      input: parseJsonText(record.input),
      instanceId: record.instanceId,
      isReplaying: past.length > 0,
      parentInstanceId: record.parent?.instanceId ?? null,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 3,
      longRunningTimerIntervalDuration: '3.00:00:00',
      maximumShortTimerDuration: '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };

    let state: OrchestratorStateJson | undefined;
    let failure: string | undefined;
    try {
      const response = await this.deps.invoker.invoke({
        functionName: record.name,
        inputData: [{ name: orchestrator.triggerName, data: { string: JSON.stringify(payload) } }],
        reason: `(null)`,
      });
      state = parseOrchestratorState(response.returnValue);
      if (!state) failure = `Orchestrator function '${record.name}' failed: Out of proc orchestrators must return a valid JSON schema`;
    } catch (error) {
      const message = errorMessageOf(error);
      const marker = '\n\n$OutOfProcData$:';
      const at = message.indexOf(marker);
      if (at >= 0) {
        try {
          state = JSON.parse(message.slice(at + marker.length)) as OrchestratorStateJson;
        } catch {
          failure = `Orchestrator function '${record.name}' failed: ${message.slice(0, at)}`;
        }
      } else {
        failure = `Orchestrator function '${record.name}' failed: ${message}`;
      }
    }

    // Purged, replaced or closed while the orchestrator ran: the episode's result goes nowhere.
    if (this.#closed || this.#instances.get(record.instanceId) !== record || record.executionId !== generation) return;
    record.history = history;
    if (failure !== undefined || !state) {
      this.#fail(record, failure ?? `Orchestrator function '${record.name}' failed.`);
      return;
    }

    const actions = Array.isArray(state.actions) && Array.isArray(state.actions[0]) ? (state.actions[0] as OrchestratorAction[]) : [];
    const shim = replayActions(actions, history, {
      instanceId: record.instanceId,
      executionId: record.executionId,
      parentInstanceId: record.parent?.instanceId,
      activityNames: [...this.deps.catalog.activities.keys()],
      orchestratorNames: [...this.deps.catalog.orchestrators.keys()],
    });
    record.customStatus = state.customStatus !== undefined && state.customStatus !== null ? JSON.stringify(state.customStatus) : null;
    if (shim.nonDeterminism) {
      this.#fail(record, shim.nonDeterminism);
      return;
    }
    if (shim.invalidAction) {
      this.#fail(record, `Orchestrator function '${record.name}' failed: ${shim.invalidAction}`);
      return;
    }
    if (typeof state.error === 'string' && state.error.length > 0) {
      this.#fail(record, `Orchestrator function '${record.name}' failed: ${state.error}`);
      return;
    }
    if (state.isDone) {
      if (shim.continueAsNew) this.#continueAsNew(record, shim.continueAsNew.input, actions, fresh);
      else this.#complete(record, state.output === undefined ? 'null' : JSON.stringify(state.output));
      return;
    }

    const now = this.deps.clock.now();
    const effects: (() => void)[] = [];
    for (const decision of shim.decisions) {
      record.history.push(this.#decisionEvent(decision, now));
      effects.push(() => this.#carryOut(record, decision));
    }
    record.history.push(historyEvent(EventType.OrchestratorCompleted, now));
    record.lastUpdatedTime = now;
    this.#emit(record);
    for (const effect of effects) effect();
  }

  #decisionEvent(decision: Decision, time: Date): HistoryEvent {
    switch (decision.kind) {
      case 'ScheduleTask':
        return historyEvent(EventType.TaskScheduled, time, { Name: decision.name, Version: '', Input: JSON.stringify([decision.input ?? null]) }, decision.id);
      case 'CreateTimer':
        return historyEvent(EventType.TimerCreated, time, { FireAt: decision.fireAt.toISOString() }, decision.id);
      case 'CreateSubOrchestration':
        return historyEvent(
          EventType.SubOrchestrationInstanceCreated,
          time,
          { Name: decision.name, Version: '', InstanceId: decision.instanceId, Input: serializeValue(decision.input) },
          decision.id,
        );
    }
  }

  #carryOut(record: InstanceRecord, decision: Decision): void {
    const executionId = record.executionId;
    switch (decision.kind) {
      case 'ScheduleTask':
        this.#enqueueActivity(record, executionId, decision.id, decision.name, decision.input);
        break;
      case 'CreateTimer': {
        const fireAt = decision.fireAt;
        const handle = this.deps.clock.setTimeout(() => {
          record.timers.delete(handle);
          this.#deliver(record, historyEvent(EventType.TimerFired, this.deps.clock.now(), { TimerId: decision.id, FireAt: fireAt.toISOString() }), executionId);
        }, fireAt.getTime() - this.deps.clock.now().getTime());
        record.timers.add(handle);
        break;
      }
      case 'CreateSubOrchestration': {
        const existing = this.#instances.get(decision.instanceId);
        if (existing && !isTerminal(existing.status)) {
          this.#deliver(
            record,
            historyEvent(EventType.SubOrchestrationInstanceFailed, this.deps.clock.now(), {
              TaskScheduledId: decision.id,
              Reason: `An Orchestration instance with the status ${existing.status} already exists.`,
              Details: null,
            }),
            executionId,
          );
          break;
        }
        this.#create(decision.name, decision.instanceId, serializeValue(decision.input), {
          instanceId: record.instanceId,
          executionId,
          taskScheduledId: decision.id,
          name: record.name,
        });
        break;
      }
    }
  }

  #enqueueActivity(record: InstanceRecord, executionId: string, id: number, name: string, input: unknown): void {
    this.#work++;
    this.#activityQueue.push(async () => {
      const activity = this.deps.catalog.activities.get(name);
      let result: HistoryEvent;
      try {
        if (!activity) throw new Error(`The function '${name}' doesn't exist, is disabled, or is not an activity function.`);
        const response = await this.deps.invoker.invoke({
          functionName: name,
          // An activity may declare a durableClient input too (the extension binds it in any function).
          inputData: this.deps.withClientInputs(name, [{ name: activity.triggerName, data: { string: typeof input === 'string' ? input : JSON.stringify(input ?? null) } }]),
          reason: `(null)`,
        });
        result = historyEvent(EventType.TaskCompleted, this.deps.clock.now(), { TaskScheduledId: id, Result: returnValueToJson(response.returnValue) });
      } catch (error) {
        result = historyEvent(EventType.TaskFailed, this.deps.clock.now(), { TaskScheduledId: id, ...activityFailure(name, error) });
      }
      this.#deliver(record, result, executionId);
    });
    this.#pumpActivities();
  }

  #pumpActivities(): void {
    while (!this.#closed && this.#activitiesRunning < this.deps.maxConcurrentActivityFunctions && this.#activityQueue.length > 0) {
      const job = this.#activityQueue.shift() as () => Promise<void>;
      this.#activitiesRunning++;
      void job().finally(() => {
        this.#activitiesRunning--;
        this.#work--;
        this.#pumpActivities();
        this.#checkIdle();
      });
    }
  }

  #complete(record: InstanceRecord, outputJson: string): void {
    const now = this.deps.clock.now();
    record.history.push(
      historyEvent(EventType.ExecutionCompleted, now, { OrchestrationStatus: OrchestrationStatusCode.Completed, Result: outputJson }),
      historyEvent(EventType.OrchestratorCompleted, now),
    );
    record.status = 'Completed';
    record.output = outputJson;
    record.lastUpdatedTime = now;
    record.inbox = [];
    this.#cancelTimers(record);
    this.#emit(record);
    this.#notifyParent(record, historyEvent(EventType.SubOrchestrationInstanceCompleted, now, { Result: outputJson }));
  }

  #fail(record: InstanceRecord, message: string): void {
    const now = this.deps.clock.now();
    const details = JSON.stringify({
      $type: 'DurableTask.Core.Exceptions.OrchestrationFailureException, DurableTask.Core',
      ClassName: 'DurableTask.Core.Exceptions.OrchestrationFailureException',
      Message: message,
    });
    record.history.push(
      historyEvent(EventType.ExecutionCompleted, now, { OrchestrationStatus: OrchestrationStatusCode.Failed, Result: message, Details: details }),
      historyEvent(EventType.OrchestratorCompleted, now),
    );
    record.status = 'Failed';
    record.output = message;
    record.lastUpdatedTime = now;
    record.inbox = [];
    this.#cancelTimers(record);
    this.deps.logger.host('error', `Instance '${record.instanceId}' failed: ${message}`, record.name);
    this.#emit(record);
    this.#notifyParent(record, historyEvent(EventType.SubOrchestrationInstanceFailed, now, { Reason: message, Details: details }));
  }

  #notifyParent(record: InstanceRecord, event: HistoryEvent): void {
    const link = record.parent;
    if (!link) return;
    const parent = this.#instances.get(link.instanceId);
    if (!parent) return;
    this.#deliver(parent, { ...event, TaskScheduledId: link.taskScheduledId }, link.executionId);
  }

  /**
   * Continue-as-new: the execution ends as ContinuedAsNew and a new execution starts with the new input. External
   * events that arrived with the final batch but were not consumed are carried into the new execution (DurableTask.Core
   * carry-over); unconsumed events from earlier batches are dropped, as the extension does for JavaScript.
   */
  #continueAsNew(record: InstanceRecord, sdkInput: unknown, actions: OrchestratorAction[], fresh: HistoryEvent[]): void {
    const now = this.deps.clock.now();
    const newInput = serializeSdkInput(sdkInput);
    record.history.push(
      historyEvent(EventType.ExecutionCompleted, now, { OrchestrationStatus: OrchestrationStatusCode.ContinuedAsNew, Result: newInput }),
      historyEvent(EventType.OrchestratorCompleted, now),
    );

    const waits = countEventWaits(actions);
    const raisedByName = new Map<string, HistoryEvent[]>();
    for (const event of record.history) {
      if (event.EventType !== EventType.EventRaised) continue;
      const name = String(event.Name);
      raisedByName.set(name, [...(raisedByName.get(name) ?? []), event]);
    }
    const carried: HistoryEvent[] = [];
    for (const [name, events] of raisedByName) {
      const consumed = Math.min(events.length, waits.get(name) ?? 0);
      for (const event of events.slice(consumed)) {
        // `fresh` holds the very objects this episode appended to the history.
        if (fresh.includes(event)) carried.push(event);
      }
    }
    carried.sort((a, b) => fresh.indexOf(a) - fresh.indexOf(b));

    record.status = 'ContinuedAsNew';
    record.lastUpdatedTime = now;
    this.#emit(record);
    this.#cancelTimers(record);

    const pending = record.inbox.filter((m) => m.executionId === undefined);
    record.executionId = newExecutionId();
    record.input = newInput;
    record.history = [];
    record.customStatus = null;
    record.createdTime = now;
    record.inbox = [{ event: this.#executionStarted(record, now) }, ...carried.map((event) => ({ event: { ...event, IsPlayed: false } })), ...pending];
    record.status = 'Pending';
    this.#emit(record);
  }

  #cancelTimers(record: InstanceRecord): void {
    for (const timer of record.timers) timer.cancel();
    record.timers.clear();
  }

  #emit(record: InstanceRecord): void {
    for (const listener of this.#listeners) {
      try {
        listener(record.instanceId);
      } catch {
        // Observers must not break the engine.
      }
    }
  }

  #checkIdle(): void {
    if (this.#work !== 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

interface OrchestratorStateJson {
  isDone?: boolean;
  actions?: unknown[];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

function parseOrchestratorState(value: RpcTypedData | null | undefined): OrchestratorStateJson | undefined {
  if (!value) return undefined;
  const text = value.json ?? value.string;
  if (typeof text !== 'string') return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as OrchestratorStateJson) : undefined;
  } catch {
    return undefined;
  }
}

/** How the host turns an activity's return value into the JSON text stored in TaskCompleted.Result. */
export function returnValueToJson(value: RpcTypedData | null | undefined): string {
  if (!value) return 'null';
  if (typeof value.string === 'string') return JSON.stringify(value.string);
  if (typeof value.json === 'string') return value.json;
  if (typeof value.int === 'number') return String(value.int);
  if (typeof value.double === 'number') return Number.isFinite(value.double) ? String(value.double) : 'null';
  if (value.bytes) return JSON.stringify(Buffer.from(value.bytes).toString('base64'));
  return 'null';
}

/**
 * TaskFailed Reason/Details as the extension writes them for an out-of-process activity: the worker's RpcException
 * ("Result: Failure\nException: <message>\nStack: <stack>") is cut down to its message part (leading space kept).
 */
function activityFailure(name: string, error: unknown): { Reason: string; Details: string } {
  if (error instanceof FunctionTimeoutError) {
    return {
      Reason: `Activity function '${name}' failed: ${error.message}`,
      Details: JSON.stringify({ $type: 'Microsoft.Azure.WebJobs.Host.FunctionTimeoutException, Microsoft.Azure.WebJobs.Host', ClassName: 'Microsoft.Azure.WebJobs.Host.FunctionTimeoutException', Message: error.message }),
    };
  }
  const message = errorMessageOf(error);
  const friendly = ` ${message}`;
  return {
    Reason: `Activity function '${name}' failed: ${friendly}`,
    Details: JSON.stringify({
      $type: 'System.Exception, System.Private.CoreLib',
      ClassName: 'System.Exception',
      Message: friendly,
      InnerException: {
        $type: 'Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException, Microsoft.Azure.WebJobs.Script',
        ClassName: 'Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException',
        Message: `Result: Failure\nException: ${message}\nStack: ${errorStackOf(error)}`,
      },
    }),
  };
}

/** Inputs the SDK pre-serialises (activities, continue-as-new): strings are JSON text already. */
function serializeSdkInput(input: unknown): string | null {
  if (input === undefined || input === null) return null;
  return typeof input === 'string' ? input : JSON.stringify(input);
}

function serializeValue(input: unknown): string | null {
  return input === undefined ? null : JSON.stringify(input);
}

/** DurableClient.ParseToJToken: JSON when it parses, the raw text otherwise (e.g. a terminate reason). */
export function parseJsonText(text: string | null): unknown {
  if (text === null) return null;
  const trimmed = text.trim();
  if (trimmed.length === 0) return '';
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

function validateInstanceId(id: string): void {
  if (id.startsWith('@')) throw new DurableApiError(400, 'Orchestration instance ids must not start with @.');
  // eslint-disable-next-line no-control-regex
  if (/[/\\?#\u0000-\u001f\u007f-\u009f]/.test(id)) {
    throw new DurableApiError(400, 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.');
  }
  if (id.length > 256) throw new DurableApiError(400, 'Instance ID lengths must not exceed 256 characters.');
}

function newExecutionId(): string {
  return randomUUID().replace(/-/g, '');
}

function toSnapshot(record: InstanceRecord): InstanceSnapshot {
  return {
    instanceId: record.instanceId,
    name: record.name,
    runtimeStatus: record.status,
    input: parseJsonText(record.input),
    output: parseJsonText(record.output),
    customStatus: parseJsonText(record.customStatus),
    createdTime: new Date(record.createdTime),
    lastUpdatedTime: new Date(record.lastUpdatedTime),
    executionId: record.executionId,
    ...(record.parent ? { parentInstanceId: record.parent.instanceId } : {}),
    history: record.history.map((e) => structuredClone(e)),
  };
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
