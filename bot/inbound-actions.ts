import { MAX_CHAIN_FORM_CHARS } from '../cards/remedy-buttons';
import type { ChangeRequest } from '../core/change/change-kind';
import { UserError } from '../core/errors/user-error';
import { formatIkeProposal, normalizeIkeProposal } from '../core/ike/ike-proposal';
import { customPolicyFor } from '../core/ike/proposal-strength';
import type { ActionOutcome, CardAction } from '../core/ports/chat';
import type { BotDeps } from './bot-deps';
import { stringField } from './card-data';
import { requestChange } from './change-actions';
import { checkInboundCertificates } from './commands/rotate-inbound-input';

/**
 * The diagnose card's buttons for inbound causes and proposal mismatches. Each asks for a change through the change
 * pipeline exactly as the typed command would; what the card sends is checked here (shape, Azure's chain rules, a
 * strong proposal) and again when the change is planned. Role: operator (checked before these run).
 */

const SITE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;
const ALGORITHM = /^[A-Za-z0-9_-]{1,24}$/;

function siteOf(action: CardAction): string {
  const site = stringField(action.data, 'site', 80);
  if (!SITE.test(site)) throw new UserError('InvalidCardData', 'That button named an invalid site.');
  return site;
}

async function ask(action: CardAction, request: ChangeRequest, commandLine: string, deps: BotDeps): Promise<ActionOutcome> {
  const { started } = await requestChange(action, request, commandLine, deps);
  if (started === 'failed') return { kind: 'message', text: 'Could not start; see the card below.' };
  if (started === 'conflict') return { kind: 'message', text: 'That change is already being planned.' };
  if (started === 'duplicate') return { kind: 'message', text: 'Already asked.' };
  return { kind: 'message', text: `Planning: ${commandLine}.` };
}

/** Set inbound subject to <observed subject> (subject mismatch): one click, then the plan and approval. */
export async function setInboundSubjectAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const site = siteOf(action);
  const subject = stringField(action.data, 'subject', 256).trim();
  if (subject === '' || [...subject].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) throw new UserError('InvalidCardData', 'That button named an invalid subject.');
  return ask(action, { kind: 'rotate-certificate', site, side: 'inbound', subject }, `rotate ${site} inbound --subject "${subject}"`, deps);
}

/**
 * Update inbound chain (device moved to a new PKI): the form's pasted CA certificates, checked against Azure's chain
 * rules before anything is requested; a problem is answered with a card naming each one, and the text is never echoed.
 */
export async function updateInboundChainAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const site = siteOf(action);
  const raw = (action.data as { chain?: unknown } | undefined)?.chain;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new UserError('NothingToRotate', 'The form had no certificates in it.', 'Paste the new root and intermediate CA certificates (PEM) into the box, then press Request the change.');
  }
  if (raw.length > MAX_CHAIN_FORM_CHARS) throw new UserError('InvalidCertificate', `The pasted text is longer than ${MAX_CHAIN_FORM_CHARS / 1000} KB; a chain of 5 certificates fits in a few KB.`, 'Paste only the root and intermediate CA certificates.');
  const checked = checkInboundCertificates(raw, site, deps.now());
  if ('rejected' in checked) {
    await action.reply(checked.rejected);
    return { kind: 'message', text: 'Nothing was requested; see the card below.' };
  }
  const request: ChangeRequest = { kind: 'rotate-certificate', site, side: 'inbound', chain: checked.chain, ...(checked.device ? { device: checked.device } : {}) };
  return ask(action, request, `rotate ${site} inbound (+ ${checked.chain.length} CA certificate${checked.chain.length === 1 ? '' : 's'} from the diagnose card)`, deps);
}

/** Apply IPsec/IKE policy (proposal mismatch): only a strong proposal Azure's policy can express is ever asked for. */
export async function applyIpsecPolicyAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const site = siteOf(action);
  const field = (name: string): string => {
    const value = stringField(action.data, name, 24);
    if (!ALGORITHM.test(value)) throw new UserError('InvalidCardData', 'That button named an invalid algorithm.');
    return value;
  };
  const proposal = normalizeIkeProposal({ encryption: field('encryption'), integrity: field('integrity'), dhGroup: field('dhGroup') });
  if (!customPolicyFor(proposal)) {
    throw new UserError('ProposalNotPinnable', `${formatIkeProposal(proposal)} is weak or cannot be expressed by Azure's custom IPsec/IKE policy, so the bot does not pin it.`, 'Configure a strong proposal on the device (e.g. GCMAES256 / SHA384 / ECP384) and diagnose again.');
  }
  return ask(action, { kind: 'set-ipsec-policy', site, proposal }, `apply IPsec/IKE policy ${formatIkeProposal(proposal)} to ${site}`, deps);
}
