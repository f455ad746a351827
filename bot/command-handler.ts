import type { AdaptiveCard } from '../cards/adaptive-card';
import type { Role } from '../core/commands/command-spec';
import type { CommandName, SpecOf } from '../core/commands/command-specs';
import type { ParsedCommand } from '../core/commands/parse-command';
import type { JobPayload, OrchestrationName } from '../core/jobs/job-catalog';
import type { ChatMessage } from '../core/ports/chat';
import type { BotDeps } from './bot-deps';

export interface CommandContext<N extends CommandName = CommandName> {
  readonly command: ParsedCommand<N>;
  readonly message: ChatMessage;
  readonly roles: readonly Role[];
  readonly deps: BotDeps;
}

/** A command that needs Azure: the bot acknowledges at once and an orchestration does the work. */
export type JobRequest = {
  readonly [N in OrchestrationName]: {
    readonly orchestration: N;
    /** Lowercase target for the job id, e.g. `site-paris` or `fleet`. */
    readonly target: string;
    readonly commandLine: string;
    readonly payload: JobPayload<N>;
  };
}[OrchestrationName];

/** An `instant` command answers in the turn with one card. */
export interface InstantCommand<N extends CommandName> {
  run(ctx: CommandContext<N>): Promise<AdaptiveCard>;
}

/** An `orchestration` command prepares the job to start (or refuses with a card, e.g. an unreadable device log). */
export interface JobCommand<N extends CommandName> {
  prepare(ctx: CommandContext<N>): Promise<JobRequest | { readonly rejected: AdaptiveCard }>;
}

/** The handler a command needs follows from its spec's `execution`: a mismatch is a compile error. */
export type CommandHandler<N extends CommandName> = SpecOf<N>['execution'] extends 'instant' ? InstantCommand<N> : JobCommand<N>;
