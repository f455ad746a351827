import { describe, expect, it } from 'vitest';
import { RealClock, VirtualClock } from '../../../local/host/clock';

describe('VirtualClock', () => {
  it('fires timers in due order with now() at each due time, including timers created while advancing', async () => {
    const clock = new VirtualClock(new Date('2030-01-01T00:00:00Z'));
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now().toISOString()}`), 2000);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now().toISOString()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now().toISOString()}`), 500);
    }, 1000);
    const cancelled = clock.setTimeout(() => fired.push('never'), 1500);
    cancelled.cancel();
    clock.setTimeout(() => fired.push('later'), 10_000);

    await clock.advance(2000);
    expect(fired).toEqual(['a@2030-01-01T00:00:01.000Z', 'c@2030-01-01T00:00:01.500Z', 'b@2030-01-01T00:00:02.000Z']);
    expect(clock.now().toISOString()).toBe('2030-01-01T00:00:02.000Z');
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextDue()?.toISOString()).toBe('2030-01-01T00:00:10.000Z');
  });

  it('runs already-due timers without advancing and waits for the attached settle hook', async () => {
    const clock = new VirtualClock(new Date('2030-01-01T00:00:00Z'));
    let ran = false;
    clock.setTimeout(() => {
      ran = true;
    }, 0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toBe(true);

    const order: string[] = [];
    clock.attachSettle(async () => {
      order.push('settled');
    });
    clock.setTimeout(() => order.push('fired'), 1000);
    await clock.advance(1000);
    expect(order.slice(-2)).toEqual(['fired', 'settled']);
  });

  it('refuses overlapping advances', async () => {
    const clock = new VirtualClock();
    const first = clock.advance(10);
    await expect(clock.advance(10)).rejects.toThrow(/already running/);
    await first;
  });
});

describe('RealClock', () => {
  it('fires and cancels on wall time', async () => {
    const clock = new RealClock();
    let fired = 0;
    clock.setTimeout(() => fired++, 1);
    clock.setTimeout(() => fired++, 1).cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toBe(1);
  });
});
