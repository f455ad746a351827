import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock, type LocalHost } from '../../../local/host';
import { fixtureState } from '../../fixtures/host-app/fixture-state';
import { startHostApp } from './host-app-harness';

describe('local host: timer triggers on the host clock', () => {
  let host: LocalHost;
  const clock = new VirtualClock(new Date('2030-05-01T02:29:59.000Z'));

  beforeAll(async () => {
    process.env.HOST_APP_NIGHTLY_SCHEDULE = '0 30 2 * * *';
    process.env.HOST_APP_RUN_ON_STARTUP = 'true';
    host = await startHostApp({ clock });
  });
  afterAll(async () => {
    await host.close();
  });

  it('runs on startup when runOnStartup is set', async () => {
    await host.durable.idle();
    expect(fixtureState.timerCalls).toHaveLength(1);
    expect((await host.durable.waitFor('nightly-1')).runtimeStatus).toBe('Completed');
  });

  it('fires on its NCRONTAB schedule with the camel-cased timer payload, and the durable client works from it', async () => {
    await clock.advance(999);
    expect(fixtureState.timerCalls).toHaveLength(1);
    await clock.advance(1);
    expect(fixtureState.timerCalls).toHaveLength(2);
    expect(fixtureState.timerCalls[1]).toEqual({
      schedule: { adjustForDST: true },
      scheduleStatus: { last: '2030-05-01T02:29:59.000Z', next: '2030-05-02T02:30:00.000Z', lastUpdated: '2030-05-01T02:30:00.000Z' },
      isPastDue: false,
    });
    // advance() waited for the timer invocation and the orchestration it started.
    expect(host.durable.getInstance('nightly-2')?.runtimeStatus).toBe('Completed');

    await clock.advance(24 * 60 * 60 * 1000);
    expect(fixtureState.timerCalls).toHaveLength(3);
    expect(fixtureState.timerCalls[2]).toMatchObject({ scheduleStatus: { last: '2030-05-01T02:30:00.000Z', next: '2030-05-03T02:30:00.000Z' } });
  });

  it('can be invoked directly without moving the schedule', async () => {
    await host.invokeTimer('Nightly');
    expect(fixtureState.timerCalls).toHaveLength(4);
    await host.durable.idle();
    expect(host.durable.getInstance('nightly-4')?.runtimeStatus).toBe('Completed');
    await clock.advance(60_000);
    expect(fixtureState.timerCalls).toHaveLength(4);
    await expect(host.invokeTimer('Echo')).rejects.toThrow("'Echo' is not a timer-triggered function of this app.");
  });
});
