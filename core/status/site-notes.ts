import type { DiagnosisCause } from '../ike/diagnosis';
import { CertificateCodes } from '../pki/certificate-violation';
import type { SiteStatus, StatusWarning } from './site-status';

/** A button a note offers: a command line the bot runs for whoever presses it (roles are checked then). */
export interface NoteAction {
  readonly title: string;
  readonly command: string;
  /** The button is the outbound Rotate button (a change request) rather than a command run as typed. */
  readonly rotateOutbound?: { readonly drift: boolean };
}

/**
 * One of a site's open warnings, shown with a diagnosis so it is not missed when the tunnel itself is fine (or down
 * for another reason): what is wrong, what fixes it, and the buttons that help with that.
 */
export interface SiteNote {
  readonly code: string;
  readonly severity: StatusWarning['severity'];
  readonly text: string;
  readonly fix?: string;
  readonly actions: readonly NoteAction[];
}

/** Notes a diagnosis shows at most (the status card has them all). */
export const MAX_SITE_NOTES = 4;

/**
 * Warnings the diagnosis already explains, by cause: repeating them as notes would say the headline twice. A tunnel
 * that is down is what every diagnosis is about.
 */
const EXPLAINED_BY: Partial<Record<DiagnosisCause, readonly string[]>> = {
  'certificate-expired': [CertificateCodes.OutboundExpired, CertificateCodes.InboundCertificateExpired, CertificateCodes.InboundRootExpired],
  'certificate-not-yet-valid': [CertificateCodes.OutboundNotYetValid, CertificateCodes.InboundNotYetValid],
  'outbound-unusable': [
    'OutboundCertificateUnreadable',
    'OutboundAuthCertificateIsEmpty',
    CertificateCodes.OutboundExpired,
    CertificateCodes.OutboundNotYetValid,
    CertificateCodes.OutboundNoRsaPrivateKey,
    CertificateCodes.OutboundRsaKeyLength,
    CertificateCodes.OutboundClientAndServerAuth,
    CertificateCodes.OutboundSubjectEmpty,
  ],
  'inbound-untrusted': [
    CertificateCodes.InboundChainEmpty,
    CertificateCodes.InboundNoRoot,
    CertificateCodes.InboundNotSingleChain,
    CertificateCodes.InboundNotCa,
    CertificateCodes.InboundRootExpired,
    CertificateCodes.InboundCertificateExpired,
    CertificateCodes.InvalidCertificate,
  ],
  'subject-mismatch': [CertificateCodes.InboundSubjectNameEmpty],
  'psk-one-side': ['CertificateAuthNotUsed'],
};

/** How to fix a warning (in words and buttons), by warning code; anything else offers the status card. */
const FIXES: Partial<Record<string, (status: SiteStatus) => { readonly fix?: string; readonly actions: readonly NoteAction[] }>> = {
  [CertificateCodes.OutboundExpiresSoon]: rotateOutbound,
  [CertificateCodes.OutboundExpired]: rotateOutbound,
  OutboundNotLatestVersion: (s) => ({
    fix: `If the newer version is meant for ${s.site}, rotate to it: check that the device trusts its issuer, then point ${s.connectionName} at it (Rotate to newest version does both, with approval).`,
    actions: [rotateAction(s, true), statusAction(s)],
  }),
  [CertificateCodes.InboundExpiresSoon]: renewInbound,
  [CertificateCodes.InboundCertificateExpired]: renewInbound,
  [CertificateCodes.InboundRootExpired]: renewInbound,
};

/** The buttons for the outbound certificate: its status card today; a rotate command is one more entry here. */
function outboundActions(s: SiteStatus): NoteAction[] {
  return [statusAction(s)];
}

function rotateOutbound(s: SiteStatus): { fix: string; actions: NoteAction[] } {
  const where = s.outbound ? `${s.outbound.certificateName} in Key Vault ${s.outbound.vaultName}` : 'the outbound certificate in Key Vault';
  return {
    fix: `To rotate: Rotate (or rotate ${s.site} outbound) adds a new version of ${where} and points ${s.connectionName} at it, with approval; it is verified, and rolled back if the tunnels do not come back. Both tunnels renegotiate when it changes.`,
    actions: [rotateAction(s, false), ...outboundActions(s)],
  };
}

function rotateAction(s: SiteStatus, drift: boolean): NoteAction {
  return { title: drift ? 'Rotate to newest version' : 'Rotate', command: `rotate ${s.site} outbound${drift ? ' --source vault' : ''}`, rotateOutbound: { drift } };
}

function renewInbound(s: SiteStatus): { fix: string; actions: NoteAction[] } {
  return {
    fix: `Get the renewed CA certificate from whoever runs the device's PKI and add it to ${s.connectionName}'s inbound chain before the old one expires.`,
    actions: [statusAction(s)],
  };
}

function statusAction(s: SiteStatus): NoteAction {
  return { title: 'Status', command: `status ${s.site}` };
}

/**
 * The site's open warnings that a diagnosis with this cause does not already explain, as notes with their fix.
 * E.g. a healthy site-paris whose outbound certificate expires in 10 days: one note, how to rotate, a Status button.
 */
export function siteNotesFor(status: SiteStatus, cause: DiagnosisCause | undefined): SiteNote[] {
  const explained = new Set(['TunnelDown', ...((cause && EXPLAINED_BY[cause]) ?? [])]);
  return status.warnings
    .filter((w) => !explained.has(w.code))
    .slice(0, MAX_SITE_NOTES)
    .map((w) => {
      const how = FIXES[w.code]?.(status) ?? { actions: [statusAction(status)] };
      return { code: w.code, severity: w.severity, text: w.text, ...(how.fix ? { fix: how.fix } : {}), actions: how.actions };
    });
}
