import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType, VirtualClock, type HistoryEvent, type InstanceSnapshot, type LocalHost } from '../../../local/host';
import { createGate, fixtureState } from '../../fixtures/host-app/fixture-state';
import { clientOp, startHostApp, startOrchestration } from './host-app-harness';

const start = new Date('2030-03-01T08:00:00.000Z');
const hour = 60 * 60 * 1000;
const day = 24 * hour;

function ofType(snapshot: InstanceSnapshot, type: EventType): HistoryEvent[] {
  return snapshot.history.filter((e) => e.EventType === type);
}

describe('local host: durable orchestrations (real durable-functions replay)', () => {
  let host: LocalHost;
  const clock = new VirtualClock(start);

  beforeAll(async () => {
    host = await startHostApp({ clock });
  });
  afterAll(async () => {
    await host.close();
  });

  async function settled(id: string): Promise<InstanceSnapshot> {
    await host.durable.idle();
    const snapshot = host.durable.getInstance(id);
    if (!snapshot) throw new Error(`no instance ${id}`);
    return snapshot;
  }

  async function raise(id: string, eventName: string, eventData: unknown): Promise<void> {
    expect(await clientOp(host, 'raiseEvent', { instanceId: id, eventName, eventData })).toEqual({ ok: true });
  }

  it('runs activities in sequence, with sequence ids, history in DurableTask order and custom status', async () => {
    const id = await startOrchestration(host, 'HelloSequence', 'seq-1');
    const done = await host.durable.waitFor(id);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    expect(done.customStatus).toEqual({ next: 'London' });
    expect(ofType(done, EventType.TaskScheduled).map((e) => [e.EventId, e.Name])).toEqual([
      [0, 'SayHello'],
      [1, 'SayHello'],
      [2, 'SayHello'],
    ]);
    expect(done.history[0]?.EventType).toBe(EventType.OrchestratorStarted);
    expect(done.history[1]?.EventType).toBe(EventType.ExecutionStarted);
    expect(done.history.at(-2)).toMatchObject({ EventType: EventType.ExecutionCompleted, OrchestrationStatus: 1 });
  });

  it('drives durable timers and currentUtcDateTime from the host clock', async () => {
    const id = await startOrchestration(host, 'TimerOrchestration', 'timer-1');
    const waiting = await settled(id);
    expect(waiting.runtimeStatus).toBe('Running');
    const timerCreated = ofType(waiting, EventType.TimerCreated)[0];
    expect(timerCreated?.FireAt).toBe(new Date(clock.now().getTime() + hour).toISOString());

    await clock.advance(hour - 1000);
    expect((await settled(id)).runtimeStatus).toBe('Running');
    const before = clock.now().getTime() - (hour - 1000);
    await clock.advance(1000);
    const done = await settled(id);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toEqual({
      before: new Date(before).toISOString(),
      after: new Date(before + hour).toISOString(),
      hello: 'Hello after timer!',
    });
  });

  it('splits timers longer than 6 days into 3-day chunks the way the extension does', async () => {
    const t0 = clock.now().getTime();
    const id = await startOrchestration(host, 'LongTimer', 'long-timer-1');
    await settled(id);
    await clock.advance(10 * day);
    const done = await settled(id);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toBe(new Date(t0 + 10 * day).toISOString());
    expect(ofType(done, EventType.TimerCreated).map((e) => [e.EventId, e.FireAt])).toEqual([
      [0, new Date(t0 + 3 * day).toISOString()],
      [1, new Date(t0 + 6 * day).toISOString()],
      [2, new Date(t0 + 9 * day).toISOString()],
      [3, new Date(t0 + 10 * day).toISOString()],
    ]);
  });

  it('retries with backoff: a timer after each failed attempt, then success', async () => {
    fixtureState.flakyAttempts.clear();
    const t0 = clock.now().getTime();
    const id = await startOrchestration(host, 'RetryOrchestration', 'retry-ok', { key: 'ok', failTimes: 2, attempts: 3 });
    let snapshot = await settled(id);
    expect(fixtureState.flakyAttempts.get('ok')).toBe(1);
    expect(ofType(snapshot, EventType.TimerCreated).map((e) => e.FireAt)).toEqual([new Date(t0 + 1000).toISOString()]);

    await clock.advance(1000);
    snapshot = await settled(id);
    expect(fixtureState.flakyAttempts.get('ok')).toBe(2);
    expect(ofType(snapshot, EventType.TimerCreated).map((e) => e.FireAt)).toEqual([
      new Date(t0 + 1000).toISOString(),
      new Date(t0 + 3000).toISOString(),
    ]);

    await clock.advance(2000);
    snapshot = await settled(id);
    expect(snapshot.runtimeStatus).toBe('Completed');
    expect(snapshot.output).toEqual({ result: 'ok after 3' });
    expect([...ofType(snapshot, EventType.TaskScheduled), ...ofType(snapshot, EventType.TimerCreated)].map((e) => e.EventId).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('surfaces the last failure after the final retry timer (RetryInterceptor semantics)', async () => {
    fixtureState.flakyAttempts.clear();
    const t0 = clock.now().getTime();
    const id = await startOrchestration(host, 'RetryOrchestration', 'retry-exhausted', { key: 'bad', failTimes: 10, attempts: 3 });
    await settled(id);
    await clock.advance(1000 + 2000);
    expect((await settled(id)).runtimeStatus).toBe('Running');
    expect(fixtureState.flakyAttempts.get('bad')).toBe(3);
    await clock.advance(4000);
    const done = await settled(id);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toEqual({
      failedAt: new Date(t0 + 7000).toISOString(),
      message: "Activity function 'Flaky' failed:  flaky failure 3 ",
    });
    expect(fixtureState.flakyAttempts.get('bad')).toBe(3);
  });

  it('buffers external events raised before the orchestrator waits for them', async () => {
    fixtureState.slowGate = createGate();
    const id = await startOrchestration(host, 'EventBuffer', 'buffer-1');
    // SlowOk is still running (gate closed): idle() would wait for it, so wait on history instead.
    await host.durable.waitFor(id, (s) => ofType(s, EventType.TaskScheduled).length === 1);
    await raise(id, 'Go', 1);
    await raise(id, 'Go', { two: 2 });
    const buffered = await host.durable.waitFor(id, (s) => ofType(s, EventType.EventRaised).length === 2);
    expect(buffered.runtimeStatus).toBe('Running');
    fixtureState.slowGate.open();
    const done = await host.durable.waitFor(id);
    expect(done.output).toEqual([1, { two: 2 }]);
    const types = done.history.map((e) => e.EventType);
    expect(types.indexOf(EventType.EventRaised)).toBeLessThan(types.indexOf(EventType.TaskCompleted));
  });

  it('Task.any: the event wins, the cancelled timer stays pending, the orchestration moves on', async () => {
    const id = await startOrchestration(host, 'Approval', 'approval-yes');
    await settled(id);
    await raise(id, 'Approval', { approver: 'alice' });
    const done = await host.durable.waitFor(id);
    expect(done.output).toEqual({ outcome: 'approved', by: { approver: 'alice' }, next: 'Hello approved!' });
    expect(ofType(done, EventType.TimerCreated)).toHaveLength(1);
    expect(ofType(done, EventType.TimerFired)).toHaveLength(0);
  });

  it('Task.any: the timer wins when no event arrives before the deadline', async () => {
    const id = await startOrchestration(host, 'Approval', 'approval-timeout');
    await settled(id);
    await clock.advance(day);
    const done = await settled(id);
    expect(done.output).toEqual({ outcome: 'timedOut' });
  });

  it('Task.all fans out in parallel within maxConcurrentActivityFunctions (host.json: 2)', async () => {
    fixtureState.squareMaxRunning = 0;
    const id = await startOrchestration(host, 'FanOut', 'fan-out-1', [1, 2, 3, 4, 5, 6]);
    const done = await host.durable.waitFor(id);
    expect(done.output).toBe(91);
    expect(fixtureState.squareMaxRunning).toBe(2);
  });

  it('Task.all with a failed child: nothing after it is scheduled until every child has finished', async () => {
    fixtureState.slowGate = createGate();
    const id = await startOrchestration(host, 'FanOutFailure', 'fan-out-fail');
    // The first snapshot showing the failure is the commit of the episode that processed it: the JS SDK already
    // yielded the next activity there, but the extension's replay loop still awaits the whole Task.all.
    let snapshot = await host.durable.waitFor(id, (s) => ofType(s, EventType.TaskFailed).length === 1);
    expect(snapshot.runtimeStatus).toBe('Running');
    expect(ofType(snapshot, EventType.TaskScheduled).map((e) => e.Name)).toEqual(['Fail', 'SlowOk']);
    fixtureState.slowGate.open();
    snapshot = await host.durable.waitFor(id);
    expect(snapshot.output).toEqual({ caught: "Activity function 'Fail' failed:  activity exploded ", after: 'Hello after all!' });
    const order = snapshot.history.map((e) => (e.EventType === EventType.TaskScheduled ? `scheduled:${String(e.Name)}` : EventType[e.EventType]));
    expect(order.indexOf('scheduled:SayHello')).toBeGreaterThan(order.indexOf('TaskCompleted'));
  });

  it('runs sub-orchestrations (named, generated id, with retry) and hands inputs over unchanged', async () => {
    fixtureState.echoed.length = 0;
    const id = await startOrchestration(host, 'Parent', 'parent-1');
    await settled(id);
    await clock.advance(500);
    await settled(id);
    await clock.advance(500);
    const done = await settled(id);
    expect(done.runtimeStatus).toBe('Completed');
    const output = done.output as { named: unknown; unnamed: { received: unknown; echoes: unknown[]; parent: unknown }; childError: string };
    expect(output.named).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    expect(output.unnamed.received).toBe('text input');
    expect(output.unnamed.parent).toBe('parent-1');
    const values = ['abc', 5, { a: 1 }, '{"looks":"json"}', null, [1, 'two']];
    expect(output.unnamed.echoes).toEqual(values);
    expect(fixtureState.echoed).toEqual(values);
    expect(output.childError).toBe("Orchestrator function 'FailingChild' failed: child failed on purpose ");

    const created = ofType(done, EventType.SubOrchestrationInstanceCreated).map((e) => String(e.InstanceId));
    expect(created[0]).toBe('parent-1-child');
    expect(created[1]).toBe(`${done.executionId}:1`);
    expect(created.slice(2)).toEqual(['parent-1-failing', 'parent-1-failing']);
    expect(host.durable.getInstance('parent-1-child')).toMatchObject({ runtimeStatus: 'Completed', parentInstanceId: 'parent-1' });
    expect(host.durable.getInstance('parent-1-failing')?.runtimeStatus).toBe('Failed');
  });

  it('continue-as-new restarts with the new input and carries over events that arrived with the final batch', async () => {
    const id = await startOrchestration(host, 'Counter', 'counter-1', { count: 0 });
    await settled(id);
    await raise(id, 'Increment', 1);
    let snapshot = await settled(id);
    expect(snapshot.runtimeStatus).toBe('Running');
    expect(snapshot.input).toEqual({ count: 1 });
    const firstExecution = snapshot.executionId;

    // Both events land in one batch: the first is consumed, the second is carried into the next execution.
    expect(await clientOp(host, 'suspend', { instanceId: id, reason: 'batch' })).toEqual({ ok: true });
    await settled(id);
    await raise(id, 'Increment', 1);
    await raise(id, 'Increment', 1);
    expect(await clientOp(host, 'resume', { instanceId: id, reason: 'go' })).toEqual({ ok: true });
    snapshot = await host.durable.waitFor(id);
    expect(snapshot.runtimeStatus).toBe('Completed');
    expect(snapshot.output).toBe(3);
    expect(snapshot.executionId).not.toBe(firstExecution);
    expect(snapshot.input).toEqual({ count: 2 });
    expect(ofType(snapshot, EventType.EventRaised)).toHaveLength(1);
  });

  it('fails the instance when the orchestrator throws, with the message as output', async () => {
    const id = await startOrchestration(host, 'Failing', 'failing-1');
    const done = await host.durable.waitFor(id);
    expect(done.runtimeStatus).toBe('Failed');
    expect(done.output).toBe("Orchestrator function 'Failing' failed: orchestrator exploded");
  });

  it('fails the instance with the activity failure when the orchestrator does not catch it', async () => {
    const id = await startOrchestration(host, 'ActivityFails', 'activity-fails-1');
    const done = await host.durable.waitFor(id);
    expect(done.runtimeStatus).toBe('Failed');
    expect(String(done.output)).toMatch(/^Orchestrator function 'ActivityFails' failed: Activity function 'Fail' failed: {2}activity exploded \n \{/);
    const failed = ofType(done, EventType.TaskFailed)[0];
    expect(failed?.Reason).toBe("Activity function 'Fail' failed:  activity exploded");
  });

  it('detects non-determinism when a replay schedules different work than history records', async () => {
    fixtureState.nondeterministicVariant = 'A';
    const id = await startOrchestration(host, 'Nondeterministic', 'nd-1');
    expect((await settled(id)).runtimeStatus).toBe('Running');
    fixtureState.nondeterministicVariant = 'B';
    try {
      await raise(id, 'Continue', null);
      const done = await host.durable.waitFor(id);
      expect(done.runtimeStatus).toBe('Failed');
      expect(done.output).toBe(
        "Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task with sequence number 0 named 'SayHello', " +
          "but the current orchestration replay instead scheduled an activity task named 'Square' with this sequence number.  " +
          'Was a change made to the orchestrator code after this instance had already started running?',
      );
    } finally {
      fixtureState.nondeterministicVariant = 'A';
    }
  });

  it('fails clearly on APIs the local host does not model and on unknown activities', async () => {
    const entity = await host.durable.waitFor(await startOrchestration(host, 'UsesEntity', 'entity-1'));
    expect(entity.output).toBe("Orchestrator function 'UsesEntity' failed: Durable entities (CallEntity) are not supported by the local Functions host.");
    const unknown = await host.durable.waitFor(await startOrchestration(host, 'CallsUnknownActivity', 'unknown-1'));
    expect(String(unknown.output)).toContain("The function 'NoSuchActivity' doesn't exist, is disabled, or is not an activity function.");
  });
});
