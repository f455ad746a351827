import { AZURE_DEFAULT_IKE_PROPOSALS, commonProposals, normalizeDhGroup, normalizeEncryption, normalizeIntegrity, type IkeProposal } from '../../../core/ike/ike-proposal';
import type { CertificateInfo } from '../../../core/pki/certificate-info';
import { CertificateCodes } from '../../../core/pki/certificate-violation';
import { checkOutboundCertificate } from '../../../core/pki/check-outbound-certificate';
import { parseCertificate } from '../../../core/pki/parse-certificate';
import { subjectMatches } from '../../../core/pki/subject-matches';
import { verifyChain } from '../../../core/pki/verify-chain';
import { isCoveredBy, sameAddressSet } from '../ip-prefix';
import type { SimLroError } from '../sim-lro';
import type { SimConnectionConfig, SimGateway, SimLocalNetworkGateway, SimResources, SimVirtualNetwork } from '../sim-resources';
import type { SimDevice } from './sim-device';
import type { IkeAttemptDetails, TunnelOutcome } from './tunnel-outcome';
import type { SimVaultAccess } from './vault-access';

export interface OutboundCertificateSource {
  readonly vault: SimVaultAccess;
  readonly resources: SimResources;
}

export type OutboundRead =
  | { readonly ok: true; readonly certificate: CertificateInfo; readonly chain: CertificateInfo[] }
  | { readonly ok: false; readonly error: SimLroError; readonly reason: 'key-vault-access' | 'eku' | 'key' | 'expired' | 'not-found' };

/**
 * Reads the connection's outbound certificate the way the gateway does: as its user-assigned identity, from the
 * vault named by the identifier, then applies Azure's outbound rules (RSA >= 2048 with private key, both EKUs,
 * valid now). Failures carry Azure's error codes.
 */
export function readOutboundCertificate(source: OutboundCertificateSource, config: SimConnectionConfig, gateway: SimGateway, at: Date): OutboundRead {
  const identifier = config.certificateAuthentication?.outboundAuthCertificate ?? '';
  const identityId = gateway.identity?.userAssignedIdentityIds[0];
  const identity = identityId ? source.resources.identities.get(identityId) : undefined;
  if (!identity) {
    return {
      ok: false,
      reason: 'key-vault-access',
      error: { code: 'VpnGatewayKeyVaultInaccessibleKeyvault', message: `Virtual network gateway ${gateway.name} has no user-assigned managed identity, so it cannot read the outbound certificate from Key Vault. Assign an identity that has get/list access to the vault's certificates and secrets.` },
    };
  }
  const read = source.vault.readCertificateAs(identity.principalId, identifier);
  if (!read.ok) {
    const reason = read.code === 'VpnGatewayKeyVaultSecretNotFound' ? 'not-found' : 'key-vault-access';
    return { ok: false, reason, error: { code: read.code, message: read.message ?? 'Key Vault refused the gateway identity\'s read of the outbound certificate.' } };
  }
  const errors = checkOutboundCertificate(read.certificate, at, { hasPrivateKey: read.hasPrivateKey }).filter((v) => v.severity === 'error');
  const first = errors[0];
  if (first) {
    const reason =
      first.code === CertificateCodes.OutboundExpired || first.code === CertificateCodes.OutboundNotYetValid
        ? 'expired'
        : first.code === CertificateCodes.OutboundClientAndServerAuth
          ? 'eku'
          : 'key';
    return { ok: false, reason, error: { code: first.code, message: first.message, ...(errors.length > 1 ? { details: errors.map((e) => ({ code: e.code, message: e.message })) } : {}) } };
  }
  return { ok: true, certificate: read.certificate, chain: read.chain };
}

export interface TunnelEvaluationInput {
  readonly source: OutboundCertificateSource;
  readonly config: SimConnectionConfig;
  readonly gateway: SimGateway;
  readonly site: SimLocalNetworkGateway;
  readonly vnet: SimVirtualNetwork | undefined;
  readonly device: SimDevice | undefined;
  readonly at: Date;
}

export interface TunnelEvaluation {
  readonly outcome: TunnelOutcome;
  /** What the gateway knew during the negotiation, for the IKE log's wording. */
  readonly details: IkeAttemptDetails;
  /** Device prefixes the site's address space lacks: their packets are dropped (TS mismatch) although the tunnel is up. */
  readonly unroutedDevicePrefixes: string[];
  /** When the outcome could next change by itself (a certificate involved becomes valid or expires). */
  readonly nextChangeAt?: Date;
}

const certificateCache = new Map<string, CertificateInfo | null>();

/**
 * Decides how an IKE negotiation between the gateway and the site's device ends, in the order IKEv2 meets the
 * problems: reachability, IKE_SA_INIT proposals, the gateway loading its own certificate, the gateway validating
 * the device (chain to the configured inbound chain, validity, subject), the device validating Azure's certificate,
 * then traffic selectors. Everything is checked on real certificates with real signatures.
 */
