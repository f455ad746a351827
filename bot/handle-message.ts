import { errorCard } from '../cards/error-card';
import { unknownCommandCard } from '../cards/unknown-command-card';
import type { AdaptiveCard } from '../cards/adaptive-card';
import { authorize } from '../core/auth/access-policy';
import type { AccessDecision } from '../core/auth/access-policy';
import type { CommandSpec } from '../core/commands/command-spec';
import type { ParseFailure, ParsedCommand } from '../core/commands/parse-command';
import { parseCommand } from '../core/commands/parse-command';
import type { BotDeps } from './bot-deps';
import type { ChatMessage } from '../core/ports/chat';
import type { CommandContext, InstantCommand, JobCommand } from './command-handler';
import { COMMAND_HANDLERS } from './commands/command-handlers';
import type { CommandName } from '../core/commands/command-specs';
import { presentError } from './present-error';
import { recordRefusal } from './own-job';
import { jobIdFor, startJob } from './start-job';

/**
 * One chat message: parse against the specs, authorize from the verified identity, then either answer at once or
 * acknowledge and start a job. Always answers with exactly one card; never throws.
 */
export async function handleMessage(message: ChatMessage, deps: BotDeps): Promise<void> {
  const reference = deps.newId();
  try {
    const parsed = parseCommand(message.text);
    if (!parsed.ok) {
      await message.reply(await parseFailureReply(parsed.failure, message, deps));
      return;
    }
    const outcome = await executeCommand(parsed.command, message, deps);
    if (outcome.kind === 'card') await message.reply(outcome.card);
  } catch (error) {
    const card = presentError(error, { log: deps.log, reference, where: 'message' });
    await message.reply(card).catch((replyError: unknown) => deps.log.error('could not send the error card', { reference, error: String(replyError) }));
  }
}

export type CommandOutcome =
  | { readonly kind: 'card'; readonly card: AdaptiveCard }
  | { readonly kind: 'job'; readonly jobId: string; readonly commandLine: string; readonly started: boolean; readonly duplicate: boolean };

/**
 * Authorizes and runs a parsed command for the person in `surface`. Instant commands resolve to their card (the
 * caller decides where it goes); jobs post their acknowledgement card themselves and update it if starting fails.
 */
export async function executeCommand(command: ParsedCommand, surface: Omit<ChatMessage, 'text'>, deps: BotDeps): Promise<CommandOutcome> {
  const decision = authorize(surface.caller, command.spec.role, deps.access);
  if (!decision.allowed) return { kind: 'card', card: await deny(command.spec, commandTarget(command), decision, surface, deps) };
  const ctx: CommandContext = { command, message: { ...surface, text: '' }, roles: decision.roles, deps };
  // The handler was chosen by this command's name, so it takes this command's context (TypeScript cannot correlate
  // the two unions by itself); its kind follows from the spec's `execution`.
  const handler = COMMAND_HANDLERS[command.spec.name] as InstantCommand<CommandName> | JobCommand<CommandName>;
  if (command.spec.execution === 'instant') return { kind: 'card', card: await (handler as InstantCommand<CommandName>).run(ctx) };

  const prepared = await (handler as JobCommand<CommandName>).prepare(ctx);
  if ('rejected' in prepared) return { kind: 'card', card: prepared.rejected };
  const { jobId, claim } = jobIdFor(command.spec.name, prepared.target, surface, deps);
  const started = await startJob(
    surface,
    {
      orchestration: prepared.orchestration,
      jobId,
      commandLine: prepared.commandLine,
      payload: prepared.payload,
      audit: { action: command.spec.name, target: commandTarget(command) },
      alreadyRunning: `A job with id ${jobId} is already running.`,
      claimDelivery: claim,
    },
    deps,
  );
  return { kind: 'job', jobId, commandLine: prepared.commandLine, started: started === 'started', duplicate: started === 'duplicate' };
}

/** The access-denied card (audited) when the caller may not run `spec`; undefined when they may. */
async function refusal(spec: CommandSpec, target: string, surface: Omit<ChatMessage, 'text'>, deps: BotDeps): Promise<AdaptiveCard | undefined> {
  const decision = authorize(surface.caller, spec.role, deps.access);
  return decision.allowed ? undefined : deny(spec, target, decision, surface, deps);
}

async function deny(spec: CommandSpec, target: string, decision: Extract<AccessDecision, { allowed: false }>, surface: Omit<ChatMessage, 'text'>, deps: BotDeps): Promise<AdaptiveCard> {
  await recordRefusal(deps, {
    action: spec.name,
    actor: { ...(surface.caller.aadObjectId ? { aadObjectId: surface.caller.aadObjectId } : {}), name: surface.caller.displayName },
    target,
    outcome: 'denied',
    detail: decision.reason,
  });
  return accessDeniedCard(spec, decision);
}

function commandTarget(command: ParsedCommand): string {
  const values = Object.values(command.args).filter((v): v is string => typeof v === 'string');
  return values.length > 0 ? values.join(' ') : command.spec.name;
}

/**
 * The answer to a line that did not parse. Someone without the command's role learns that they lack it (audited),
 * not how its arguments are checked.
 */
export async function parseFailureReply(failure: ParseFailure, surface: Omit<ChatMessage, 'text'>, deps: BotDeps): Promise<AdaptiveCard> {
  const refused = failure.kind === 'invalid' ? await refusal(failure.spec, failure.spec.name, surface, deps) : undefined;
  return refused ?? parseFailureCard(failure);
}

function parseFailureCard(failure: ParseFailure): AdaptiveCard {
  switch (failure.kind) {
    case 'empty':
      return errorCard({ title: 'Type a command', problem: 'The message had no command in it.', fix: 'Type help to see what I can do.', code: 'EmptyCommand' });
    case 'too-long':
      return errorCard({
        title: 'Message too long',
        problem: `That message is longer than ${failure.limit.toLocaleString('en-US')} characters, so I did not read it.`,
        fix: 'Shorten it. To share a long device log, attach it as a .log or .txt file.',
        code: 'MessageTooLong',
      });
    case 'unknown-command':
      return unknownCommandCard(failure.typed, failure.suggestions);
    case 'invalid':
      return errorCard({ title: `Check the ${failure.spec.name} command`, problem: failure.problem, usage: failure.usage, example: failure.example, code: 'InvalidArguments' });
  }
}

function accessDeniedCard(spec: CommandSpec, decision: Extract<AccessDecision, { allowed: false }>): AdaptiveCard {
  const problem =
    decision.reason === 'no-identity'
      ? 'This channel did not tell me who you are, so I cannot check your roles.'
      : decision.reason === 'tenant-not-allowed'
        ? "Your organisation's tenant is not allowed to use this bot."
        : `${spec.name} needs the ${decision.required} role${decision.roles.length > 0 ? `; you have ${decision.roles.join(', ')}` : ', and you have no role'}.`;
  return errorCard({
    title: 'Not allowed',
    problem,
    fix: 'Type whoami to see your identity and roles, and ask the bot operators for the role you need.',
    code: 'AccessDenied',
  });
}
