import { describe, expect, it } from 'vitest';
import { EventType, historyEvent, type HistoryEvent } from '../../../local/host/durable/history-event';
import { ActionType, replayActions, type OrchestratorAction } from '../../../local/host/durable/replay-shim';

const t0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const env = { instanceId: 'i-1', executionId: 'exec1', parentInstanceId: undefined, activityNames: ['A', 'B', 'C'], orchestratorNames: ['Child'] };

const started = (ms = 0): HistoryEvent[] => [historyEvent(EventType.OrchestratorStarted, at(ms)), historyEvent(EventType.ExecutionStarted, at(ms), { Name: 'O' })];
const episode = (ms: number) => historyEvent(EventType.OrchestratorStarted, at(ms));
const scheduled = (id: number, name: string) => historyEvent(EventType.TaskScheduled, t0, { Name: name, Version: '' }, id);
const timerCreated = (id: number, ms: number) => historyEvent(EventType.TimerCreated, t0, { FireAt: at(ms).toISOString() }, id);
const completed = (id: number) => historyEvent(EventType.TaskCompleted, t0, { TaskScheduledId: id, Result: 'null' });
const failed = (id: number) => historyEvent(EventType.TaskFailed, t0, { TaskScheduledId: id, Reason: 'x', Details: 'y' });
const fired = (id: number) => historyEvent(EventType.TimerFired, t0, { TimerId: id });
const raised = (name: string) => historyEvent(EventType.EventRaised, t0, { Name: name, Input: 'null' });

const activity = (name: string): OrchestratorAction => ({ actionType: ActionType.CallActivity, functionName: name, input: '"in"' });
const retry = (name: string, extra: Record<string, number> = {}): OrchestratorAction => ({
  actionType: ActionType.CallActivityWithRetry,
  functionName: name,
  retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3, backoffCoefficient: 2, ...extra },
});
const timer = (ms: number, isCanceled = false): OrchestratorAction => ({ actionType: ActionType.CreateTimer, fireAt: at(ms).toISOString(), isCanceled });
const wait = (name: string): OrchestratorAction => ({ actionType: ActionType.WaitForExternalEvent, externalEventName: name });

