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
import { booleanField, numberField, stringField } from './card-data';
import type { RefusedPress } from './change-actions';
import { approvalView, changePressedAs, decideChange, withdrawChange } from './change-actions';
import { auditPage } from './audit-page';
import { MAX_AUDIT_DAYS } from '../core/commands/command-specs';
import { isSiteName } from '../core/commands/parse-command';
import { UserError } from '../core/errors/user-error';
import { presentError } from './present-error';
import { recordRefusal } from './own-job';
import { enableDiagnosticsAction, expiryPageAction, fleetPageAction, rotateOutboundAction } from './status-actions';
import { applyIpsecPolicyAction, setInboundSubjectAction, updateInboundChainAction } from './inbound-actions';
import { keepProvisionedAction, provisionFormAction, provisionSiteAction, removeSiteAction } from './provision-actions';
import { handoverFilesAction } from './handover-files';

export interface VerbHandler {
  /** Role checked against the verified invoke identity before the handler runs. */
  readonly role: Role | 'anyone';
  run(action: CardAction, deps: BotDeps): Promise<ActionOutcome>;
  /**
   * What a press refused for lack of role is audited as: the action and what it was about (a change's site), so
   * `audit <site>` shows it with the rest of the story. Without it (or when the data names nothing known): the verb.
   */
  refusedAs?(action: CardAction, deps: BotDeps): Promise<RefusedPress | undefined>;
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
      const surface = { caller: action.caller, conversation: action.conversation, files: [], reply: action.reply, update: action.update, rememberConversation: action.rememberConversation, ...(action.activityId ? { activityId: action.activityId } : {}) };
      if (!parsed.ok) return { kind: 'card', card: await parseFailureReply(parsed.failure, surface, deps) };
      const outcome = await executeCommand(parsed.command, surface, deps);
      if (outcome.kind === 'job') return { kind: 'message', text: outcome.duplicate ? 'Already started.' : outcome.started ? `Started ${outcome.commandLine} (${outcome.jobId}).` : `Could not start ${outcome.commandLine}.` };
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
  [VERBS.enableDiagnostics]: { role: 'operator', run: enableDiagnosticsAction, refusedAs: async (action) => siteNamed(action.data, 'enable-diagnostics') },
  [VERBS.fleetPage]: { role: 'reader', run: fleetPageAction },
  // Approve and Reject check the role again with the other four-eyes rules (core/change/check-press.ts).
  [VERBS.approveChange]: { role: 'approver', run: (action, deps) => decideChange(action, 'approved', deps), refusedAs: (action, deps) => changePressedAs('approve', action, deps) },
  [VERBS.rejectChange]: { role: 'approver', run: (action, deps) => decideChange(action, 'rejected', deps), refusedAs: (action, deps) => changePressedAs('reject', action, deps) },
  [VERBS.withdrawChange]: { role: 'operator', run: withdrawChange, refusedAs: (action, deps) => changePressedAs('withdraw', action, deps) },
  // Readers (approvers and operators read too) get their own view: buttons only for those who may decide. Others
  // keep the card as posted, which shows the state.
  [VERBS.approvalView]: { role: 'reader', run: approvalView, refusedAs: (action, deps) => changePressedAs('view', action, deps) },
  [VERBS.auditPage]: {
    role: 'reader',
    async run(action, deps) {
      const site = (action.data as { site?: unknown } | undefined)?.site;
      if (site !== undefined && (typeof site !== 'string' || !isSiteName(site))) throw new UserError('InvalidCardData', 'That button named an invalid site.');
      const card = await auditPage({ ...(typeof site === 'string' ? { site } : {}), days: numberField(action.data, 'days', 1, MAX_AUDIT_DAYS), page: numberField(action.data, 'page', 0, 1_000) }, deps);
      return { kind: 'card', card };
    },
  },
  [VERBS.rotateOutbound]: { role: 'operator', run: rotateOutboundAction, refusedAs: async (action) => siteNamed(action.data, 'rotate-certificate') },
  [VERBS.setInboundSubject]: { role: 'operator', run: setInboundSubjectAction, refusedAs: async (action) => siteNamed(action.data, 'rotate-certificate') },
  [VERBS.updateInboundChain]: { role: 'operator', run: updateInboundChainAction, refusedAs: async (action) => siteNamed(action.data, 'rotate-certificate') },
  [VERBS.applyIpsecPolicy]: { role: 'operator', run: applyIpsecPolicyAction, refusedAs: async (action) => siteNamed(action.data, 'set-ipsec-policy') },
  [VERBS.provisionSite]: { role: 'operator', run: provisionSiteAction, refusedAs: async (action) => siteNamed(action.data, 'provision-site') },
  [VERBS.provisionForm]: { role: 'operator', run: provisionFormAction },
  [VERBS.keepProvisioned]: { role: 'operator', run: keepProvisionedAction, refusedAs: async (action) => siteNamed(action.data, 'provision-site') },
  [VERBS.removeSite]: { role: 'operator', run: removeSiteAction, refusedAs: async (action) => siteNamed(action.data, 'remove-site') },
  [VERBS.expiryPage]: { role: 'reader', run: expiryPageAction },
  [VERBS.handoverFiles]: { role: 'operator', run: handoverFilesAction, refusedAs: (action, deps) => changePressedAs('handover-file', action, deps) },
} as const satisfies Record<Verb, VerbHandler>;

/** A press whose data names a valid site is audited against that site. */
function siteNamed(data: unknown, action: string): RefusedPress | undefined {
  const site = (data as { site?: unknown } | undefined)?.site;
  return typeof site === 'string' && isSiteName(site) ? { action, target: site } : undefined;
}

/**
 * An Action.Execute press: identity and role come from the verified invoke activity, the data only names what to
 * act on and is validated per verb. Never throws: failures become an error card in place of the pressed card.
 */
export async function handleCardAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const reference = deps.newId();
  // Own properties only: a verb such as `constructor` must not reach the object's prototype.
  const handler = Object.hasOwn(VERB_HANDLERS, action.verb) ? (VERB_HANDLERS as Record<string, VerbHandler>)[action.verb] : undefined;
  if (!handler) return { kind: 'message', text: 'That button is no longer supported. Type help to see the commands.' };
  const decision = authorize(action.caller, handler.role, deps.access);
  if (!decision.allowed) {
    const as = (await handler.refusedAs?.(action, deps).catch(() => undefined)) ?? { action: `button:${action.verb}`, target: action.verb };
    await recordRefusal(deps, {
      action: as.action,
      actor: { ...(action.caller.aadObjectId ? { aadObjectId: action.caller.aadObjectId } : {}), name: action.caller.displayName },
      target: as.target,
      outcome: 'denied',
      ...(as.jobId ? { jobId: as.jobId } : {}),
      detail: `needs the ${handler.role} role (${decision.reason})`,
    });
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
