import { azureDefaultIkeProposals, logPolicy, logTrafficSelectors, type SimIkeProposal } from './ike-proposals';

/**
 * How one IKE negotiation between an Azure gateway instance and the device ends. For `traffic-selector-mismatch`,
 * `azurePrefixes` are the virtual network prefixes Azure protects and `devicePrefixes` what the device proposes for
 * the Azure side (TSr).
 */
export type TunnelOutcome =
  | { kind: 'connected' }
  | { kind: 'inbound-untrusted' }
  | { kind: 'inbound-subject-mismatch' }
  | { kind: 'inbound-expired' }
  | { kind: 'inbound-not-yet-valid' }
  | { kind: 'outbound-rejected-by-peer' }
  | { kind: 'outbound-unusable'; code: string }
  | { kind: 'proposal-mismatch'; azureOffers: SimIkeProposal[]; deviceAccepts: SimIkeProposal[] }
  | { kind: 'traffic-selector-mismatch'; azurePrefixes: string[]; devicePrefixes: string[] }
  | { kind: 'peer-unreachable' }
  | { kind: 'psk-one-side' };

export interface IkeAttemptContext {
  remoteIp: string;
  localIp: string;
  instance: 'GatewayTenantWorker_IN_0' | 'GatewayTenantWorker_IN_1';
  at: Date;
  newGuid: () => string;
}

/**
 * Optional facts that make the messages name certificates the way the gateway's own log does. Only what Azure itself
 * knows: the certificate the device presented to it, its configured inbound subject, its own outbound certificate.
 */
export interface IkeAttemptDetails {
  deviceCertificate?: { subject: string; issuer?: string; notBefore?: Date; notAfter?: Date };
  gatewayCertificate?: { subject: string };
  inboundSubject?: string;
  outboundCertificateId?: string;
}

export interface IkeAttemptLog {
  ike: { at: Date; level: string; message: string }[];
  tunnel: { at: Date; status: 'Connected' | 'Disconnected'; reason: string }[];
}

const INFO = 'Informational';
const WARNING = 'Warning';
const ERROR = 'Error';

const AUTH_FAIL = 'IKE authentication credentials are unacceptable';
const POLICY_MATCH = 'Policy match error';
const TIMED_OUT = 'Negotiation timed out';
const NO_CERT = 'IKE failed to find valid machine certificate. Contact your Network Security Administrator about installing a valid certificate in the appropriate Certificate Store.';
const CERT_E_UNTRUSTEDROOT = 'A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.';
const CERT_E_EXPIRED = 'A required certificate is not within its validity period when verifying against the current system clock or the timestamp in the signed file.';
const ANY = ['0.0.0.0/0'];

// Why Azure could not use its own certificate, in words, for each code the Network RP reports for the same condition.
// Modelled text: Microsoft shows no verbatim line for this (see test/fixtures/ike/README.md).
const OUTBOUND_REASONS: Readonly<Record<string, string>> = {
  ManagedIdentityMissingAtGatewayLevel: 'the gateway has no user-assigned managed identity, so it has no access to Key Vault',
  VpnGatewayKeyVaultInaccessibleKeyvault: "the gateway's managed identity was denied access to the Key Vault certificate",
  VpnGatewayKeyVaultSecretNotFound: 'the certificate was not found in Key Vault',
  VpnGatewayKeyVaultNameResolutionFailure: 'the Key Vault in the identifier was not found (its host name does not resolve)',
  VpnGatewayKeyVaultCertIsEmpty: 'the certificate version in Key Vault holds no certificate yet',
  VpnGatewayKeyVaultSecretIsEmpty: 'the secret in Key Vault is empty',
  VpnGatewayKeyVaultSecretException: 'the secret in Key Vault could not be read as a certificate',
  VpnConnectionOutBoundAuthenticationCertificateDoesNotHaveRSAPrivateKey: 'the certificate has no RSA private key (it is not RSA, or the key is not exportable)',
  VpnConnectionOutBoundAuthenticationCertificateRSAPrivateKeyLength: "the certificate's RSA key is shorter than 2048 bits",
  VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth: 'the certificate does not have both the Server Authentication and Client Authentication extended key usages',
  VpnConnectionOutBoundAuthenticationCertificateIsExpired: 'the certificate has expired',
  VpnConnectionOutBoundAuthenticationCertificateChainFault: "the certificate's chain in Key Vault is incomplete: it lacks the issuers up to the root",
  VpnConnectionOutBoundAuthenticationCertificateChainDoesNotHaveRootCert: "the certificate's chain in Key Vault is incomplete: it does not reach a root certificate",
  VpnConnectionOutBoundAuthenticationCertificateChainCreationIssue: "the certificate's chain in Key Vault could not be built: an issuer's key does not verify the certificate",
};

