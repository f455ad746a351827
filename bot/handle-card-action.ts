import type { AdaptiveCard } from '../cards/adaptive-card';
import { card, heading, literal } from '../cards/adaptive-card';
import { VERBS } from '../cards/verbs';
import type { Verb } from '../cards/verbs';
import { authorize } from '../core/auth/access-policy';
import type { Role } from '../core/commands/command-spec';
import { parseCommand } from '../core/commands/parse-command';
import type { BotDeps } from './bot-deps';
import { cancelJob } from './cancel-job';
import type { ActionOutcome, CardAction } from '../core/ports/chat';
import { executeCommand, parseFailureReply } from './handle-message';
import { booleanField, stringField } from './card-data';
import { presentError } from './present-error';
import { enableDiagnosticsAction, fleetPageAction } from './status-actions';

export interface VerbHandler {
  /** Role checked against the verified invoke identity before the handler runs. */
  readonly role: Role | 'anyone';
  run(action: CardAction, deps: BotDeps): Promise<ActionOutcome>;
}

const MAX_COMMAND_FROM_CARD = 200;

/** Every verb a card can send has a handler here; a missing one is a compile error. */
export const VERB_HANDLERS = {
  [VERBS.runCommand]: {
    // The command itself is authorized by its own spec inside executeCommand.
    role: 'anyone',
    async run(action, deps) {
      const line = stringField(action.data, 'command', MAX_COMMAND_FROM_CARD);
      const parsed = parseCommand(line);
      const surface = { caller: action.caller, conversation: action.conversation, files: [], reply: action.reply, update: action.update, rememberConversation: action.rememberConversation };
      if (!parsed.ok) return { kind: 'card', card: await parseFailureReply(parsed.failure, surface, deps) };
      const outcome = await executeCommand(parsed.command, surface, deps);
      if (outcome.kind === 'job') return { kind: 'message', text: outcome.started ? `Started ${outcome.commandLine} (${outcome.jobId}).` : `Could not start ${outcome.commandLine}.` };
      // Refresh-style buttons replace their own card; everything else answers in a new card.
      if (booleanField(action.data, 'replace')) return { kind: 'card', card: outcome.card };
      await action.reply(outcome.card);
      return { kind: 'message', text: 'Done.' };
    },
  },
  [VERBS.cancelJob]: {
    role: 'operator',
    async run(action, deps) {
      const jobId = stringField(action.data, 'jobId', 160);
      const { commandLine } = await cancelJob(jobId, action.caller, deps);
      return { kind: 'card', card: card([heading('Cancelled', 'warning'), literal([{ text: commandLine, mono: true }, { text: `  (${jobId})`, subtle: true }])]) };
    },
  },
  [VERBS.enableDiagnostics]: { role: 'operator', run: enableDiagnosticsAction },
  [VERBS.fleetPage]: { role: 'reader', run: fleetPageAction },
} as const satisfies Record<Verb, VerbHandler>;

/**
 * An Action.Execute press: identity and role come from the verified invoke activity, the data only names what to
 * act on and is validated per verb. Never throws: failures become an error card in place of the pressed card.
 */
export async function handleCardAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const reference = deps.newId();
  const handler = (VERB_HANDLERS as Record<string, VerbHandler>)[action.verb];
  if (!handler) return { kind: 'message', text: 'That button is no longer supported. Type help to see the commands.' };
  const decision = authorize(action.caller, handler.role, deps.access);
  if (!decision.allowed) {
    await deps.audit.record({ action: `button:${action.verb}`, actor: { ...(action.caller.aadObjectId ? { aadObjectId: action.caller.aadObjectId } : {}), name: action.caller.displayName }, target: action.verb, outcome: 'denied', detail: decision.reason });
    return { kind: 'message', text: `You need the ${handler.role} role for that. Type whoami to see your roles.` };
  }
  try {
    return await handler.run(action, deps);
  } catch (error) {
    const errorCard: AdaptiveCard = presentError(error, { log: deps.log, reference, where: `button ${action.verb}` });
    await action.reply(errorCard).catch(() => undefined);
    return { kind: 'message', text: 'That did not work; see the card below.' };
  }
}
