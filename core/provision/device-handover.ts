import type { ProvisionPolicy } from '../change/change-kind';
import { AZURE_DEFAULT_IKE_PROPOSALS, type IkeProposal } from '../ike/ike-proposal';
import { customPolicyFor, type CustomIpsecPolicy } from '../ike/proposal-strength';
import { toStrongswanProposal } from '../ike/strongswan-proposal';

/**
 * What the device owner is handed once Azure's side is ready: the gateway's public address per instance (active-active:
 * two tunnels), the IKE/IPsec parameters, the traffic selectors, the root to trust for Azure's certificate, the subject
 * Azure expects from the device, and a strongSwan `swanctl.conf` for a Linux device that loads as it is (the device's
 * certificate and key, and Azure's root, are the files it names). Other vendors use the parameter table.
 */

/** The strong custom policy `--policy strong` pins: GCMAES256 / SHA384 / ECP384, IPsec GCMAES256, PFS ECP384. */
export const STRONG_IKE_PROPOSAL: IkeProposal = { encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' };

export function strongPolicy(): CustomIpsecPolicy {
  return customPolicyFor(STRONG_IKE_PROPOSAL)!;
}

/** Azure's default IPsec offers (route-based, no custom policy): GCM-AES256, AES256/SHA1, AES256/SHA256, AES128/SHA1; no PFS. */
const DEFAULT_ESP: readonly IkeProposal[] = [
  { encryption: 'GCMAES256', integrity: 'GCMAES256', dhGroup: 'None' },
  { encryption: 'AES256', integrity: 'SHA1', dhGroup: 'None' },
  { encryption: 'AES256', integrity: 'SHA256', dhGroup: 'None' },
  { encryption: 'AES128', integrity: 'SHA1', dhGroup: 'None' },
];

export interface HandoverInput {
  readonly site: string;
  readonly gatewayName: string;
  /** The gateway's public addresses, instance 0 first (two when active-active). */
  readonly gatewayIps: readonly string[];
  /** The device's address as Azure knows it (`%any` in the file when only a DNS name was given). */
  readonly deviceIp?: string;
  readonly devicePrefixes: readonly string[];
  /** What Azure routes to the site: the gateway's virtual network (and peered networks). */
  readonly azurePrefixes: readonly string[];
  readonly policy: ProvisionPolicy;
  /** The subject of Azure's (outbound) certificate, and of its root. */
  readonly azureSubject: string;
  readonly azureRootSubject: string;
  /** The subject Azure expects from the device's certificate. */
  readonly inboundSubject: string;
}

/** Files the swanctl.conf names (under /etc/swanctl/x509, x509ca and private). */
export const HANDOVER_FILES = { deviceCertificate: 'device.pem', deviceKey: 'device.key', azureRoot: 'azure-root-ca.pem' } as const;

export function proposalsOf(policy: ProvisionPolicy): { readonly ike: readonly IkeProposal[]; readonly esp: readonly IkeProposal[] } {
  if (policy === 'strong') {
    const p = strongPolicy();
    return { ike: [STRONG_IKE_PROPOSAL], esp: [{ encryption: p.ipsecEncryption, integrity: p.ipsecIntegrity, dhGroup: p.pfsGroup }] };
  }
  // The strongest of Azure's defaults first (a device picks the first it shares).
  return { ike: [...AZURE_DEFAULT_IKE_PROPOSALS].filter((p) => p.encryption !== 'DES3').reverse().sort((a, b) => (b.encryption === 'AES256' ? 1 : 0) - (a.encryption === 'AES256' ? 1 : 0)), esp: DEFAULT_ESP };
}

/** A strongSwan identity from a subject or name, quoted for swanctl.conf. */
function quoted(value: string): string {
  if (/["\\\n\r]/.test(value)) throw new Error('A name with quotes, backslashes or line breaks cannot go into swanctl.conf.');
  return `"${value}"`;
}

/** The connection name in swanctl.conf for tunnel `i`. */
export function handoverConnectionName(site: string, i: number): string {
  return `azure-${site.replace(/[^A-Za-z0-9_-]/g, '-')}-${i}`;
}

export function swanctlConf(input: HandoverInput): string {
  const { ike, esp } = proposalsOf(input.policy);
  const ikeList = ike.map((p) => toStrongswanProposal(p, 'ike')).join(',');
  const espList = esp.map((p) => toStrongswanProposal(p, 'esp')).join(',');
  const lifetime = input.policy === 'strong' ? strongPolicy().saLifeTimeSeconds : 27_000;
  const connections = input.gatewayIps.map(
    (ip, i) => `  ${handoverConnectionName(input.site, i)} {
    # Tunnel ${i + 1} of ${input.gatewayIps.length}: ${input.gatewayName} instance ${i} (${ip}).
    version = 2
    local_addrs = ${input.deviceIp ?? '%any'}
    remote_addrs = ${ip}
    proposals = ${ikeList}
    rekey_time = 8h
    dpd_delay = 45s
    local {
      auth = pubkey
      certs = ${HANDOVER_FILES.deviceCertificate}
      id = ${quoted(input.inboundSubject)}
    }
    remote {
      auth = pubkey
      # Azure presents ${input.azureSubject.replace(/[\n\r]/g, ' ')}, issued under ${input.azureRootSubject.replace(/[\n\r]/g, ' ')}.
      cacerts = ${HANDOVER_FILES.azureRoot}
    }
    children {
      ${handoverConnectionName(input.site, i)}-net {
        local_ts = ${input.devicePrefixes.join(',')}
        remote_ts = ${input.azurePrefixes.length > 0 ? input.azurePrefixes.join(',') : '0.0.0.0/0'}
        esp_proposals = ${espList}
        life_time = ${lifetime}s
        dpd_action = restart
        start_action = start
      }
    }
  }`,
  );
  return `# strongSwan swanctl.conf for ${input.site}: a certificate-authenticated site-to-site VPN to Azure VPN gateway ${input.gatewayName}.
# Put the device's certificate in /etc/swanctl/x509/${HANDOVER_FILES.deviceCertificate}, its key in /etc/swanctl/private/${HANDOVER_FILES.deviceKey}
# and Azure's root (${input.azureRootSubject.replace(/[\n\r]/g, ' ')}) in /etc/swanctl/x509ca/${HANDOVER_FILES.azureRoot}, then: swanctl --load-all
connections {
${connections.join('\n')}
}
`;
}

/** The parameter table for other vendors, one line per setting. */
export function parameterTable(input: HandoverInput): string {
  const { ike, esp } = proposalsOf(input.policy);
  const fmt = (p: IkeProposal) => `${p.encryption}/${p.integrity}/${p.dhGroup}`;
  const policy = input.policy === 'strong' ? strongPolicy() : undefined;
  return [
    `Azure gateway ${input.gatewayName}: ${input.gatewayIps.map((ip, i) => `instance ${i} ${ip}`).join(', ')}${input.gatewayIps.length > 1 ? ' (active-active: configure both tunnels)' : ''}`,
    `IKE version: IKEv2, authentication: certificates (RSA signatures)`,
    `IKE (phase 1): ${ike.map(fmt).join(', ')}; SA lifetime 28800 s`,
    `IPsec (phase 2): ${esp.map((p) => `${p.encryption}/${p.integrity}`).join(', ')}; PFS ${policy ? policy.pfsGroup : 'none'}; SA lifetime ${policy ? policy.saLifeTimeSeconds : 27000} s, ${policy ? policy.saDataSizeKilobytes : 102400000} KB`,
    `Traffic selectors: device ${input.devicePrefixes.join(', ')} <-> Azure ${input.azurePrefixes.join(', ') || '0.0.0.0/0'} (Azure is route-based: it accepts any selectors inside those)`,
    `Dead peer detection: 45 s`,
    `Trust (Azure's certificate is issued under): ${input.azureRootSubject}`,
    `Azure presents: ${input.azureSubject}`,
    `Azure expects the device's certificate subject: ${input.inboundSubject}`,
  ].join('\n');
}
