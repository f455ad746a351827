import { createRequire } from 'node:module';
import { app } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostLogEntry, LocalHost } from '../../../local/host';
import { fixtureState } from '../../fixtures/host-app/fixture-state';
import { startHostApp } from './host-app-harness';

describe('local host: HTTP front door', () => {
  let host: LocalHost;
  const logs: HostLogEntry[] = [];

  beforeAll(async () => {
    host = await startHostApp({ onLog: (entry) => logs.push(entry) });
  });
  afterAll(async () => {
    await host.close();
  });

  it('routes /api/<route> with typed route params, catch-all, query, headers and body bytes', async () => {
    const body = Buffer.from([0, 255, 1, 254, 10, 13]);
    const response = await fetch(`${host.baseUrl}/api/echo/42/a/b%20c?tag=x&tag=y&q=1`, {
      method: 'POST',
      headers: { 'x-test-header': 'hello', 'content-type': 'application/octet-stream' },
      body,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const json = (await response.json()) as Record<string, unknown>;
    expect(json).toMatchObject({
      method: 'POST',
      params: { id: '42', rest: 'a/b c' },
      // The host hands the worker one string per query key, repeated values joined by commas (as in Azure).
      tags: ['x,y'],
      header: 'hello',
      contentType: 'application/octet-stream',
      bodyBase64: body.toString('base64'),
    });
    expect(json.url).toBe(`${host.baseUrl}/api/echo/42/a/b%20c?tag=x&tag=y&q=1`);
  });

  it('answers 404 when the route constraint, the method or the prefix does not match', async () => {
    expect((await fetch(`${host.baseUrl}/api/echo/not-a-number/x`)).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/api/echo/1/x`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/echo/1/x`)).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/api/missing`)).status).toBe(404);
  });

  it('returns binary bodies, status codes, response headers and cookies unchanged', async () => {
    const response = await fetch(`${host.baseUrl}/api/binary`);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('x-custom')).toBe('yes');
    expect(response.headers.get('set-cookie')).toBe('session=abc; Path=/; HttpOnly; SameSite=Strict');
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0, 1, 2, 253, 254, 255]);
  });

  it('returns text bodies with the status the function chose', async () => {
    const response = await fetch(`${host.baseUrl}/api/text`);
    expect(response.status).toBe(202);
    expect(response.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(await response.text()).toBe('plain text body');
  });

  it('answers 200 with an empty body when the function returns nothing', async () => {
    const response = await fetch(`${host.baseUrl}/api/nothing`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('turns an unhandled error into a bare 500 and logs it with the function name', async () => {
    const response = await fetch(`${host.baseUrl}/api/boom`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('');
    const failure = logs.find((l) => l.functionName === 'Boom' && l.level === 'error');
    expect(failure?.message).toContain('secret-detail-that-must-not-leak');
  });

  it('logs context.log/info/warn/error/debug with function name and level, never the request body', async () => {
    const secretBody = 'request-body-secret-value';
    const response = await fetch(`${host.baseUrl}/api/logs`, { method: 'POST', body: secretBody });
    expect(await response.text()).toBe(`received ${secretBody.length} characters`);
    const userLogs = logs.filter((l) => l.functionName === 'Logs' && l.category === 'user').map((l) => [l.level, l.message]);
    expect(userLogs).toEqual([
      ['information', 'info via log'],
      // rewritten by the app's log hook before it is printed
      ['information', 'token=[redacted]'],
      ['information', 'info via info'],
      ['warning', 'a warning'],
      ['error', 'an error'],
      ['debug', 'a debug line'],
    ]);
    expect(logs.some((l) => l.message.includes(secretBody))).toBe(false);
  });

  it('runs pre- and post-invocation hooks around every invocation and appStart once', async () => {
    fixtureState.hookCalls.length = 0;
    await fetch(`${host.baseUrl}/api/text`);
    expect(fixtureState.hookCalls).toEqual(['pre:Text', 'post:Text']);
    expect(fixtureState.appStarted).toBe(1);
  });

  it('lists functions with trigger, route and methods', () => {
    const functions = host.functions();
    expect(functions).toContainEqual({ name: 'Echo', trigger: 'httpTrigger', route: 'echo/{id:int}/{*rest}', methods: ['GET', 'POST', 'PUT'] });
    expect(functions).toContainEqual({ name: 'Nightly', trigger: 'timerTrigger' });
    expect(functions).toContainEqual({ name: 'HelloSequence', trigger: 'orchestrationTrigger' });
    expect(functions).toContainEqual({ name: 'SayHello', trigger: 'activityTrigger' });
  });

  it('answers require("@azure/functions-core") with the worker API and refuses registrations after startup', () => {
    const coreApi = createRequire(import.meta.url)('@azure/functions-core') as Record<string, unknown>;
    expect(Object.keys(coreApi).sort()).toEqual(['Disposable', 'getProgrammingModel', 'hostVersion', 'log', 'registerFunction', 'registerHook', 'setProgrammingModel', 'version']);
    expect((coreApi.getProgrammingModel as () => { name: string })().name).toBe('@azure/functions');
    expect(() => app.http('LateRegistration', { handler: () => ({}) })).toThrow('A function can only be registered during app startup.');
  });
});
