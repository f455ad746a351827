import { approvalsCard } from '../../cards/approvals-card';
import { pendingForCaller } from '../change-actions';
import type { CommandHandler } from '../command-handler';

/** Pending approvals listed at most (each is checked against its job). */
const MAX_PENDING = 20;

export const approvalsCommand: CommandHandler<'approvals'> = {
  async run({ message, deps }) {
    return approvalsCard(await pendingForCaller(message.caller, deps, MAX_PENDING));
  },
};