export async function evaluateTunnel(input: TunnelEvaluationInput): Promise<TunnelEvaluation> {
  const { config, gateway, site, vnet, device, at } = input;
  const boundaries: Date[] = [];
  const unrouted = device ? device.prefixes.filter((p) => !isCoveredBy(p, site.addressPrefixes)) : [];
  const inboundSubject = config.certificateAuthentication?.inboundAuthCertificateSubjectName;
  const outboundId = config.certificateAuthentication?.outboundAuthCertificate;
  const details: { -readonly [K in keyof IkeAttemptDetails]: IkeAttemptDetails[K] } = {
    ...(inboundSubject ? { inboundSubject } : {}),
    ...(outboundId ? { outboundCertificateId: outboundId } : {}),
    ...(device && device.authentication === 'certificate'
      ? { deviceCertificate: { subject: device.certificate.subject, issuer: device.certificate.issuer, notBefore: device.certificate.notBefore, notAfter: device.certificate.notAfter } }
      : {}),
  };
  const done = (outcome: TunnelOutcome): TunnelEvaluation => {
    const future = boundaries.filter((d) => d > at).sort((a, b) => a.getTime() - b.getTime())[0];
    return { outcome, details, unroutedDevicePrefixes: outcome.kind === 'connected' ? unrouted : [], ...(future ? { nextChangeAt: future } : {}) };
  };

  if (!device || !device.reachable) return done({ kind: 'peer-unreachable' });

  if (config.authenticationType === 'PSK' || device.authentication === 'psk') {
    const bothPsk = config.authenticationType === 'PSK' && device.authentication === 'psk';
    return done(bothPsk && config.sharedKey !== undefined && config.sharedKey === device.sharedKey ? { kind: 'connected' } : { kind: 'psk-one-side' });
  }

  const azureOffers = azureProposals(config);
  if (commonProposals(azureOffers, device.proposals).length === 0) {
    return done({ kind: 'proposal-mismatch', azureOffers, deviceAccepts: device.proposals.map((p) => ({ ...p })) });
  }

  const outbound = readOutboundCertificate(input.source, config, gateway, at);
  if (!outbound.ok) return done({ kind: 'outbound-unusable', reason: outbound.reason });
  details.gatewayCertificate = { subject: outbound.certificate.subject };
  boundaries.push(...validityEdges([outbound.certificate, ...outbound.chain]));

  const inboundChain = (config.certificateAuthentication?.inboundAuthCertificateChain ?? []).map(parseCached).filter((c): c is CertificateInfo => c !== null);
  boundaries.push(...validityEdges([device.certificate, ...device.chain, ...inboundChain, ...device.trustedRoots]));
  const inbound = await verifyChain(device.certificate, device.chain, inboundChain, at);
  if (!inbound.ok) {
    return done(
      inbound.reason === 'expired' ? { kind: 'inbound-expired' } : inbound.reason === 'not-yet-valid' ? { kind: 'inbound-not-yet-valid' } : { kind: 'inbound-untrusted' },
    );
  }
  if (!subjectMatches(device.certificate, config.certificateAuthentication?.inboundAuthCertificateSubjectName ?? '')) {
    return done({ kind: 'inbound-subject-mismatch' });
  }

  const peerView = await verifyChain(outbound.certificate, outbound.chain, device.trustedRoots, at);
  if (!peerView.ok) return done({ kind: 'outbound-rejected-by-peer' });

  if (config.usePolicyBasedTrafficSelectors && device.trafficSelectors) {
    const azureLocal = vnet?.addressPrefixes ?? [];
    if (!sameAddressSet(device.trafficSelectors.local, site.addressPrefixes) || !sameAddressSet(device.trafficSelectors.remote, azureLocal)) {
      return done({ kind: 'traffic-selector-mismatch', azurePrefixes: [...azureLocal], devicePrefixes: [...device.trafficSelectors.remote] });
    }
  }
  return done({ kind: 'connected' });
}

/** What the gateway offers in IKE_SA_INIT: the connection's custom IPsec/IKE policy, or Azure's default list. */
export function azureProposals(config: SimConnectionConfig): IkeProposal[] {
  const policy = config.ipsecPolicies[0];
  if (!policy) return AZURE_DEFAULT_IKE_PROPOSALS.map((p) => ({ ...p }));
  return [{ encryption: normalizeEncryption(policy.ikeEncryption), integrity: normalizeIntegrity(policy.ikeIntegrity), dhGroup: normalizeDhGroup(policy.dhGroup) }];
}

/** Parses a base64 DER certificate of the inbound chain once; null when it is not a certificate. */
export function parseCached(base64Der: string): CertificateInfo | null {
  const cached = certificateCache.get(base64Der);
  if (cached !== undefined) return cached;
  let parsed: CertificateInfo | null;
  try {
    parsed = parseCertificate(base64Der);
  } catch {
    parsed = null;
  }
  if (certificateCache.size > 10_000) certificateCache.clear();
  certificateCache.set(base64Der, parsed);
  return parsed;
}

function validityEdges(certs: readonly CertificateInfo[]): Date[] {
  // A certificate is valid through notAfter inclusive: it is expired from the next millisecond.
  return certs.flatMap((c) => [c.notBefore, new Date(c.notAfter.getTime() + 1)]);
}
