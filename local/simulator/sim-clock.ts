/**
 * The simulator's notion of time. The sandbox runs on the real clock; tests inject a manual clock and move it
 * forward explicitly, so tunnel settling, certificate expiry and log history are deterministic.
 */
export interface SimClock {
  now(): Date;
}

export interface ManualClock extends SimClock {
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void;
  set(at: Date): void;
}

export const realClock: SimClock = { now: () => new Date() };

export function createManualClock(start: Date = new Date()): ManualClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('A manual clock only moves forward by a finite amount.');
      current += ms;
    },
    set(at: Date) {
      if (at.getTime() < current) throw new RangeError('A manual clock never goes back in time.');
      current = at.getTime();
    },
  };
}

export function isManualClock(clock: SimClock): clock is ManualClock {
  return typeof (clock as Partial<ManualClock>).advance === 'function';
}
