import { SecretClient } from '@azure/keyvault-secrets';
import { createAzureSettings, sdkClientOptions } from '../../adapters/azure/azure-settings';
import { parseKeyVaultCertificateId } from '../../adapters/azure/key-vault';
import { createNetworkAdapter, type IpsecPolicySettings } from '../../adapters/azure/network';
import { AZURE_DEFAULT_IKE_PROPOSALS, type IkeProposal } from '../../core/ike/ike-proposal';
import { toStrongswanProposal } from '../../core/ike/strongswan-proposal';
import { toPem } from '../../core/pki/certificate-info';
import { parseDistinguishedName } from '../../core/pki/distinguished-name';
import { parseCertificate } from '../../core/pki/parse-certificate';
import { keyMatchesCertificate, readPkcs12 } from '../pki/pkcs12';
import type { AzureSimulator } from '../simulator/azure-simulator';
import type { StructuredPeer } from './peer-config';

/**
 * Azure's IPsec (quick mode) offers when a route-based gateway initiates and the connection has no custom policy:
 * GCM-AES256, AES256/SHA1, 3DES/SHA1, AES256/SHA256, AES128/SHA1, 3DES/SHA256, no PFS (Microsoft, "About
 * cryptographic requirements and Azure VPN gateways"). The simulator does not model ESP; the device accepts these.
 */
export const AZURE_DEFAULT_ESP_PROPOSALS: readonly IkeProposal[] = Object.freeze([
  { encryption: 'GCMAES256', integrity: 'GCMAES256', dhGroup: 'None' },
  { encryption: 'AES256', integrity: 'SHA1', dhGroup: 'None' },
  { encryption: 'DES3', integrity: 'SHA1', dhGroup: 'None' },
  { encryption: 'AES256', integrity: 'SHA256', dhGroup: 'None' },
  { encryption: 'AES128', integrity: 'SHA1', dhGroup: 'None' },
  { encryption: 'DES3', integrity: 'SHA256', dhGroup: 'None' },
]);

/**
 * What Azure's side of one certificate connection is made of, read through the product's network adapter: the
 * settings a gateway applies. Plain data, so a test can describe a configuration Azure would refuse (and see what
 * strongSwan makes of it) by changing a field.
 */
export interface AzureConnectionSettings {
  readonly connectionId: string;
  /** Versioned Key Vault certificate identifier of the outbound certificate. */
  readonly outboundCertificateUrl: string;
  readonly inboundSubjectName: string;
  /** Base64 DER, root first. */
  readonly inboundChain: readonly string[];
  readonly ipsecPolicy?: IpsecPolicySettings;
  readonly usePolicyBasedTrafficSelectors: boolean;
  /** The gateway instance's public IP the tunnel uses (IN_0). */
  readonly gatewayAddress: string;
  readonly vnetPrefixes: readonly string[];
  /** The local network gateway: the device's address and prefixes. */
  readonly deviceAddress: string;
  readonly devicePrefixes: readonly string[];
  /** The gateway's user-assigned identity: who reads the outbound certificate from Key Vault. */
  readonly gatewayIdentity: { readonly principalId: string; readonly clientId: string };
}

