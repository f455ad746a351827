import type { IkeEvent, TunnelEvent } from './ike-event';
import type { IkeProposal } from './ike-proposal';

/** Why a tunnel is down (or that it is not). Closed: cards and audit records switch over it. */
export const DIAGNOSIS_CAUSES = [
  'healthy',
  'inbound-untrusted',
  'subject-mismatch',
  'certificate-expired',
  'certificate-not-yet-valid',
  'outbound-unusable',
  'outbound-rejected-by-device',
  'proposal-mismatch',
  'traffic-selector-mismatch',
  'peer-not-responding',
  'psk-one-side',
  'unknown',
] as const;

export type DiagnosisCause = (typeof DIAGNOSIS_CAUSES)[number];

/** Each cause in a few words, as cards and job lists name it. */
export const DIAGNOSIS_TITLES: Readonly<Record<DiagnosisCause, string>> = {
  healthy: 'Healthy',
  'inbound-untrusted': "Azure doesn't trust the device's certificate",
  'subject-mismatch': 'Certificate subject mismatch',
  'certificate-expired': 'A certificate has expired',
  'certificate-not-yet-valid': 'A certificate is not valid yet',
  'outbound-unusable': "Azure can't use its outbound certificate",
  'outbound-rejected-by-device': "The device doesn't trust Azure's certificate",
  'proposal-mismatch': 'IKE proposal mismatch',
  'traffic-selector-mismatch': 'Traffic selector mismatch',
  'peer-not-responding': 'The device is not responding',
  'psk-one-side': 'Pre-shared key on one side only',
  unknown: 'No known cause found',
};

export type DiagnosisConfidence = 'high' | 'medium' | 'low';

/** One quoted log line (or metric/config fact) that supports a diagnosis. Trimmed; never a whole log. */
export interface DiagnosisEvidence {
  source: 'azure' | 'device';
  /** ISO time, or the device's timestamp as written. */
  time?: string;
  /** Device line number when the device log had no usable time. */
  line?: number;
  instance?: string;
  text: string;
}

/**
 * A change the bot can make that fixes the cause, offered as a button on the diagnosis card (the press asks for it
 * through the change pipeline, which checks it again): the inbound subject the device's certificate has, a new
 * inbound chain (the person pastes it), or a custom IPsec/IKE policy pinning the device's strongest strong proposal.
 */
export type DiagnosisRemedy =
  | { readonly kind: 'set-inbound-subject'; readonly subject: string }
  | { readonly kind: 'update-inbound-chain'; readonly issuer?: string }
  | { readonly kind: 'pin-ipsec-policy'; readonly proposal: IkeProposal };

export interface Diagnosis {
  cause: DiagnosisCause;
  /** One plain sentence a network engineer would say. */
  headline: string;
  confidence: DiagnosisConfidence;
  /** Which side refused the other, when one did. */
  rejectedBy?: 'azure' | 'device';
  /** At most MAX_EVIDENCE lines, the deciding one first. */
  evidence: DiagnosisEvidence[];
  /** What to do, most useful first; at most MAX_ACTIONS. */
  actions: string[];
  /** The change the bot can make for it, when there is one. */
  remedy?: DiagnosisRemedy;
  /** Only for `unknown`: the latest events from both sides, so a person can read on. */
  latestEvents?: DiagnosisEvidence[];
  /**
   * What the headline does not say but a person must not miss: a device log that disagrees with Azure, a device log
   * that seems to belong to another peer, the other side's finding when both logs point to different causes.
   * At most MAX_NOTES.
   */
  notes?: DiagnosisNote[];
}

/** A secondary finding, worded for the card, with the few lines that show it. */
export interface DiagnosisNote {
  text: string;
  /** At most MAX_NOTE_EVIDENCE lines. */
  evidence: DiagnosisEvidence[];
}

/** Tunnel metrics over the diagnosed period (sums of the gateway metrics for this connection). */
export interface TunnelMetricsSummary {
  ingressBytes?: number;
  egressBytes?: number;
  ingressPacketDropCount?: number;
  egressPacketDropCount?: number;
  ingressPacketDropTSMismatch?: number;
  egressPacketDropTSMismatch?: number;
}

/** What the connection's configuration says (from the network adapter); every field optional. */
export interface ConnectionFacts {
  /** connectionStatus: Unknown | Connecting | Connected | NotConnected. */
  status?: string;
  tunnels?: { name?: string; status?: string; ingressBytes?: number; egressBytes?: number }[];
  /** `Certificate` or `PSK`. */
  authenticationType?: string;
  /** inboundAuthCertificateSubjectName, as configured (with or without `CN=`). */
  inboundSubject?: string;
  /** Subjects of the certificates in inboundAuthCertificateChain, root first. */
  inboundChainSubjects?: string[];
  outboundCertificateSubject?: string;
  outboundCertificateIssuer?: string;
  /** The device's public IP (local network gateway). */
  deviceIp?: string;
  /**
   * The gateway's public IPs (every instance; from the gateway and its tunnels): the addresses a device log of this
   * connection must name as its peer.
   */
  gatewayIps?: string[];
  /** Local network gateway address prefixes (the on-premises side). */
  localNetworkPrefixes?: string[];
  /** The virtual network's address prefixes (the Azure side). */
  vnetPrefixes?: string[];
  /** A custom IPsec/IKE policy on the connection, when one is set (replaces Azure's defaults). */
  ikePolicies?: IkeProposal[];
}

export interface DiagnoseInput {
  /** Parsed IKEDiagnosticLog rows (any order). */
  azure: IkeEvent[];
  /** Parsed TunnelDiagnosticLog rows (any order). */
  tunnels: TunnelEvent[];
  /** Parsed device (charon) log, when the user pasted one. */
  device?: IkeEvent[];
  metrics?: TunnelMetricsSummary;
  connection?: ConnectionFacts;
  now: Date | string;
}

export const MAX_EVIDENCE = 5;
export const MAX_ACTIONS = 4;
export const MAX_LATEST_EVENTS = 8;
export const MAX_EVIDENCE_TEXT = 240;
export const MAX_HEADLINE = 300;
export const MAX_ACTION_TEXT = 400;
export const MAX_NOTES = 3;
export const MAX_NOTE_TEXT = 400;
export const MAX_NOTE_EVIDENCE = 2;