/** One IKE session's lines: a shared SESSION_ID/endpoint prefix and a clock that moves a little per message. */
class Session {
  private readonly prefix: string;
  constructor(
    private readonly out: IkeAttemptLog['ike'],
    private readonly clock: { t: number },
    readonly guid: string,
    ctx: IkeAttemptContext,
  ) {
    this.prefix = `SESSION_ID :{${guid}} Remote ${ctx.remoteIp}:500: Local ${ctx.localIp}:500: `;
  }
  line(text: string, level = INFO, stepMs = 4): void {
    this.clock.t += stepMs;
    this.out.push({ at: new Date(this.clock.t), level, message: `${this.prefix}${text}` });
  }
  /** Windows' cleanup call has no session prefix in the log. */
  bare(text: string, level = INFO): void {
    this.clock.t += 1;
    this.out.push({ at: new Date(this.clock.t), level, message: text });
  }
}

function tsid(guid: string): string {
  const hex = guid.replace(/[^0-9a-f]/gi, '').slice(0, 3) || '1';
  return `0x${hex.toUpperCase()}`;
}

const quoted = (label: string, value: string | undefined): string => (value ? ` ${label} "${value}"` : '');

function policies(proposals: readonly SimIkeProposal[]): string {
  return proposals.map((p, i) => `Policy${i + 1}: ${logPolicy(p)}`).join(' ');
}

/**
 * Writes the IKE (IKEDiagnosticLog) and tunnel (TunnelDiagnosticLog) messages of one negotiation in Azure's format,
 * for the simulator. The sequences follow IKEv2 (SA_INIT, SA_AUTH, CHILD_SA) with Azure's wording, notify names and
 * Windows error codes; for a rejection by the device Azure only sees the device's AUTHENTICATION_FAILED notify, so no
 * reason is invented for it. Deterministic for a given context (no clock, no randomness).
 */
