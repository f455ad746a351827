import { toStrongswanProposal } from '../../core/ike/strongswan-proposal';
import { toPem } from '../../core/pki/certificate-info';
import type { EstateDevice } from '../estate/estate';
import { AZURE_DEFAULT_ESP_PROPOSALS, firstHost } from './azure-side';
import type { StructuredPeer } from './peer-config';

export interface DeviceSideOptions {
  /** The Azure gateway's public IP the device talks to. */
  readonly gatewayAddress: string;
  /** Azure's side of the tunnel (the VNet's prefixes): the device's remote traffic selector. */
  readonly azurePrefixes: readonly string[];
  /** Selectors the device insists on, when not its prefixes to Azure's (a policy-based device configured otherwise). */
  readonly trafficSelectors?: { readonly local: readonly string[]; readonly remote: readonly string[] };
  /** `rsa-2048` makes the device refuse an RSA key under 2048 bits (strongSwan accepts any size by default). */
  readonly remoteAuth?: string;
}

/**
 * An estate's on-premises device as a charon, the way the simulator models it: its certificate and private key,
 * the issuers it holds (it sends the intermediates), the roots it trusts for Azure's certificate (any identity
 * issued under them: the simulator's device checks trust, not a name), its IKE proposals, Azure's default IPsec
 * proposals, and its prefixes to Azure's. It listens on its public IP.
 */
export function deviceSideFromEstate(device: EstateDevice, options: DeviceSideOptions): StructuredPeer {
  if (!device.privateKeyPem) throw new Error(`The device at ${device.publicIp} has no private key in the estate: it cannot run as a real peer.`);
  const local = options.trafficSelectors?.local ?? device.prefixes;
  return {
    kind: 'structured',
    role: 'device',
    host: { address: device.publicIp, insideAddresses: local.map(firstHost) },
    remoteAddress: options.gatewayAddress,
    certificate: { pem: toPem(device.certificate), privateKeyPem: device.privateKeyPem },
    chain: device.chain.map(toPem),
    trustAnchors: device.trustedRoots.map(toPem),
    remoteId: '%any',
    ...(options.remoteAuth ? { remoteAuth: options.remoteAuth } : {}),
    ikeProposals: device.proposals.map((p) => toStrongswanProposal(p, 'ike')),
    espProposals: AZURE_DEFAULT_ESP_PROPOSALS.map((p) => toStrongswanProposal(p, 'esp')),
    localTs: local,
    remoteTs: options.trafficSelectors?.remote ?? options.azurePrefixes,
  };
}
