import type { Clock } from './clock';
import type { RpcBindingInfo, RpcParameterBinding } from './functions-core-types';
import { parseTimeSpan, resolveAppSettingExpressions } from './host-config';
import type { HostLogger } from './host-logger';
import { NcrontabSchedule, ScheduleError } from './ncrontab-schedule';

type Schedule = { kind: 'cron'; cron: NcrontabSchedule } | { kind: 'interval'; ms: number };

interface TimerFunction {
  name: string;
  triggerName: string;
  schedule: Schedule;
  scheduleText: string;
  runOnStartup: boolean;
  useMonitor: boolean;
  last: Date | undefined;
  handle: { cancel(): void } | undefined;
}

export interface TimerInvoke {
  (functionName: string, inputData: RpcParameterBinding[], reason: string): Promise<void>;
}

/**
 * Timer triggers on the host clock: NCRONTAB (or TimeSpan interval) schedules in UTC, `%APP_SETTING%` expressions,
 * runOnStartup, and the PascalCase payload the host sends (`{ Schedule, ScheduleStatus, IsPastDue }`), which the
 * library camel-cases. An occurrence that falls due while the previous invocation is still running is delivered
 * after it with IsPastDue = true, as the singleton-locked timer listener does.
 */
export class TimerTriggers {
  readonly #timers = new Map<string, TimerFunction>();
  #started = false;
  #stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly logger: HostLogger,
    private readonly invoke: TimerInvoke,
  ) {}

  register(functionName: string, triggerName: string, binding: RpcBindingInfo, env: NodeJS.ProcessEnv = process.env): void {
    const raw = typeof binding.schedule === 'string' ? binding.schedule : '';
    const scheduleText = resolveAppSettingExpressions(raw, env, `The schedule of timer function '${functionName}'`);
    let schedule: Schedule;
    // NCRONTAB never contains ':', the TimeSpan (interval) form always does.
    if (scheduleText.includes(':')) {
      const interval = parseTimeSpan(scheduleText);
      if (interval === undefined || interval <= 0) {
        throw new ScheduleError(`Timer function '${functionName}': '${scheduleText}' is neither an NCRONTAB expression nor a positive TimeSpan.`);
      }
      schedule = { kind: 'interval', ms: interval };
    } else {
      schedule = { kind: 'cron', cron: NcrontabSchedule.parse(scheduleText) };
    }
    this.#timers.set(functionName, {
      name: functionName,
      triggerName,
      schedule,
      scheduleText,
      runOnStartup: binding.runOnStartup === true,
      useMonitor: binding.useMonitor !== false,
      last: undefined,
      handle: undefined,
    });
  }

  has(functionName: string): boolean {
    return this.#timers.has(functionName);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const timer of this.#timers.values()) {
      if (timer.runOnStartup) void this.#fire(timer, this.clock.now(), false, 'Timer fired at startup (runOnStartup)');
      else this.#arm(timer, this.clock.now());
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) timer.handle?.cancel();
  }

  /** Direct invocation (like POST /admin/functions/{name}); does not move the schedule. */
  async invokeNow(functionName: string): Promise<void> {
    const timer = this.#timers.get(functionName);
    if (!timer) throw new Error(`'${functionName}' is not a timer-triggered function.`);
    await this.invoke(functionName, this.#inputData(timer, this.clock.now(), false), 'This function was programmatically called via the host APIs.');
  }

  #next(timer: TimerFunction, after: Date): Date {
    return timer.schedule.kind === 'cron' ? timer.schedule.cron.next(after) : new Date(after.getTime() + timer.schedule.ms);
  }

  #arm(timer: TimerFunction, after: Date): void {
    if (this.#stopped) return;
    const due = this.#next(timer, after);
    timer.handle = this.clock.setTimeout(() => {
      void this.#fire(timer, due, false, `Timer fired at ${this.clock.now().toISOString()}`);
    }, due.getTime() - this.clock.now().getTime());
  }

  async #fire(timer: TimerFunction, scheduled: Date, isPastDue: boolean, reason: string): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.invoke(timer.name, this.#inputData(timer, scheduled, isPastDue), reason);
    } catch {
      // Already logged by the invoker; timer triggers have no retry unless a retry policy is configured (not modelled).
    }
    timer.last = scheduled;
    if (this.#stopped) return;
    const next = this.#next(timer, scheduled);
    if (next.getTime() <= this.clock.now().getTime()) {
      this.logger.host('warning', `Timer '${timer.name}' is past due (its occurrence at ${next.toISOString()} passed while the previous run was still executing).`, timer.name);
      void this.#fire(timer, next, true, `Timer fired at ${this.clock.now().toISOString()} (past due)`);
    } else {
      this.#arm(timer, scheduled);
    }
  }

  #inputData(timer: TimerFunction, scheduled: Date, isPastDue: boolean): RpcParameterBinding[] {
    const payload = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: timer.useMonitor
        ? { Last: (timer.last ?? scheduled).toISOString(), Next: this.#next(timer, scheduled).toISOString(), LastUpdated: this.clock.now().toISOString() }
        : null,
      IsPastDue: isPastDue,
    };
    return [{ name: timer.triggerName, data: { json: JSON.stringify(payload) } }];
  }
}
