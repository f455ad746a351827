import type { AdaptiveCard } from '../cards/adaptive-card';
import { errorCard, unexpectedErrorCard } from '../cards/error-card';
import { isUserError } from '../core/errors/user-error';
import type { Logger } from '../core/ports/logger';

/**
 * The one place errors become chat: user errors show their safe text and code; anything else shows only a
 * reference, and the full error goes to the log under that reference.
 */
export function presentError(error: unknown, context: { log: Logger; reference: string; title?: string; where: string }): AdaptiveCard {
  if (isUserError(error)) {
    context.log.warn(`${context.where}: ${error.code}`, { code: error.code, reference: context.reference });
    return errorCard({ title: context.title ?? 'That did not work', problem: error.safeMessage, ...(error.hint ? { fix: error.hint } : {}), code: error.code });
  }
  context.log.error(`${context.where} failed`, { reference: context.reference, error: describeError(error) });
  return unexpectedErrorCard(context.reference);
}

/** Full detail for the log only. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ''}`;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
