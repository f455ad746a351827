/**
 * The host's notion of time. Durable timers, timer triggers, history timestamps and therefore
 * `context.df.currentUtcDateTime` all read this clock, so tests can drive hours of orchestration time in milliseconds.
 * Invocation timeouts (host.json functionTimeout) deliberately use wall time instead: they bound real execution.
 */
export interface Clock {
  now(): Date;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export class RealClock implements Clock {
  now(): Date {
    return new Date();
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    // Node's timers overflow (and fire at once) above 2^31-1 ms; long durable timers re-arm in steps.
    const maxStep = 2_147_000_000;
    const due = Date.now() + Math.max(0, ms);
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (): void => {
      const remaining = due - Date.now();
      if (remaining > maxStep) {
        handle = setTimeout(arm, maxStep);
      } else {
        handle = setTimeout(() => {
          if (!cancelled) fn();
        }, Math.max(0, remaining));
      }
      // A pending durable timer must not keep a finished test or script alive.
      handle.unref();
    };
    arm();
    return {
      cancel: () => {
        cancelled = true;
        if (handle) clearTimeout(handle);
      },
    };
  }
}

interface VirtualTimer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when a test calls `advance`. Timers due inside the advanced window fire in due order,
 * with `now()` set to each timer's due time while it runs; after each firing the clock waits for the attached
 * host to go idle, so a chain (timer -> orchestration -> activity -> next retry timer) completes inside one advance.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: VirtualTimer[] = [];
  #settle: () => Promise<void> = defaultSettle;
  #advancing = false;

  constructor(start: Date = new Date('2030-01-01T00:00:00.000Z')) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const timer: VirtualTimer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    if (ms <= 0) {
      // Already due: virtual time does not need to move for it.
      setImmediate(() => {
        if (!timer.cancelled) {
          timer.cancelled = true;
          fn();
        }
      });
      return {
        cancel: () => {
          timer.cancelled = true;
        },
      };
    }
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of timers still waiting to fire (cancelled ones excluded). */
  pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** The due time of the earliest pending timer, if any. */
  nextDue(): Date | undefined {
    const next = this.#earliest();
    return next ? new Date(next.due) : undefined;
  }

  /** Called by the local host so `advance` can wait for the work each timer triggers. */
  attachSettle(settle: () => Promise<void>): void {
    this.#settle = async () => {
      await defaultSettle();
      await settle();
    };
  }

  detachSettle(): void {
    this.#settle = defaultSettle;
  }

  /** Moves time forward by `ms`, firing every timer that falls due (including ones created while advancing). */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError('VirtualClock.advance: ms must be >= 0');
    await this.advanceTo(new Date(this.#now + ms));
  }

  async advanceTo(target: Date): Promise<void> {
    if (this.#advancing) throw new Error('VirtualClock.advance is already running; await the previous call first.');
    this.#advancing = true;
    try {
      const end = target.getTime();
      await this.#settle();
      for (;;) {
        const next = this.#earliest();
        if (!next || next.due > end) break;
        this.#now = Math.max(this.#now, next.due);
        this.#timers = this.#timers.filter((t) => t !== next);
        next.fn();
        await this.#settle();
      }
      this.#now = Math.max(this.#now, end);
      this.#timers = this.#timers.filter((t) => !t.cancelled);
    } finally {
      this.#advancing = false;
    }
  }

  #earliest(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const t of this.#timers) {
      if (t.cancelled) continue;
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

async function defaultSettle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