describe('replay shim (extension + DurableTask.Core semantics)', () => {
  it('turns new actions into decisions with sequence ids in invocation order', () => {
    const result = replayActions([{ actionType: ActionType.WhenAll, compoundActions: [activity('A'), timer(5000), activity('B')] }], started(), env);
    expect(result.decisions.map((d) => [d.kind, d.id])).toEqual([
      ['ScheduleTask', 0],
      ['CreateTimer', 1],
      ['ScheduleTask', 2],
    ]);
  });

  it('only moves past an action once history completes it', () => {
    const history = [...started(), scheduled(0, 'A'), episode(10)];
    expect(replayActions([activity('A'), activity('B')], history, env).decisions).toEqual([]);
    expect(replayActions([activity('A'), activity('B')], [...history, completed(0)], env).decisions.map((d) => [d.id, 'name' in d ? d.name : ''])).toEqual([[1, 'B']]);
  });

  it('reports DurableTask.Core non-determinism messages for missing, retyped and renamed work', () => {
    const history = [...started(), scheduled(0, 'A'), episode(10), completed(0)];
    expect(replayActions([], history, env).nonDeterminism).toMatch(/scheduled an activity task with sequence ID 0 and name 'A' \(version ''\), but the current replay execution hasn't \(yet\?\) scheduled this task/);
    expect(replayActions([timer(1)], history, env).nonDeterminism).toMatch(/instead produced a CreateTimerOrchestratorAction action/);
    expect(replayActions([activity('B')], history, env).nonDeterminism).toMatch(/instead scheduled an activity task named 'B'/);
    expect(replayActions([activity('a')], history, env).nonDeterminism).toBeUndefined();
  });

  it('retries: backoff timer after each failure, with the timer after the last attempt as well', () => {
    let history = [...started(), scheduled(0, 'A'), episode(100), failed(0)];
    let result = replayActions([retry('A')], history, env);
    expect(result.decisions).toEqual([{ kind: 'CreateTimer', id: 1, fireAt: at(1100) }]);
    history = [...history, timerCreated(1, 1100), episode(1100), fired(1), scheduled(2, 'A'), episode(1200), failed(2), timerCreated(3, 3200), episode(3200), fired(3), scheduled(4, 'A'), episode(3300), failed(4)];
    result = replayActions([retry('A')], history, env);
    expect(result.decisions).toEqual([{ kind: 'CreateTimer', id: 5, fireAt: at(3300 + 4000) }]);
    expect(replayActions([retry('A'), activity('B')], [...history, timerCreated(5, 7300), episode(7300), fired(5)], env).decisions).toEqual([
      { kind: 'ScheduleTask', id: 6, name: 'B', input: '"in"' },
    ]);
  });

  it('caps backoff at maxRetryInterval and stops retrying (no timer) once retryTimeout has passed', () => {
    const history = [...started(), scheduled(0, 'A'), episode(100), failed(0)];
    expect(replayActions([retry('A', { maxRetryIntervalInMilliseconds: 500 })], history, env).decisions).toEqual([{ kind: 'CreateTimer', id: 1, fireAt: at(600) }]);
    expect(replayActions([retry('A', { retryTimeoutInMilliseconds: 50 })], history, env).decisions).toEqual([]);
  });

  it('keeps a cancelled timer as a decision but does not wait for it', () => {
    const result = replayActions([{ actionType: ActionType.WhenAny, compoundActions: [wait('E'), timer(60_000, true)] }, activity('A')], started(), env);
    expect(result.decisions.map((d) => d.kind)).toEqual(['CreateTimer', 'ScheduleTask']);
  });

  it('splits long timers into 3-day chunks and chains them as they fire', () => {
    const day = 86_400_000;
    const first = replayActions([timer(10 * day)], started(), env);
    expect(first.decisions).toEqual([{ kind: 'CreateTimer', id: 0, fireAt: at(3 * day) }]);
    const later = replayActions([timer(10 * day)], [...started(), timerCreated(0, 3 * day), episode(3 * day), fired(0)], env);
    expect(later.decisions).toEqual([{ kind: 'CreateTimer', id: 1, fireAt: at(6 * day) }]);
  });

  it('Task.all waits for every child even after one fails', () => {
    const actions = [{ actionType: ActionType.WhenAll, compoundActions: [activity('A'), activity('B')] }, activity('C')];
    const history = [...started(), scheduled(0, 'A'), scheduled(1, 'B'), episode(5), failed(0)];
    expect(replayActions(actions, history, env).decisions).toEqual([]);
    expect(replayActions(actions, [...history, episode(9), completed(1)], env).decisions.map((d) => d.id)).toEqual([2]);
  });

  it('buffers events that arrive before a wait and gives them to the most recent waiter', () => {
    const history = [...started(), raised('E'), raised('E')];
    expect(replayActions([wait('E'), wait('E'), activity('A')], history, env).decisions.map((d) => d.id)).toEqual([0]);
  });

  it('names sub-orchestrations <executionId>:<sequence> when no id is given and refuses unknown functions', () => {
    const sub = replayActions([{ actionType: ActionType.CallSubOrchestrator, functionName: 'Child', input: { x: 1 } }], started(), env);
    expect(sub.decisions).toEqual([{ kind: 'CreateSubOrchestration', id: 0, name: 'Child', instanceId: 'exec1:0', input: { x: 1 } }]);
    expect(replayActions([activity('Nope')], started(), env).invalidAction).toMatch(/The function 'Nope' doesn't exist, is disabled, or is not an activity function/);
    expect(replayActions([{ actionType: ActionType.CallSubOrchestrator, functionName: 'Child', instanceId: 'i-1' }], started(), env).invalidAction).toMatch(/must be different/);
    expect(replayActions([{ actionType: ActionType.ContinueAsNew, input: { n: 1 } }], started(), env).continueAsNew).toEqual({ input: { n: 1 } });
  });
});
