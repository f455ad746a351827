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
