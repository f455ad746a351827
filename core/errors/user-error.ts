/**
 * An error whose text is safe to show a person in chat.
 *
 * Everything that is not a UserError is shown only as "it failed, reference <id>" and logged in full
 * (see `bot/present-error.ts`). Codes are stable identifiers that tests and audit records can rely on.
 */
export class UserError extends Error {
  override readonly name = 'UserError';

  constructor(
    /** Stable machine-readable code, e.g. `UnknownSite`, `AzureThrottled`. */
    readonly code: string,
    /** One or two sentences a network engineer can act on. Never contains secrets or raw exception text. */
    readonly safeMessage: string,
    /** Optional: what to do about it. */
    readonly hint?: string,
    options?: { cause?: unknown; findings?: string },
  ) {
    super(`${code}: ${safeMessage}`, options?.cause !== undefined ? { cause: options.cause } : undefined);
    if (options?.findings !== undefined) this.findings = options.findings;
  }

  /**
   * Optional: several findings behind the error, one per line, written by the bot (e.g. a preflight's checks, each
   * passed, fixed or blocking with its fix): shown below the problem, longer than a problem may be.
   */
  readonly findings?: string;
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError || (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'UserError' && typeof (error as { code?: unknown }).code === 'string');
}

/** Failures that pass on their own (Azure throttling, unavailable or slow): what a read is tried again after. */
export const PASSING_FAILURE_CODES: ReadonlySet<string> = new Set(['AzureThrottled', 'AzureUnavailable', 'AzureTimeout']);
