import { azureDefaultIkeProposals } from '../simulator/ike/ike-proposals';
import { createRootCa, issueCertificate, toPemBundle } from '../pki/cert-factory';
import type { Estate, EstateGateway, EstateSite } from './estate';
import { sandboxNames } from './sandbox-estate';

/** What each synthetic site is like; chosen by site number so every estate of a size is the same. */
export type SyntheticSiteState = 'healthy' | 'expiring-outbound' | 'wrong-root' | 'subject-mismatch' | 'proposal-mismatch' | 'unreachable';

/** One in twenty sites of each problem kind; the rest are healthy (75 %). */
export function syntheticSiteState(index: number): SyntheticSiteState {
  switch (index % 20) {
    case 0:
      return 'expiring-outbound';
    case 1:
      return 'wrong-root';
    case 2:
      return 'subject-mismatch';
    case 3:
      return 'proposal-mismatch';
    case 4:
      return 'unreachable';
    default:
      return 'healthy';
  }
}

export const syntheticNames = {
  subscriptionId: '7b1e3c5a-9d2f-4a6b-8c0e-1f3a5b7d9e2c',
  tenantId: sandboxNames.tenantId,
  keyVault: 'kv-vpn-synthetic',
  workspace: 'log-vpn',
  workspaceCustomerId: '2f4a6c8e-0b1d-4e3f-9a5c-7e9b1d3f5a7c',
  identity: 'id-vpngw-kv',
  identityPrincipalId: '5c7e9a1b-3d5f-4b7d-8e0a-2c4e6a8c0e2b',
  identityClientId: '9e1b3d5f-7a9c-4e2a-8c4e-6b8d0f2a4c6e',
  resourceGroup: (i: number) => `rg-vpn-${String(i).padStart(2, '0')}`,
  gateway: (i: number) => `vpngw-${String(i).padStart(2, '0')}`,
  site: (i: number) => `site-${String(i).padStart(4, '0')}`,
} as const;

const hourMs = 3600_000;
const dayMs = 24 * hourMs;

/**
 * A large estate for benchmarks: `sites` sites spread over `resourceGroups` resource groups, one active-active
 * VpnGw5AZ gateway per group, a mix of healthy and broken tunnels (see `syntheticSiteState`), and hours of history.
 * Only six key pairs are generated (certificates are shared between sites), so 500 sites build in about a second.
 */
/**
 * `distinctOutbound`: each site has its own outbound certificate (`outbound-<site>`), as fleets that issue one per
 * site do, so reading every outbound certificate costs one Key Vault read per site (the expiry benchmark).
 */
