import type { DiagnosisRemedy } from '../core/ike/diagnosis';
import { formatIkeProposal } from '../core/ike/ike-proposal';
import type { CardAction } from './adaptive-card';
import { executeAction, VERBS } from './verbs';

/** Longest text the inbound chain form takes: 5 large certificates as PEM, with room to spare. */
export const MAX_CHAIN_FORM_CHARS = 60_000;

/**
 * The button a diagnosis offers for its cause (core/ike/diagnosis.ts `remedy`): each asks for a change through the
 * change pipeline (plan, approval, apply, verify, rollback); the data names the site and what was seen, and is
 * checked again on the server at the press and when the change is planned.
 */
export function remedyButton(site: string, remedy: DiagnosisRemedy): CardAction {
  switch (remedy.kind) {
    case 'set-inbound-subject':
      return executeAction(`Set inbound subject to ${remedy.subject}`, VERBS.setInboundSubject, { site, subject: remedy.subject }, { style: 'positive' });
    case 'pin-ipsec-policy':
      return executeAction(`Apply IPsec/IKE policy (${formatIkeProposal(remedy.proposal)})`, VERBS.applyIpsecPolicy, { site, ...remedy.proposal }, { style: 'positive' });
    case 'update-inbound-chain':
      return {
        type: 'Action.ShowCard',
        title: 'Update inbound chain',
        card: {
          type: 'AdaptiveCard',
          body: [
            {
              type: 'TextBlock',
              wrap: true,
              text: `Paste the new root and intermediate CA certificates${remedy.issuer ? ` (the PKI of ${remedy.issuer})` : ''} as PEM, in any order. Public certificates only, never a private key. The change is planned, approved, then applied and watched.`,
            },
            { type: 'Input.Text', id: 'chain', isMultiline: true, maxLength: MAX_CHAIN_FORM_CHARS, placeholder: '-----BEGIN CERTIFICATE-----' },
          ],
          actions: [executeAction('Request the change', VERBS.updateInboundChain, { site }, { style: 'positive' })],
        },
      };
  }
}
