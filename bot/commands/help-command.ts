import { commandHelpCard, helpCard } from '../../cards/help-card';
import { findCommandSpec } from '../../core/commands/command-specs';
import { helpForCommand, helpOverview } from '../../core/commands/help';
import type { CommandHandler } from '../command-handler';

export const helpCommand: CommandHandler<'help'> = {
  async run({ command, roles, deps }) {
    const hasRole = (role: string) => role === 'anyone' || (roles as readonly string[]).includes(role);
    const topic = command.args.command;
    const spec = topic ? findCommandSpec(topic) : undefined;
    if (spec) return commandHelpCard(helpForCommand(spec, hasRole));
    return helpCard(helpOverview(hasRole), { environmentName: deps.environmentName });
  },
};
