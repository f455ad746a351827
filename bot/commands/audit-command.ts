import { auditPage } from '../audit-page';
import type { CommandHandler } from '../command-handler';

export const auditCommand: CommandHandler<'audit'> = {
  async run({ command, deps }) {
    return auditPage({ ...(command.args.site ? { site: command.args.site } : {}), days: command.flags.days, page: 0 }, deps);
  },
};
