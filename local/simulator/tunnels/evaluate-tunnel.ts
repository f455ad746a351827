import { strictBase64, type AzureRuleResult } from '../azure-rules/inbound-chain';
import { checkOutboundCertificate, type UsableOutboundCertificate } from '../azure-rules/outbound-certificate';
import { inboundSubjectMatches, validatePeerCertificate } from '../azure-rules/peer-certificates';
import { azureDefaultIkeProposals, policyProposal, shareAProposal, type SimIkeProposal } from '../ike/ike-proposals';
import { isCoveredBy, sameAddressSet } from '../ip-prefix';
import type { SimConnectionConfig, SimGateway, SimLocalNetworkGateway, SimResources, SimVirtualNetwork } from '../sim-resources';
import { tryParseSimCertificate, type SimCertificate } from '../x509/sim-certificate';
import type { SimDevice } from './sim-device';
import type { IkeAttemptDetails, TunnelOutcome } from './tunnel-outcome';
import type { SimVaultAccess } from './vault-access';

export interface OutboundCertificateSource {
  readonly vault: SimVaultAccess;
  readonly resources: SimResources;
}

/**
 * Reads the connection's outbound certificate the way the gateway does: as its user-assigned identity, from the
 * vault the identifier names, at the version it names; then applies Azure's outbound rules. Failures carry the codes
 * of Microsoft's troubleshooting page.
 */
export function readOutboundCertificate(source: OutboundCertificateSource, config: SimConnectionConfig, gateway: SimGateway, at: Date): AzureRuleResult<UsableOutboundCertificate> {
  const identifier = config.certificateAuthentication?.outboundAuthCertificate ?? '';
  const identityId = gateway.identity?.userAssignedIdentityIds[0];
  const identity = identityId ? source.resources.identities.get(identityId) : undefined;
  if (!identity) {
    return { ok: false, code: 'ManagedIdentityMissingAtGatewayLevel', message: `The connection reads its outbound certificate from Key Vault, but virtual network gateway ${gateway.name} has no user-assigned managed identity.` };
  }
  return checkOutboundCertificate(source.vault.readAsGateway(identity.principalId, identifier, at), at);
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

/**
 * Decides how an IKE negotiation between the gateway and the site's device ends, in the order IKEv2 meets the
 * problems: reachability, IKE_SA_INIT proposals, the gateway loading its own certificate, the gateway validating
 * the device (a path to the configured inbound chain, validity, subject), the device validating Azure's certificate,
 * then traffic selectors. Everything is checked on real certificates with real signatures.
 */
export function evaluateTunnel(input: TunnelEvaluationInput): TunnelEvaluation {
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
  if (!shareAProposal(azureOffers, device.proposals)) {
    return done({ kind: 'proposal-mismatch', azureOffers: [...azureOffers], deviceAccepts: device.proposals.map((p) => ({ ...p })) });
  }

  const outbound = readOutboundCertificate(input.source, config, gateway, at);
  if (!outbound.ok) return done({ kind: 'outbound-unusable', code: outbound.code });
  details.gatewayCertificate = { subject: outbound.value.certificate.subject };
  boundaries.push(...validityEdges([outbound.value.certificate, ...outbound.value.chain]));

  const inboundChain = inboundChainOf(config);
  boundaries.push(...validityEdges([device.certificate, ...device.chain, ...inboundChain, ...device.trustedRoots]));
  const inbound = validatePeerCertificate(device.certificate, device.chain, inboundChain, at);
  if (inbound !== 'trusted') return done({ kind: inbound === 'expired' ? 'inbound-expired' : inbound === 'not-yet-valid' ? 'inbound-not-yet-valid' : 'inbound-untrusted' });
  if (!inboundSubjectMatches(device.certificate, inboundSubject ?? '')) return done({ kind: 'inbound-subject-mismatch' });

  if (validatePeerCertificate(outbound.value.certificate, outbound.value.chain, device.trustedRoots, at) !== 'trusted') return done({ kind: 'outbound-rejected-by-peer' });

  if (config.usePolicyBasedTrafficSelectors && device.trafficSelectors) {
    const azureLocal = vnet?.addressPrefixes ?? [];
    if (!sameAddressSet(device.trafficSelectors.local, site.addressPrefixes) || !sameAddressSet(device.trafficSelectors.remote, azureLocal)) {
      return done({ kind: 'traffic-selector-mismatch', azurePrefixes: [...azureLocal], devicePrefixes: [...device.trafficSelectors.remote] });
    }
  }
  return done({ kind: 'connected' });
}

/** What the gateway offers in IKE_SA_INIT: the connection's custom IPsec/IKE policy, or Azure's default list. */
export function azureProposals(config: SimConnectionConfig): readonly SimIkeProposal[] {
  const policy = config.ipsecPolicies[0];
  return policy ? [policyProposal(policy)] : azureDefaultIkeProposals;
}

/** The configured inbound chain (validated when it was PUT). */
function inboundChainOf(config: SimConnectionConfig): SimCertificate[] {
  return (config.certificateAuthentication?.inboundAuthCertificateChain ?? []).flatMap((entry) => {
    const der = strictBase64(entry);
    const cert = der ? tryParseSimCertificate(der) : undefined;
    return cert ? [cert] : [];
  });
}

function validityEdges(certs: readonly SimCertificate[]): Date[] {
  // A certificate is valid through notAfter inclusive: it is expired from the next millisecond.
  return certs.flatMap((c) => [c.notBefore, new Date(c.notAfter.getTime() + 1)]);
}
