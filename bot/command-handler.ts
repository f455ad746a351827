import type { AdaptiveCard } from '../cards/adaptive-card';
import type { Role } from '../core/commands/command-spec';
import type { ParsedCommand } from '../core/commands/parse-command';
import type { JobPayload, OrchestrationName } from '../core/jobs/job-catalog';
import type { BotDeps } from './bot-deps';
import type { ChatMessage } from '../core/ports/chat';

export interface CommandContext {
  readonly command: ParsedCommand;
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

export type CommandHandler =
  | { readonly kind: 'instant'; run(ctx: CommandContext): Promise<AdaptiveCard> }
  | { readonly kind: 'job'; prepare(ctx: CommandContext): Promise<JobRequest | { readonly rejected: AdaptiveCard }> };