/** Reads a connection's settings from the simulator, as the bot (the product's network adapter) sees them. */
export async function readAzureConnection(sim: AzureSimulator, connectionId: string): Promise<AzureConnectionSettings> {
  const network = createNetworkAdapter(sim.settingsFor('bot'));
  const connection = await network.getConnection(connectionId);
  if (!connection.certificate) throw new Error(`${connection.name} is not a certificate-authenticated connection.`);
  if (!connection.localNetworkGatewayId) throw new Error(`${connection.name} has no local network gateway.`);
  const [gateway, site] = await Promise.all([network.getGateway(connection.gatewayId), network.getLocalNetworkGateway(connection.localNetworkGatewayId)]);
  if (!gateway.virtualNetworkId) throw new Error(`${gateway.name} has no virtual network.`);
  const vnet = await network.getVirtualNetwork(gateway.virtualNetworkId);
  const identity = gateway.identity?.userAssignedIdentities[0];
  if (!identity?.principalId || !identity.clientId) throw new Error(`${gateway.name} has no user-assigned identity to read its outbound certificate with.`);
  const gatewayAddress = gateway.publicIpAddresses[0];
  if (!gatewayAddress || !site.gatewayIpAddress) throw new Error(`${connection.name}: the gateway or the site has no public IP.`);
  return {
    connectionId,
    outboundCertificateUrl: connection.certificate.outboundCertificateUrl,
    inboundSubjectName: connection.certificate.inboundSubjectName,
    inboundChain: connection.certificate.inboundChain,
    ...(connection.ipsecPolicy ? { ipsecPolicy: connection.ipsecPolicy } : {}),
    usePolicyBasedTrafficSelectors: connection.usePolicyBasedTrafficSelectors,
    gatewayAddress,
    vnetPrefixes: vnet.addressPrefixes,
    deviceAddress: site.gatewayIpAddress,
    devicePrefixes: site.addressPrefixes,
    gatewayIdentity: { principalId: identity.principalId, clientId: identity.clientId },
  };
}

/** The outbound certificate with its key and issuers, as the gateway reads it: the certificate's secret, as its identity. */
export interface OutboundCredentials {
  readonly pem: string;
  readonly privateKeyPem: string;
  /** Issuers in the secret (PEM), nearest first. */
  readonly chain: readonly string[];
}

/**
 * Reads the outbound certificate the way the VPN gateway does: the certificate's secret (PEM or PFX, with the key),
 * through the real `@azure/keyvault-secrets` client, authenticated as the gateway's user-assigned identity, so the
 * vault's access policy for that identity applies.
 */
export async function readOutboundCredentials(sim: AzureSimulator, settings: Pick<AzureConnectionSettings, 'outboundCertificateUrl' | 'gatewayIdentity'>): Promise<OutboundCredentials> {
  const ref = parseKeyVaultCertificateId(settings.outboundCertificateUrl);
  const vaultUrl = simulatorVaultUrl(sim, ref.vaultUrl);
  const azure = createAzureSettings({
    mode: 'simulator',
    simulatorUrl: sim.url,
    caPem: sim.caPem,
    principal: { objectId: settings.gatewayIdentity.principalId, appId: settings.gatewayIdentity.clientId, tenantId: sim.tenantId, displayName: 'VPN gateway identity' },
    now: () => sim.clock.now(),
  });
  const client = new SecretClient(vaultUrl, azure.credential, { ...sdkClientOptions(azure), disableChallengeResourceVerification: true });
  const secret = await client.getSecret(ref.name, ref.version ? { version: ref.version } : {});
  const value = secret.value ?? '';
  let certificates: string[];
  let privateKeyPem: string | undefined;
  if (secret.properties.contentType === 'application/x-pkcs12') {
    const contents = readPkcs12(new Uint8Array(Buffer.from(value, 'base64')), null);
    certificates = contents.certificates.map((der) => toPem({ der }));
    privateKeyPem = contents.privateKeyPem;
  } else {
    certificates = value.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)?.map((c) => (c.endsWith('\n') ? c : `${c}\n`)) ?? [];
    privateKeyPem = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----\n?/.exec(value)?.[0];
  }
  if (!privateKeyPem) throw new Error(`The secret of ${ref.name} holds no private key: the gateway could not use it either.`);
  const key = privateKeyPem;
  const leaf = certificates.find((pem) => keyMatchesCertificate(key, parseCertificate(pem).der));
  if (!leaf) throw new Error(`No certificate in the secret of ${ref.name} matches its private key.`);
  return { pem: leaf, privateKeyPem: key, chain: certificates.filter((c) => c !== leaf) };
}

