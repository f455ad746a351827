import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHost, type HostLogEntry, type LocalHost } from '../../../local/host';
import { fixtureState } from '../../fixtures/host-app/fixture-state';

/** The fixture app under a second host.json: functionTimeout 00:00:01, routePrefix "fn", hub "TimeoutHub". */
describe('local host: host.json functionTimeout and routePrefix', () => {
  let host: LocalHost;
  const logs: HostLogEntry[] = [];

  beforeAll(async () => {
    process.env.HOST_APP_NIGHTLY_SCHEDULE ??= '0 30 2 * * *';
    host = await startLocalHost({
      loadApp: () => import('../../fixtures/host-app/index'),
      appRoot: fileURLToPath(new URL('../../fixtures/host-app/timeout-root', import.meta.url)),
      log: 'quiet',
      onLog: (entry) => logs.push(entry),
    });
  });
  afterAll(async () => {
    fixtureState.hangGate.open();
    await host.close();
  });

  it('serves HTTP functions under the configured route prefix only', async () => {
    expect((await fetch(`${host.baseUrl}/fn/text`)).status).toBe(202);
    expect((await fetch(`${host.baseUrl}/api/text`)).status).toBe(404);
    expect(host.hubName).toBe('TimeoutHub');
  });

  it('times out HTTP invocations (bare 500) and activities (TaskFailed with the host message)', async () => {
    const started = await fetch(`${host.baseUrl}/fn/start/HangingActivity/hang-1`, { method: 'POST' });
    expect(started.status).toBe(202);
    const http = await fetch(`${host.baseUrl}/fn/hang`);
    expect(http.status).toBe(500);
    expect(await http.text()).toBe('');
    expect(logs.some((l) => l.functionName === 'Hang' && l.message.startsWith("Timeout value of 00:00:01 exceeded by function 'Functions.Hang'"))).toBe(true);

    const done = await host.durable.waitFor('hang-1', undefined, 5000);
    // The orchestrator returns the first line of the TaskFailed error ("<Reason> \n <Details>").
    expect(done.output).toBe("Activity function 'HangActivity' failed: Timeout value of 00:00:01 was exceeded by function: Functions.HangActivity ");
  });
});
