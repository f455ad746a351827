import type { IkeProposal } from './ike-proposal';

/**
 * What one IKE log line means, whichever side wrote it. The union is closed on purpose: diagnosis reasons over these
 * kinds, and a new log phrase must be mapped to one of them (or stay `other`), never leak through as free text.
 *
 * Proposals: `proposals-offered` are the logging side's own (Azure's `[SEND]` policies, charon's "configured
 * proposals"), `proposals-received` the peer's. Certificates: `certificate-received` is the peer's end-entity
 * certificate, `certificate-sent` the logging side's own.
 */
export const IKE_EVENT_KINDS = [
  'exchange',
  'auth-failed-notify-sent',
  'auth-failed-notify-received',
  'credentials-unacceptable',
  'signature-verify-failed',
  'policy-mismatch',
  'proposals-offered',
  'proposals-received',
  'proposal-selected',
  'traffic-selectors',
  'ts-unacceptable',
  'negotiation-timeout',
  'invalid-payload',
  'invalid-ke',
  'unsupported-ike-version',
  'dpd-timeout',
  'peer-not-responding',
  'retransmit',
  'sa-established',
  'sa-deleted',
  'child-sa-failed',
  'tunnel-closed',
  'psk-used',
  'psk-mismatch',
  'psk-missing',
  'auth-method-mismatch',
  'certificate-received',
  'certificate-sent',
  'certificate-trusted',
  'certificate-untrusted',
  'certificate-expired',
  'certificate-not-yet-valid',
  'certificate-outside-validity',
  'identity-mismatch',
  'no-peer-config',
  'outbound-certificate-unusable',
  'key-too-weak',
  'other',
] as const;

export type IkeEventKind = (typeof IKE_EVENT_KINDS)[number];

export type IkeDirection = 'SEND' | 'RECEIVED' | 'LOCAL';

export type IkeLogSource = 'azure' | 'device';

/** An inclusive IPv4/IPv6 address range from a traffic selector, with its CIDR form when it is one. */
export interface TrafficSelectorRange {
  start: string;
  end: string;
  /** e.g. `10.20.0.0/16`, when start..end is exactly one prefix. */
  cidr?: string;
  /** 0 = any; ports only when not the full 0-65535. */
  protocol?: number;
  portStart?: number;
  portEnd?: number;
}

/** Why Azure could not use its own (outbound) certificate; mirrors the simulator's TunnelOutcome reasons. */
export type OutboundCertificateProblem = 'key-vault-access' | 'eku' | 'key' | 'expired' | 'not-found' | 'chain';

export interface IkeEvent {
  source: IkeLogSource;
  kind: IkeEventKind;
  /** ISO-8601 UTC. Azure rows always have it; device lines only when their timestamp says the year and zone. */
  at?: string;
  /** Device lines: the timestamp exactly as written (e.g. `Nov 23 12:00:01`), when `at` cannot be derived. */
  stamp?: string;
  /** Device lines: 1-based line number in the pasted text (order of events when there is no time). */
  line?: number;
  /** Azure gateway instance (`GatewayTenantWorker_IN_0`/`_IN_1`). */
  instance?: string;
  level?: string;
  /** Azure `SESSION_ID`; charon: the IKE_SA unique id (`<conn|7>` -> `7`). */
  sessionId?: string;
  /** charon connection name (`<conn|7>` -> `conn`). */
  connection?: string;
  remoteIp?: string;
  localIp?: string;
  direction?: IkeDirection;
  /** The logging side's role in this IKE SA, when the log shows it (needed to read TSi/TSr as local/remote). */
  role?: 'initiator' | 'responder';
  /** Exchange and message markers, upper-case: SA_INIT, SA_AUTH, NOTIFY, IKE_AUTH, INFORMATIONAL, ... */
  tags: string[];
  /** Windows/IKEEXT (e.g. 13801) or CryptoAPI (e.g. 0x800B0109 as a number) error code. */
  errorCode?: number;
  /** The line's text after the transport prefix, sanitised and length-bounded. */
  text: string;

  // Kind-specific details (each set only by the kinds named).
  /** proposals-offered / proposals-received / proposal-selected. */
  proposals?: IkeProposal[];
  /** proposals-*: `ike` (IKE SA / main mode) or `ipsec` (CHILD_SA / quick mode). */
  phase?: 'ike' | 'ipsec';
  /** traffic-selectors, ts-unacceptable, sa-established (CHILD_SA): initiator and responder selectors. */
  tsi?: TrafficSelectorRange[];
  tsr?: TrafficSelectorRange[];
  /** sa-established / sa-deleted: which SA. */
  sa?: 'ike' | 'child';
  /** certificate-*: the certificate's subject and issuer DNs as logged. */
  subject?: string;
  issuer?: string;
  /** certificate-* validity window, ISO-8601. */
  validFrom?: string;
  validTo?: string;
  /** identity-mismatch / no-peer-config / psk-*: the identity required or configured, and the one seen. */
  expectedId?: string;
  peerId?: string;
  localId?: string;
  /** tunnel-closed: the status text (e.g. "Policy match error"). */
  status?: string;
  /** retransmit: attempt number. */
  attempt?: number;
  /** outbound-certificate-unusable. */
  problem?: OutboundCertificateProblem;
  /** key-too-weak: the peer's signature key the logging side refused (`RSA`, 1024). */
  keyType?: string;
  keyBits?: number;
  /** Notify name when the line is about one (AUTHENTICATION_FAILED, NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, ...). */
  notify?: string;
}

/** One TunnelDiagnosticLog row. */
export interface TunnelEvent {
  at: string;
  status: 'Connected' | 'Disconnected';
  reason?: string;
  remoteIp?: string;
  instance?: string;
}
