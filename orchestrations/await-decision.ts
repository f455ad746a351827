import type { ChangeDecision } from '../core/change/change-state';
import { DECISION_EVENT } from '../core/change/change-state';
import type { Orchestration, OrchestrationContext } from './orchestration-context';

export type DecisionOutcome = { readonly kind: 'decided'; readonly decision: ChangeDecision } | { readonly kind: 'expired' };

/**
 * Human approval as one deterministic helper: the decision event raced against a durable timer, the losing timer
 * cancelled. With a reminder time, the first race is against the reminder; `remind` runs when it fires, and the
 * decision is then raced against the expiry. Each race waits on a fresh event task (never re-yielding a task), and a
 * decision that arrived while the reminder was being sent is taken as it is.
 */
export function* awaitDecision(
  context: OrchestrationContext,
  options: { readonly expiresAt: Date; readonly remindAt?: Date; readonly remind: () => Orchestration<void> },
): Orchestration<DecisionOutcome> {
  if (options.remindAt && options.remindAt < options.expiresAt) {
    const decision = context.df.waitForExternalEvent(DECISION_EVENT);
    const reminder = context.df.createTimer(options.remindAt);
    const first: unknown = yield context.df.Task.any([decision, reminder]);
    if (first === decision) {
      reminder.cancel();
      return { kind: 'decided', decision: decision.result as ChangeDecision };
    }
    yield* options.remind();
    if (decision.isCompleted) return { kind: 'decided', decision: decision.result as ChangeDecision };
  }
  const decision = context.df.waitForExternalEvent(DECISION_EVENT);
  const expiry = context.df.createTimer(options.expiresAt);
  const winner: unknown = yield context.df.Task.any([decision, expiry]);
  if (winner === decision) {
    expiry.cancel();
    return { kind: 'decided', decision: decision.result as ChangeDecision };
  }
  return { kind: 'expired' };
}

export type WindowOutcome = { readonly kind: 'reached' } | { readonly kind: 'withdrawn'; readonly by: ChangeDecision['by']; readonly at: string };

/**
 * An approved change waits for its maintenance window: a durable timer raced against a withdrawal (the decision
 * event, raised only for `withdrawn` once a change is approved), the losing timer cancelled. Any other event that
 * arrives meanwhile is ignored and the wait goes on until the window.
 */
export function* awaitWindow(context: OrchestrationContext, window: Date): Orchestration<WindowOutcome> {
  const timer = context.df.createTimer(window);
  for (;;) {
    const event = context.df.waitForExternalEvent(DECISION_EVENT);
    const winner: unknown = yield context.df.Task.any([event, timer]);
    if (winner !== event) return { kind: 'reached' };
    const decision = event.result as ChangeDecision;
    if (decision.decision === 'withdrawn') {
      timer.cancel();
      return { kind: 'withdrawn', by: decision.by, at: decision.at };
    }
  }
}
