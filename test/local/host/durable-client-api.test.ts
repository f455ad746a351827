import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock, type LocalHost } from '../../../local/host';
import { fixtureState } from '../../fixtures/host-app/fixture-state';
import { clientOp, startHostApp } from './host-app-harness';

const api = '/runtime/webhooks/durabletask';

describe('local host: Durable client API through the real DurableClient', () => {
  let host: LocalHost;
  const clock = new VirtualClock(new Date('2031-06-01T12:00:00.000Z'));

  beforeAll(async () => {
    host = await startHostApp({ clock });
  });
  afterAll(async () => {
    await host.close();
  });

  const start = (name: string, instanceId: string, input?: unknown) => clientOp<{ id?: string; error?: string }>(host, 'startNew', { name, instanceId, input });
  const raw = (path: string, init?: RequestInit) => fetch(`${host.baseUrl}${api}/${path}`, init);

  it('starts with a business-key id, refuses an active duplicate with 409 and replaces a finished one', async () => {
    expect(await start('WaitForever', 'order:42')).toEqual({ id: 'order:42' });
    const duplicate = await start('WaitForever', 'order:42');
    expect(duplicate.error).toMatch(/unexpected status code: 409.*An Orchestration instance with the status (Running|Pending) already exists/);

    await clientOp(host, 'raiseEvent', { instanceId: 'order:42', eventName: 'Never', eventData: 'first run' });
    const first = await host.durable.waitFor('order:42');
    expect(first.output).toBe('first run');
    await clock.advance(60_000);
    expect(await start('WaitForever', 'order:42')).toEqual({ id: 'order:42' });
    const second = await host.durable.waitFor('order:42', (s) => s.runtimeStatus === 'Running');
    expect(second.createdTime.getTime()).toBe(first.createdTime.getTime() + 60_000);
    expect(second.output).toBeNull();
  });

  it('rejects unknown orchestrators and instance ids the extension forbids', async () => {
    expect((await start('NoSuchOrchestrator', 'x-1')).error).toMatch(/unexpected status code: 400.*NoSuchOrchestrator/);
    const badId = await raw('orchestrators/HelloSequence/bad%2Fid', { method: 'POST' });
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ ExceptionMessage: 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.' });
  });

  it('reports status with showInput / showHistory / showHistoryOutput like the extension', async () => {
    await start('HelloSequence', 'status-1', { who: 'me' });
    await host.durable.waitFor('status-1');

    const status = await clientOp(host, 'getStatus', { instanceId: 'status-1', options: { showHistory: true, showHistoryOutput: true } });
    expect(status).toMatchObject({
      name: 'HelloSequence',
      instanceId: 'status-1',
      runtimeStatus: 'Completed',
      input: { who: 'me' },
      output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
      customStatus: { next: 'London' },
    });
    // durable-functions reads `history`, the extension sends `historyEvents` (durable-js issue #620).
    expect(status.history).toBeUndefined();
    expect(status.createdTime).toBe('2031-06-01T12:01:00.000Z');

    // The SDK only sends flags that are true, so showInput:false never reaches the extension (input still shown)...
    const hidden = await clientOp(host, 'getStatus', { instanceId: 'status-1', options: { showInput: false } });
    expect(hidden.input).toEqual({ who: 'me' });
    // ...while the HTTP API itself honours it.
    expect(((await (await raw('instances/status-1?showInput=false')).json()) as { input: unknown }).input).toBeNull();

    const response = await raw('instances/status-1?showHistory=true&showHistoryOutput=true');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { createdTime: string; historyEvents: Record<string, unknown>[] };
    expect(body.createdTime).toBe('2031-06-01T12:01:00Z');
    expect(body.historyEvents.map((e) => e.EventType)).toEqual(['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted']);
    expect(body.historyEvents[0]).toMatchObject({ FunctionName: 'HelloSequence', Input: '{"who":"me"}' });
    expect(body.historyEvents[1]).toMatchObject({ FunctionName: 'SayHello', Result: 'Hello Tokyo!', Input: '["\\"Tokyo\\""]' });
    expect(body.historyEvents[4]).toMatchObject({ OrchestrationStatus: 'Completed', Result: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });

    const withoutOutput = (await (await raw('instances/status-1?showHistory=true')).json()) as { historyEvents: Record<string, unknown>[] };
    expect(withoutOutput.historyEvents[1]).not.toHaveProperty('Result');

    expect((await clientOp(host, 'getStatus', { instanceId: 'nobody' })).error).toContain('replied with HTTP 404');
  });

  it('answers 202 with Location and Retry-After while running, and serves the management links it hands out', async () => {
    await start('WaitForever', 'links-1');
    await host.durable.waitFor('links-1', (s) => s.runtimeStatus === 'Running');
    const payload = await clientOp<Record<string, string>>(host, 'managementPayload', { instanceId: 'links-1' });
    expect(payload.statusQueryGetUri).toBe(`${host.baseUrl}${api}/instances/links-1?taskHub=HostAppHub&connection=Storage`);
    const response = await fetch(payload.statusQueryGetUri ?? '');
    expect(response.status).toBe(202);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('location')).toBe(payload.statusQueryGetUri);
    expect(((await response.json()) as { customStatus: unknown }).customStatus).toEqual({ stage: 'waiting' });

    const send = (payload.sendEventPostUri ?? '').replace('{eventName}', 'Never');
    expect((await fetch(send, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"via link"' })).status).toBe(202);
    expect((await host.durable.waitFor('links-1')).output).toBe('via link');
  });

  it('lists instances with filters, and the SDK follows x-ms-continuation-token across pages', async () => {
    const from = new Date(clock.now().getTime() + 1000);
    await clock.advance(2000);
    for (let i = 0; i < 101; i++) await start('WaitForever', `bulk-${String(i).padStart(3, '0')}`);
    await host.durable.idle();
    const to = new Date(clock.now().getTime() + 1000);

    const all = await clientOp<Record<string, unknown>[]>(host, 'getStatusAll');
    expect(all.filter((s) => String(s.instanceId).startsWith('bulk-'))).toHaveLength(101);

    const byTime = await clientOp<Record<string, unknown>[]>(host, 'getStatusBy', { createdTimeFrom: from.toISOString(), createdTimeTo: to.toISOString(), runtimeStatus: ['Running'] });
    expect(byTime).toHaveLength(101);
    const completedInWindow = await clientOp<Record<string, unknown>[]>(host, 'getStatusBy', { createdTimeFrom: from.toISOString(), runtimeStatus: ['Completed'] });
    expect(completedInWindow).toHaveLength(0);

    const page1 = await raw('instances/?instanceIdPrefix=bulk-&top=40&showInput=false');
    const token = page1.headers.get('x-ms-continuation-token');
    expect(((await page1.json()) as unknown[]).length).toBe(40);
    expect(token).toBeTruthy();
    const page3 = await raw('instances/?instanceIdPrefix=bulk-&top=40', { headers: { 'x-ms-continuation-token': Buffer.from(JSON.stringify({ offset: 80 })).toString('base64') } });
    expect(((await page3.json()) as { instanceId: string }[]).map((s) => s.instanceId)).toHaveLength(21);
    expect(page3.headers.get('x-ms-continuation-token')).toBeNull();

    for (let i = 0; i < 101; i++) await raw(`instances/bulk-${String(i).padStart(3, '0')}/terminate?reason=cleanup`, { method: 'POST' });
    await host.durable.idle();
  });

  it('raises events: 202 while running, silently accepted (410) once finished, error for an unknown instance', async () => {
    await start('WaitForever', 'event-1');
    expect(await clientOp(host, 'raiseEvent', { instanceId: 'event-1', eventName: 'Never', eventData: { value: 7 } })).toEqual({ ok: true });
    expect((await host.durable.waitFor('event-1')).output).toEqual({ value: 7 });
    expect((await raw('instances/event-1/raiseEvent/Never', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '1' })).status).toBe(410);
    expect(await clientOp(host, 'raiseEvent', { instanceId: 'event-1', eventName: 'Never', eventData: 1 })).toEqual({ ok: true });
    expect((await clientOp(host, 'raiseEvent', { instanceId: 'ghost', eventName: 'Never', eventData: 1 })).error).toBe("No instance with ID 'ghost' found.");

    // Like the extension, event content must be application/json; the SDK sends no body (and so no content type)
    // when eventData is undefined, which the extension refuses too.
    await start('WaitForever', 'event-2');
    expect((await raw('instances/event-2/raiseEvent/Never', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '1' })).status).toBe(400);
    expect((await clientOp(host, 'raiseEvent', { instanceId: 'event-2', eventName: 'Never' })).error).toContain('unexpected status code: 400');
    expect(host.durable.getInstance('event-2')?.runtimeStatus).toBe('Running');
  });

  it('terminates a running instance; later events and terminations are ignored (410)', async () => {
    await start('WaitForever', 'term-1');
    await host.durable.waitFor('term-1', (s) => s.runtimeStatus === 'Running');
    expect(await clientOp(host, 'terminate', { instanceId: 'term-1', reason: 'operator cancelled' })).toEqual({ ok: true });
    const terminated = await host.durable.waitFor('term-1');
    expect(terminated).toMatchObject({ runtimeStatus: 'Terminated', output: 'operator cancelled' });
    expect((await raw('instances/term-1/raiseEvent/Never', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '1' })).status).toBe(410);
    expect((await raw('instances/term-1/terminate?reason=again', { method: 'POST' })).status).toBe(410);
    expect(await clientOp(host, 'terminate', { instanceId: 'term-1', reason: 'again' })).toEqual({ ok: true });
    expect(host.durable.getInstance('term-1')?.output).toBe('operator cancelled');
    expect((await clientOp(host, 'terminate', { instanceId: 'ghost', reason: 'x' })).error).toBe("No instance with ID 'ghost' found.");
  });

  it('suspends (events held, status Suspended) and resumes (held events delivered)', async () => {
    await start('TwoSteps', 'suspend-1');
    await host.durable.waitFor('suspend-1', (s) => s.runtimeStatus === 'Running');
    expect(await clientOp(host, 'suspend', { instanceId: 'suspend-1', reason: 'maintenance' })).toEqual({ ok: true });
    await host.durable.waitFor('suspend-1', (s) => s.runtimeStatus === 'Suspended');
    expect((await clientOp(host, 'suspend', { instanceId: 'suspend-1', reason: 'twice' })).error).toContain('unexpected status code: 500');
    await clientOp(host, 'raiseEvent', { instanceId: 'suspend-1', eventName: 'Step', eventData: 'one' });
    await host.durable.idle();
    expect(host.durable.getInstance('suspend-1')?.runtimeStatus).toBe('Suspended');

    expect(await clientOp(host, 'resume', { instanceId: 'suspend-1', reason: 'done' })).toEqual({ ok: true });
    await host.durable.idle();
    expect(host.durable.getInstance('suspend-1')?.runtimeStatus).toBe('Running');
    expect((await clientOp(host, 'resume', { instanceId: 'suspend-1', reason: 'again' })).error).toContain('unexpected status code: 500');
    await clientOp(host, 'raiseEvent', { instanceId: 'suspend-1', eventName: 'Step', eventData: 'two' });
    expect((await host.durable.waitFor('suspend-1')).output).toEqual(['one', 'two']);
  });

  it('rewinds a failed instance: the failed activity runs again', async () => {
    fixtureState.flakyAttempts.clear();
    await start('RewindMe', 'rewind-1', { key: 'rewind', failTimes: 1 });
    const failed = await host.durable.waitFor('rewind-1');
    expect(failed.runtimeStatus).toBe('Failed');
    expect(await clientOp(host, 'rewind', { instanceId: 'rewind-1', reason: 'fixed upstream' })).toEqual({ ok: true });
    const done = await host.durable.waitFor('rewind-1', (s) => s.runtimeStatus === 'Completed');
    expect(done.output).toBe('ok after 2');
    expect((await clientOp(host, 'rewind', { instanceId: 'rewind-1', reason: 'x' })).error).toContain('unexpected status code: 410');
    await start('WaitForever', 'rewind-running');
    expect((await clientOp(host, 'rewind', { instanceId: 'rewind-running', reason: 'x' })).error).toBe('The rewind operation is only supported on failed orchestration instances.');
  });

  it('purges one finished instance, ignores running ones, and purges by filter', async () => {
    await start('HelloSequence', 'purge-1');
    await host.durable.waitFor('purge-1');
    expect(await clientOp(host, 'purge', { instanceId: 'purge-1' })).toEqual({ instancesDeleted: 1 });
    expect(host.durable.getInstance('purge-1')).toBeUndefined();
    expect(await clientOp(host, 'purge', { instanceId: 'purge-1' })).toEqual({ instancesDeleted: 0 });
    await start('WaitForever', 'purge-running');
    expect(await clientOp(host, 'purge', { instanceId: 'purge-running' })).toEqual({ instancesDeleted: 0 });
    expect(host.durable.getInstance('purge-running')?.runtimeStatus).not.toBeUndefined();

    await clock.advance(60_000);
    const from = clock.now();
    await start('HelloSequence', 'purge-a');
    await start('Failing', 'purge-b');
    await start('WaitForever', 'purge-c');
    await host.durable.waitFor('purge-a');
    await host.durable.waitFor('purge-b');
    expect(await clientOp(host, 'purgeBy', { createdTimeFrom: from.toISOString(), runtimeStatus: ['Completed'] })).toEqual({ instancesDeleted: 1 });
    expect(host.durable.getInstance('purge-a')).toBeUndefined();
    expect(await clientOp(host, 'purgeBy', { createdTimeFrom: from.toISOString() })).toEqual({ instancesDeleted: 1 });
    expect(host.durable.getInstance('purge-b')).toBeUndefined();
    expect(host.durable.getInstance('purge-c')?.runtimeStatus).toBe('Running');
    expect(await clientOp(host, 'purgeBy', { createdTimeFrom: from.toISOString() })).toEqual({ instancesDeleted: 0 });
  });

  it('waitForCompletionOrCreateCheckStatusResponse: output when done, check-status payload on timeout', async () => {
    await start('HelloSequence', 'wait-1');
    const done = await fetch(`${host.baseUrl}/api/client/waitForCompletion`, { method: 'POST', body: JSON.stringify({ instanceId: 'wait-1' }) });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);

    await start('WaitForever', 'wait-2');
    const pending = await fetch(`${host.baseUrl}/api/client/waitForCompletion`, {
      method: 'POST',
      body: JSON.stringify({ instanceId: 'wait-2', timeoutInMilliseconds: 200, retryIntervalInMilliseconds: 50 }),
    });
    expect(pending.status).toBe(202);
    expect(pending.headers.get('location')).toBe(`${host.baseUrl}${api}/instances/wait-2?taskHub=HostAppHub&connection=Storage`);
    expect(((await pending.json()) as { id: string }).id).toBe('wait-2');
  });

  it('starts and waits in one call when timeout and pollingInterval are given', async () => {
    const response = await raw('orchestrators/HelloSequence/start-wait-1?timeout=5&pollingInterval=1', { method: 'POST', body: '"x"' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    const started = await raw('orchestrators/WaitForever/start-wait-2', { method: 'POST' });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`${host.baseUrl}${api}/instances/start-wait-2?taskHub=HostAppHub&connection=Storage`);
  });

  it('restarts an instance with its original input, under a new id by default or under the same id', async () => {
    await start('InputRoundTrip', 'restart-1', 'original input');
    await host.durable.waitFor('restart-1');
    const renewed = await raw('instances/restart-1/restart', { method: 'POST' });
    expect(renewed.status).toBe(202);
    const newId = ((await renewed.json()) as { id: string }).id;
    expect(newId).not.toBe('restart-1');
    expect((await host.durable.waitFor(newId)).output).toMatchObject({ received: 'original input' });
    const same = await raw('instances/restart-1/restart?restartWithNewInstanceId=false', { method: 'POST' });
    expect(((await same.json()) as { id: string }).id).toBe('restart-1');
    expect((await raw('instances/nobody/restart', { method: 'POST' })).status).toBe(400);
  });

  it('serves only its own task hub and answers 501 for entities', async () => {
    expect((await raw('instances/status-1?taskHub=OtherHub')).status).toBe(404);
    expect((await raw('entities/Counter/x')).status).toBe(501);
  });
});