/**
 * Azure's side of the connection as a charon: the outbound certificate and its chain read from Key Vault as the
 * gateway's identity, the inbound chain as the only trust anchors, the inbound subject as the one accepted remote
 * identity, Azure's default proposals or the connection's custom policy, and Azure's traffic selectors (any-to-any
 * for a route-based connection, the VNet and site prefixes with policy-based traffic selectors). The charon listens
 * on the gateway's public IP (IN_0) and talks to the local network gateway's address.
 */
export async function azureSide(sim: AzureSimulator, settings: AzureConnectionSettings, options: { outbound?: OutboundCredentials } = {}): Promise<StructuredPeer> {
  const outbound = options.outbound ?? (await readOutboundCredentials(sim, settings));
  const policy = settings.ipsecPolicy;
  const ike: readonly IkeProposal[] = policy ? [{ encryption: policy.ikeEncryption, integrity: policy.ikeIntegrity, dhGroup: policy.dhGroup }] : AZURE_DEFAULT_IKE_PROPOSALS;
  const esp: readonly IkeProposal[] = policy ? [{ encryption: policy.ipsecEncryption, integrity: policy.ipsecIntegrity, dhGroup: policy.pfsGroup }] : AZURE_DEFAULT_ESP_PROPOSALS;
  const policyBased = settings.usePolicyBasedTrafficSelectors;
  return {
    kind: 'structured',
    role: 'azure',
    host: { address: settings.gatewayAddress, insideAddresses: settings.vnetPrefixes.map(firstHost) },
    remoteAddress: settings.deviceAddress,
    certificate: { pem: outbound.pem, privateKeyPem: outbound.privateKeyPem },
    chain: outbound.chain,
    trustAnchors: settings.inboundChain.map((b64) => toPem(parseCertificate(b64))),
    remoteId: strongswanIdentity(settings.inboundSubjectName),
    ikeProposals: ike.map((p) => toStrongswanProposal(p, 'ike')),
    espProposals: esp.map((p) => toStrongswanProposal(p, 'esp')),
    localTs: policyBased ? settings.vnetPrefixes : ['0.0.0.0/0'],
    remoteTs: policyBased ? settings.devicePrefixes : ['0.0.0.0/0'],
  };
}

/** `readAzureConnection` then `azureSide`: Azure's side of a connection exactly as the simulator holds it now. */
export async function azureSideFromSimulator(sim: AzureSimulator, connectionId: string): Promise<StructuredPeer> {
  return azureSide(sim, await readAzureConnection(sim, connectionId));
}

/**
 * `inboundAuthCertificateSubjectName` as a strongSwan identity. Azure takes a bare common name or `CN=...` (compared
 * with the certificate's CN), or a full DN; strongSwan compares DNs RDN by RDN in the certificate's order (most
 * general first), so a full DN written most-specific-first (`CN=vpn, O=Contoso`) is reversed.
 */
export function strongswanIdentity(inboundSubjectName: string): string {
  const text = inboundSubjectName.trim();
  const rdns = parseDistinguishedName(text);
  if (!rdns || rdns.length === 0) return `CN=${text}`;
  return [...rdns]
    .reverse()
    .map((rdn) => rdn.map((a) => `${a.type}=${a.value}`).join('+'))
    .join(', ');
}

/** `10.0.0.0/16` -> `10.0.0.1`: an address the namespace owns inside a protected prefix. */
export function firstHost(prefix: string): string {
  const [address] = prefix.split('/');
  const octets = (address ?? '').split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) throw new Error(`Not an IPv4 prefix: ${prefix}`);
  octets[3] = (octets[3] as number) + 1;
  return octets.join('.');
}

function simulatorVaultUrl(sim: AzureSimulator, vaultUrl: string): string {
  const host = new URL(vaultUrl).hostname.toLowerCase();
  if (host.endsWith('.vault.azure.net')) {
    const name = host.slice(0, -'.vault.azure.net'.length);
    const vault = sim.estateInfo.vaults.find((v) => v.name.toLowerCase() === name);
    if (!vault) throw new Error(`The simulator has no Key Vault ${name}.`);
    return vault.url;
  }
  return vaultUrl;
}