export function writeIkeAttempt(outcome: TunnelOutcome, ctx: IkeAttemptContext, details: IkeAttemptDetails = {}): IkeAttemptLog {
  const ike: IkeAttemptLog['ike'] = [];
  const tunnel: IkeAttemptLog['tunnel'] = [];
  const clock = { t: ctx.at.getTime() };
  const session = (): Session => new Session(ike, clock, ctx.newGuid(), ctx);
  const device = details.deviceCertificate;

  const azureInitiatesSaInit = (s: Session, offers: readonly SimIkeProposal[] = azureDefaultIkeProposals): void => {
    s.line('[SEND][SA_INIT] Sending IKE SA_INIT message', INFO, 0);
    s.line(`[SEND][SA_INIT] Proposed IKE policies: ${policies(offers)}`);
  };
  const saInitAnswered = (s: Session, selected: SimIkeProposal = azureDefaultIkeProposals[1]!): void => {
    s.line('[RECEIVED][SA_INIT] Received IKE SA_INIT message', INFO, 38);
    s.line(`[RECEIVED][SA_INIT] Selected IKE policy Policy1: ${logPolicy(selected)}`);
  };
  const azureAuthenticates = (s: Session): void => {
    s.line('[SEND][SA_AUTH] Sending IKE AUTH message', INFO, 6);
    s.line(`[SEND][SA_AUTH] Sending certificate${quoted('subject', details.gatewayCertificate?.subject)}`);
  };
  const peerAuthArrives = (s: Session): void => {
    s.line('[RECEIVED][SA_AUTH] Received IKE AUTH message', INFO, 41);
    s.line(`[RECEIVED][SA_AUTH] Received peer certificate${quoted('subject', device?.subject)}${quoted('issuer', device?.issuer)}`);
  };
  const closed = (s: Session, code: number, status: string, phase: 'MM' | 'QM' = 'MM'): void => {
    s.bare(`IkeCleanup${phase}Negotiation called with error ${code} and flags a`, ERROR);
    s.line(`[LOCAL] IKE Tunnel closed for remote ${ctx.remoteIp} with status ${status}`, ERROR, 2);
    tunnel.push({ at: new Date(clock.t), status: 'Disconnected', reason: status });
  };
  const azureRejectsDevice = (s: Session, reasonLine: string): void => {
    s.line(reasonLine, ERROR, 3);
    s.line(`[LOCAL] [IkeEvent] SA_NEGOTIATION_FAILED [ErrorCode] 0x35E9 [ErrorMessage] ${AUTH_FAIL}`, ERROR, 1);
    s.line('[SEND][NOTIFY] Sending Notify Message - Authentication failed', ERROR, 1);
    closed(s, 13801, AUTH_FAIL);
  };
  const validity = (): string => {
    if (!device?.notBefore && !device?.notAfter) return '';
    const parts = [device.notBefore ? `NotBefore ${device.notBefore.toISOString()}` : '', device.notAfter ? `NotAfter ${device.notAfter.toISOString()}` : ''].filter(Boolean);
    return ` (${parts.join(' ')})`;
  };

  switch (outcome.kind) {
    case 'connected': {
      const s = session();
      azureInitiatesSaInit(s);
      saInitAnswered(s);
      azureAuthenticates(s);
      peerAuthArrives(s);
      s.line('[LOCAL][SA_AUTH] Peer certificate chain validated', INFO, 3);
      s.line(`[LOCAL][SA_AUTH] IKE SA established with policy ${logPolicy(azureDefaultIkeProposals[1]!)}`);
      s.line(`[SEND] Proposed Traffic Selector payload will be (Final Negotiated) - [Tsid ${tsid(s.guid)}  ]Number of TSIs 1: ${logTrafficSelectors(ANY)} Number of TSRs 1:${logTrafficSelectors(ANY)}`);
      s.line('[LOCAL][CHILD_SA] Child SA established', INFO, 5);
      tunnel.push({ at: new Date(clock.t), status: 'Connected', reason: 'IKE and IPsec security associations established' });
      break;
    }
    case 'inbound-untrusted': {
      const s = session();
      azureInitiatesSaInit(s);
      saInitAnswered(s);
      azureAuthenticates(s);
      peerAuthArrives(s);
      azureRejectsDevice(s, `[LOCAL][SA_AUTH] Peer certificate chain validation failed${quoted('for subject', device?.subject)}${quoted('issuer', device?.issuer)}: [ErrorCode] 0x800B0109 [ErrorMessage] ${CERT_E_UNTRUSTEDROOT}`);
      break;
    }
    case 'inbound-subject-mismatch': {
      const s = session();
      azureInitiatesSaInit(s);
      saInitAnswered(s);
      azureAuthenticates(s);
      peerAuthArrives(s);
      azureRejectsDevice(
        s,
        `[LOCAL][SA_AUTH] Peer certificate${quoted('subject', device?.subject)} does not match the configured inbound certificate subject name${details.inboundSubject ? ` "${details.inboundSubject}"` : ''}`,
      );
      break;
    }
    case 'inbound-expired':
    case 'inbound-not-yet-valid': {
      const s = session();
      azureInitiatesSaInit(s);
      saInitAnswered(s);
      azureAuthenticates(s);
      peerAuthArrives(s);
      const state = outcome.kind === 'inbound-expired' ? 'has expired' : 'is not yet valid';
      azureRejectsDevice(s, `[LOCAL][SA_AUTH] Peer certificate${quoted('subject', device?.subject)} ${state}${validity()}: [ErrorCode] 0x800B0101 [ErrorMessage] ${CERT_E_EXPIRED}`);
      break;
    }
    case 'outbound-rejected-by-peer': {
      // Azure only learns that the device refused it; the device's own log says why.
      const s = session();
      azureInitiatesSaInit(s);
      saInitAnswered(s);
      azureAuthenticates(s);
      s.line('[RECEIVED][SA_AUTH] Received IKE AUTH message', INFO, 44);
      s.line('[RECEIVED][NOTIFY] Received Notify Message - Authentication failed', ERROR, 1);
      closed(s, 13801, AUTH_FAIL);
      break;
    }
    case 'outbound-unusable': {
      const s = session();
      azureInitiatesSaInit(s);
      saInitAnswered(s);
      const id = details.outboundCertificateId ? ` ${details.outboundCertificateId}` : '';
      s.line(`[LOCAL][SA_AUTH] Outbound authentication certificate${id} could not be used: ${OUTBOUND_REASONS[outcome.code] ?? 'Key Vault refused it'} (${outcome.code})`, ERROR, 9);
      s.line(`[LOCAL] [IkeEvent] SA_NEGOTIATION_FAILED [ErrorCode] 0x35EE [ErrorMessage] ${NO_CERT}`, ERROR, 1);
      closed(s, 13806, NO_CERT);
      break;
    }
    case 'proposal-mismatch': {
      // The gateway initiates with its policies and the device refuses them; the device's own attempt fails too.
      const a = session();
      azureInitiatesSaInit(a, outcome.azureOffers.length > 0 ? outcome.azureOffers : azureDefaultIkeProposals);
      a.line('[RECEIVED][SA_INIT] Received IKE SA_INIT message', INFO, 35);
      a.line('[RECEIVED][NOTIFY] Received Notify Message - No Proposal Chosen', ERROR, 1);
      closed(a, 13868, POLICY_MATCH);
      const b = session();
      b.line('[RECEIVED][SA_INIT] Received IKE SA_INIT message', INFO, 250);
      b.line(`[RECEIVED][SA_INIT] Received IKE payload: ${policies(outcome.deviceAccepts)}`);
      b.line(`[LOCAL] [IkeEvent] SA_NEGOTIATION_FAILED [ErrorCode] 0x362C [ErrorMessage] ${POLICY_MATCH}`, ERROR, 2);
      b.line('[SEND][NOTIFY] Sending Notify Message - Policy Mismatch', ERROR, 1);
      closed(b, 13868, POLICY_MATCH);
      break;
    }
    case 'traffic-selector-mismatch': {
      // IKE authenticates; the device's CHILD_SA request names prefixes for the Azure side that Azure does not have.
      const s = session();
      s.line('[RECEIVED][SA_INIT] Received IKE SA_INIT message', INFO, 0);
      s.line(`[RECEIVED][SA_INIT] Selected IKE policy Policy1: ${logPolicy(azureDefaultIkeProposals[1]!)}`);
      s.line('[SEND][SA_INIT] Sending IKE SA_INIT message');
      peerAuthArrives(s);
      s.line('[LOCAL][SA_AUTH] Peer certificate chain validated', INFO, 3);
      azureAuthenticates(s);
      s.line(`[LOCAL][SA_AUTH] IKE SA established with policy ${logPolicy(azureDefaultIkeProposals[1]!)}`);
      const id = tsid(s.guid);
      s.line(
        `Received Traffic Selector payload request- [Tsid ${id}  ]Number of TSIs 1: ${logTrafficSelectors(ANY)} Number of TSRs ${outcome.devicePrefixes.length}:${logTrafficSelectors(outcome.devicePrefixes)}`,
        INFO,
        5,
      );
      s.line(`[LOCAL] Traffic selectors TSr ${outcome.devicePrefixes.join(', ')} are not within the virtual network address space ${outcome.azurePrefixes.join(', ')}`, ERROR, 1);
      s.line('[SEND][NOTIFY] Sending Notify Message - TS_UNACCEPTABLE', ERROR, 1);
      s.line(`[LOCAL] [IkeEvent] SA_NEGOTIATION_FAILED [ErrorCode] 0x35ED [ErrorMessage] ${TIMED_OUT}`, ERROR, 1);
      closed(s, 13805, TIMED_OUT, 'QM');
      break;
    }
    case 'peer-unreachable': {
      const s = session();
      azureInitiatesSaInit(s);
      let wait = 1000;
      for (let attempt = 2; attempt <= 6; attempt++) {
        s.line(`[SEND][SA_INIT] Retransmitting IKE SA_INIT message (attempt ${attempt})`, WARNING, wait);
        wait *= 2;
      }
      s.line(`[LOCAL] [IkeEvent] SA_NEGOTIATION_FAILED [ErrorCode] 0x35ED [ErrorMessage] ${TIMED_OUT}`, ERROR, wait);
      closed(s, 13805, TIMED_OUT);
      break;
    }
    case 'psk-one-side': {
      // The device initiates and authenticates with a pre-shared key; the connection only accepts certificates.
      const s = session();
      s.line('[RECEIVED][SA_INIT] Received IKE SA_INIT message', INFO, 0);
      s.line(`[RECEIVED][SA_INIT] Selected IKE policy Policy1: ${logPolicy(azureDefaultIkeProposals[1]!)}`);
      s.line('[SEND][SA_INIT] Sending IKE SA_INIT message');
      s.line('[RECEIVED][SA_AUTH] Received IKE AUTH message', INFO, 40);
      azureRejectsDevice(s, '[RECEIVED][SA_AUTH] Peer authenticated with a pre-shared key, but the connection requires certificate authentication');
      break;
    }
  }
  return { ike, tunnel };
}