export async function buildSyntheticEstate(opts: { sites: number; resourceGroups: number; now?: Date; distinctOutbound?: boolean }): Promise<Estate> {
  const { sites: siteCount, resourceGroups: groupCount } = opts;
  if (!Number.isInteger(siteCount) || siteCount < 1 || siteCount > 4096) throw new RangeError('sites must be 1..4096');
  if (!Number.isInteger(groupCount) || groupCount < 1 || groupCount > 100) throw new RangeError('resourceGroups must be 1..100');
  const now = (opts.now ?? new Date()).getTime();
  const at = (ms: number) => new Date(now + ms);
  const n = syntheticNames;
  const sub = n.subscriptionId;

  const [azureRoot, deviceRoot, otherRoot] = await Promise.all([
    createRootCa({ subject: 'CN=Synthetic Azure VPN Root CA', notBefore: at(-400 * dayMs) }),
    createRootCa({ subject: 'CN=Synthetic Device Root CA', notBefore: at(-400 * dayMs) }),
    createRootCa({ subject: 'CN=Synthetic Old Device Root CA', notBefore: at(-400 * dayMs) }),
  ]);
  const [deviceLeaf, outboundGood, outboundExpiring] = await Promise.all([
    issueCertificate(deviceRoot, { subject: 'CN=device.synthetic.example', notBefore: at(-30 * dayMs), notAfter: at(335 * dayMs) }),
    issueCertificate(azureRoot, { subject: 'CN=azure.synthetic.example', notBefore: at(-65 * dayMs), notAfter: at(300 * dayMs) }),
    issueCertificate(azureRoot, { subject: 'CN=azure-expiring.synthetic.example', notBefore: at(-355 * dayMs), notAfter: at(10 * dayMs) }),
  ]);

  const groups = Array.from({ length: groupCount }, (_, i) => i);
  const gateways: EstateGateway[] = groups.map((g) => ({
    name: n.gateway(g),
    resourceGroup: n.resourceGroup(g),
    sku: 'VpnGw5AZ',
    activeActive: true,
    virtualNetwork: `vnet-hub-${String(g).padStart(2, '0')}`,
    publicIps: [
      { name: `pip-${n.gateway(g)}-1`, ipAddress: `198.18.${Math.floor(g / 100)}.${(g % 100) * 2 + 1}` },
      { name: `pip-${n.gateway(g)}-2`, ipAddress: `198.18.${Math.floor(g / 100)}.${(g % 100) * 2 + 2}` },
    ],
    privateIps: [`10.${g}.255.4`, `10.${g}.255.5`],
    identity: n.identity,
  }));

  const sites: EstateSite[] = Array.from({ length: siteCount }, (_, i) => {
    const g = i % groupCount;
    const state = syntheticSiteState(i);
    const name = n.site(i);
    const prefix = `172.${16 + Math.floor(i / 256)}.${i % 256}.0/24`;
    const createdAt = at(-(2 + (i % 7)) * hourMs);
    const brokeAt = at(-1 * hourMs - (i % 50) * 60_000);
    const breaksLater = state === 'wrong-root' || state === 'subject-mismatch';
    return {
      name,
      resourceGroup: n.resourceGroup(g),
      device: {
        publicIp: `198.19.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        prefixes: [prefix],
        certificate: deviceLeaf.info,
        chain: [deviceRoot.info],
        trustedRoots: [azureRoot.info],
        proposals: state === 'proposal-mismatch' ? [{ encryption: 'AES256', integrity: 'SHA384', dhGroup: 'ECP384' }] : azureDefaultIkeProposals.map((p) => ({ ...p })),
        reachable: state !== 'unreachable',
      },
      localNetworkGateway: { name: `lng-${name}`, addressPrefixes: [prefix] },
      connection: {
        name: `cn-${name}`,
        gateway: n.gateway(g),
        outbound: { vault: n.keyVault, certificate: opts.distinctOutbound ? `outbound-${name}` : state === 'expiring-outbound' ? 'outbound-expiring' : 'outbound-good' },
        inboundSubjectName: state === 'subject-mismatch' ? 'CN=other-device.synthetic.example' : 'CN=device.synthetic.example',
        inboundChain: [state === 'wrong-root' ? otherRoot.info : deviceRoot.info],
        createdAt,
        ...(breaksLater ? { history: [{ at: createdAt, outcome: { kind: 'connected' as const } }], currentSince: brokeAt } : {}),
      },
    };
  });

  const scope = `/subscriptions/${sub}`;
  return {
    subscriptionId: sub,
    tenantId: n.tenantId,
    location: 'westeurope',
    resourceGroups: groups.map((g) => n.resourceGroup(g)),
    principals: [
      {
        key: 'bot',
        ...sandboxNames.principals.bot,
        roles: [
          { role: 'Reader', scope },
          { role: 'Network Contributor', scope },
          { role: 'Monitoring Contributor', scope },
          { role: 'Log Analytics Reader', scope },
          { role: 'Managed Identity Operator', scope },
        ],
      },
      { key: 'reader', ...sandboxNames.principals.reader, roles: [{ role: 'Reader', scope }] },
    ],
    identities: [{ name: n.identity, resourceGroup: n.resourceGroup(0), principalId: n.identityPrincipalId, clientId: n.identityClientId }],
    virtualNetworks: gateways.map((gw, g) => ({
      name: gw.virtualNetwork,
      resourceGroup: gw.resourceGroup,
      addressPrefixes: [`10.${g}.0.0/16`],
      subnets: [{ name: 'GatewaySubnet', addressPrefix: `10.${g}.255.0/27` }],
    })),
    gateways,
    workspaces: [{ name: n.workspace, resourceGroup: n.resourceGroup(0), customerId: n.workspaceCustomerId }],
    diagnosticSettings: gateways.map((gw) => ({
      name: `diag-${gw.name}`,
      gateway: { resourceGroup: gw.resourceGroup, name: gw.name },
      workspace: { resourceGroup: n.resourceGroup(0), name: n.workspace },
      categories: ['IKEDiagnosticLog', 'TunnelDiagnosticLog'],
      since: at(-12 * hourMs),
    })),
    vaults: [
      {
        name: n.keyVault,
        accessPolicies: [
          { objectId: n.identityPrincipalId, certificates: ['get', 'list'], secrets: ['get', 'list'], keys: [] },
          { objectId: sandboxNames.principals.bot.objectId, certificates: ['get', 'list', 'create', 'import', 'update'], secrets: ['get', 'list'], keys: ['get', 'list', 'sign'] },
        ],
        certificates: [
          { name: 'outbound-good', pem: toPemBundle(outboundGood, [azureRoot]) },
          { name: 'outbound-expiring', pem: toPemBundle(outboundExpiring, [azureRoot]) },
          ...(opts.distinctOutbound
            ? Array.from({ length: siteCount }, (_, i) => ({ name: `outbound-${n.site(i)}`, pem: toPemBundle(syntheticSiteState(i) === 'expiring-outbound' ? outboundExpiring : outboundGood, [azureRoot]) }))
            : []),
        ],
      },
    ],
    sites,
  };
}
