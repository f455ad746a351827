import type { CommandName } from '../../core/commands/command-specs';
import type { CommandHandler } from '../command-handler';
import { approvalsCommand } from './approvals-command';
import { auditCommand } from './audit-command';
import { cancelCommand } from './cancel-command';
import { diagnoseCommand } from './diagnose-command';
import { enableDiagnosticsCommand } from './enable-diagnostics-command';
import { helpCommand } from './help-command';
import { jobsCommand } from './jobs-command';
import { provisionCommand } from './provision-command';
import { rotateCommand } from './rotate-command';
import { statusCommand } from './status-command';
import { whoamiCommand } from './whoami-command';
import { expiryCommand } from './expiry-command';
import { subscribeCommand, subscriptionsCommand, unsubscribeCommand } from './subscribe-command';

/** Every spec in core/commands has a handler here; a missing one is a compile error. */
export const COMMAND_HANDLERS = {
  help: helpCommand,
  whoami: whoamiCommand,
  status: statusCommand,
  diagnose: diagnoseCommand,
  'enable-diagnostics': enableDiagnosticsCommand,
  rotate: rotateCommand,
  provision: provisionCommand,
  approvals: approvalsCommand,
  audit: auditCommand,
  jobs: jobsCommand,
  cancel: cancelCommand,
  expiry: expiryCommand,
  subscribe: subscribeCommand,
  unsubscribe: unsubscribeCommand,
  subscriptions: subscriptionsCommand,
} as const satisfies { readonly [N in CommandName]: CommandHandler<N> };
