import { setTimeout as sleep } from 'node:timers/promises';
import { isUserError } from '../../core/errors/user-error';
import { toAzureError } from './azure-error';
import { defaultLongRunningTimeoutMs, defaultOperationTimeoutMs, type AzureSettings } from './azure-settings';

/**
 * The one way the Azure adapters call Azure: a deadline per SDK call (including the SDK's own retries), a deadline and
 * poll interval for long-running operations, and one translation of failures into safe, actionable errors (our own
 * input checks, already UserErrors, pass through). `Context` is what the translation needs to word the error: the
 * operation in our words for ARM and Log Analytics, a richer context for Key Vault.
 */
export interface AzureCaller<Context> {
  /** A fresh abort signal for one SDK call. */
  deadline(): AbortSignal;
  /** Options for one long-running operation (create, update, delete, reset). */
  longRunning(): { abortSignal: AbortSignal; updateIntervalInMs?: number };
  call<T>(context: Context, run: () => Promise<T>): Promise<T>;
}

export function azureCaller<Context = string>(settings: AzureSettings, translate: (error: unknown, context: Context) => unknown = toAzureError as (error: unknown, context: Context) => unknown): AzureCaller<Context> {
  return {
    deadline: () => AbortSignal.timeout(settings.operationTimeoutMs ?? defaultOperationTimeoutMs),
    longRunning: () => ({
      abortSignal: AbortSignal.timeout(settings.longRunningTimeoutMs ?? defaultLongRunningTimeoutMs),
      ...(settings.longRunningPollIntervalMs !== undefined ? { updateIntervalInMs: settings.longRunningPollIntervalMs } : {}),
    }),
    async call(context, run) {
      try {
        return await run();
      } catch (error) {
        if (isUserError(error)) throw error;
        throw translate(error, context);
      }
    },
  };
}

/**
 * A change Azure refuses because the resource, or one it references, is still being changed (429 RetryableError,
 * 409 AnotherOperationInProgress) is tried again after the wait Azure asks for, until the long-running deadline.
 */
export async function waitOutBusy<T>(settings: AzureSettings, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + (settings.longRunningTimeoutMs ?? defaultLongRunningTimeoutMs);
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      const wait = busyRetryAfterMs(error, settings.longRunningPollIntervalMs ?? 10_000);
      if (wait === undefined || Date.now() + wait > deadline) throw error;
      await sleep(wait);
    }
  }
}

/**
 * How long to wait before trying a change again, when Azure refused it only because something is still being changed:
 * 429 `RetryableError` (a referenced resource is Updating) or 409 `AnotherOperationInProgress`. Undefined otherwise.
 */
export function busyRetryAfterMs(error: unknown, fallbackMs: number): number | undefined {
  const classified = toAzureError(error, 'change a resource');
  const busy = (classified.status === 429 && classified.azureCode === 'RetryableError') || (classified.status === 409 && classified.azureCode === 'AnotherOperationInProgress');
  if (!busy) return undefined;
  const header = Number((error as { response?: { headers?: { get?(name: string): string | undefined } } }).response?.headers?.get?.('retry-after'));
  return Number.isFinite(header) && header >= 0 ? header * 1000 : fallbackMs;
}
