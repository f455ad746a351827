import { azureDefaultIkeProposals } from '../simulator/ike/ike-proposals';
import { createRootCa, issueCertificate, toPemBundle, type IssuedCertificate } from '../pki/cert-factory';
import type { Estate, EstateSite } from './estate';

/**
 * The names of the sandbox estate. They are part of the contract: the sandbox README, the bot's sample settings and
 * end-to-end tests use them.
 *
 * Naming: each site `site-<city>` has a local network gateway `lng-site-<city>` and a certificate connection
 * `cn-site-<city>` on gateway `vpngw-hub`; its outbound certificate is Key Vault certificate `outbound-site-<city>`
 * in `kv-vpn-certs`.
 */
export const sandboxNames = {
  subscriptionId: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d',
  tenantId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  location: 'westeurope',
  resourceGroup: 'rg-hub-network',
  virtualNetwork: 'vnet-hub',
  gateway: 'vpngw-hub',
  gatewayPublicIps: ['198.51.100.10', '198.51.100.11'],
  /** A second gateway, in its own virtual network, that sends no diagnostic logs (site-lisbon's). */
  branchGateway: 'vpngw-branch',
  branchVirtualNetwork: 'vnet-branch',
  branchGatewayPublicIps: ['198.51.100.30', '198.51.100.31'],
  identity: 'id-vpngw-kv',
  /** provision (issue 10): a Basic-SKU gateway (no managed identity possible) and a gateway whose identity has no vault access. */
  basicGateway: 'vpngw-basic',
  basicVirtualNetwork: 'vnet-basic',
  basicGatewayPublicIp: '198.51.100.40',
  noAccessGateway: 'vpngw-noaccess',
  noAccessVirtualNetwork: 'vnet-noaccess',
  noAccessGatewayPublicIps: ['198.51.100.50', '198.51.100.51'],
  noAccessIdentity: 'id-vpngw-noaccess',
  noAccessIdentityPrincipalId: '7c1e3a5f-9b2d-4e6a-8c0f-2d4b6f8a0c1e',
  noAccessIdentityClientId: '5b9d1f3a-7c2e-4a8b-9d0f-4e6a8c2b1d3f',
  identityPrincipalId: '0b7f4c2a-6d1e-4f3b-8a9c-5e2d1f0a7b6c',
  identityClientId: '3e9a1d5b-2c4f-4a6e-9b8d-7f0c2e1a5d4b',
  keyVault: 'kv-vpn-certs',
  /** Azure RBAC vault holding the Azure-side root CA; its key never leaves the vault (not exportable, signs only). */
  caVault: 'kv-vpn-ca',
  caCertificate: 'contoso-azure-vpn-root-ca',
  workspace: 'log-vpn',
  workspaceCustomerId: '9c2e4a6b-1d3f-4e5a-8b7c-6d0e2f4a1c3b',
  diagnosticSetting: 'diag-vpngw-hub',
  principals: {
    /** The function app's managed identity: what the bot acts as. */
    bot: { objectId: '6a1c3e5f-7b9d-4f2a-8c4e-1d3f5a7b9c2e', appId: 'f2d4b6a8-1c3e-4a5f-9b7d-3e5a7c9f1b2d', displayName: 'func-vpn-chatops' },
    /** A person with Reader only: can look, cannot change. */
    reader: { objectId: '4e6a8c1d-3f5b-4d7e-9a2c-6b8d0f2e4a1c', appId: 'c7e9a1b3-5d7f-4b2e-8c1a-9d3f5b7e2c4a', displayName: 'network-reader' },
    /** A principal with no role at all. */
    outsider: { objectId: '8d0f2b4e-6a8c-4e1f-9b3d-5c7e9a1d3f6b', appId: 'a9c1e3f5-7b2d-4c6e-8f1a-3b5d7f9c2e4a', displayName: 'outsider' },
    /**
     * A network administrator working beside the bot (the portal, a pipeline): tests and benchmarks change the estate
     * as this principal, so what the bot itself calls stays apart (the least-privilege check reads only the bot's calls).
     */
    admin: { objectId: '2b7d9f1a-4c6e-4a8b-9d1f-6e8a0c2b4d7f', appId: 'e5a7c9b1-3d5f-4e7a-8b9c-1f3a5c7e9b2d', displayName: 'network-admin' },
  },
  sites: {
    'site-london': { publicIp: '203.0.113.10', prefixes: ['10.10.0.0/16'], deviceCn: 'london-vpn.contoso.example' },
    'site-paris': { publicIp: '203.0.113.20', prefixes: ['10.20.0.0/16'], deviceCn: 'paris-vpn.contoso.example' },
    'site-berlin': { publicIp: '203.0.113.30', prefixes: ['10.30.0.0/16'], deviceCn: 'berlin-vpn.contoso.example' },
    'site-madrid': { publicIp: '203.0.113.40', prefixes: ['10.40.0.0/16'], deviceCn: 'madrid-vpn.contoso.example' },
    'site-rome': { publicIp: '203.0.113.50', prefixes: ['10.50.0.0/16'], deviceCn: 'rome-vpn.contoso.example' },
    'site-oslo': { publicIp: '203.0.113.60', prefixes: ['10.60.0.0/16'], deviceCn: 'oslo-vpn.contoso.example' },
    'site-lisbon': { publicIp: '203.0.113.70', prefixes: ['10.70.0.0/16'], deviceCn: 'lisbon-vpn.contoso.example' },
    /** rotate outbound (issue 9): Azure's certificate comes from a legacy CA, the only root its device trusts. */
    'site-vienna': { publicIp: '203.0.113.80', prefixes: ['10.80.0.0/16'], deviceCn: 'vienna-vpn.contoso.example' },
  },
  /** Files written under the sandbox state dir and served at `<simulator url>/files/<path>`. */
  files: {
    romeDeviceChain: 'certificates/site-rome/device-chain.pem',
    romeDeviceRoot: 'certificates/site-rome/root-ca.pem',
    romeDeviceLeaf: 'certificates/site-rome/device.pem',
    azureOutboundRoot: 'certificates/azure-outbound-root-ca.pem',
    /** The legacy CA that issued site-vienna's outbound certificate (the root its device trusts). */
    viennaLegacyRoot: 'certificates/site-vienna/legacy-outbound-root-ca.pem',
    /** rotate inbound (issue 9): the CA certificates of Berlin's second-generation PKI, which its device moved to. */
    berlinG2Chain: 'certificates/site-berlin/device-chain-g2.pem',
    /** Berlin's device certificate (issued under G2), to paste along with the chain. */
    berlinDeviceLeaf: 'certificates/site-berlin/device.pem',
  },
} as const;

type SiteName = keyof typeof sandboxNames.sites;

/** A device's own PKI: a root, and the issuing CA under it that signs the device certificate. */
interface DevicePki {
  readonly root: IssuedCertificate;
  readonly issuing: IssuedCertificate;
}

const dayMs = 24 * 3600 * 1000;
const hourMs = 3600 * 1000;

/**
 * Builds the sandbox estate with fresh certificates and dates relative to `now`:
 * - site-london: Connected, outbound certificate valid ~300 more days.
 * - site-paris: Connected, outbound certificate expires in 10 days.
 * - site-berlin: NotConnected for 2 hours: the device was re-issued under a new root the connection's inbound chain lacks.
 * - site-madrid: NotConnected for 3 hours: the connection's inbound subject was changed and no longer matches the device.
 * - site-oslo: NotConnected since created: the device's IKE proposals share nothing with Azure's defaults.
 * - site-rome: a device only (not provisioned in Azure); its public chain is written to files for the user, and
 *   Key Vault already holds `outbound-site-rome` for provisioning.
 * - site-lisbon: Connected, on gateway vpngw-branch, which sends no diagnostic logs (for "enable diagnostics").
 * - site-vienna: Connected, its outbound certificate issued by a legacy CA (not the vault CA), the only root its device
 *   trusts: rotating it to a vault-CA certificate fails verification and is rolled back. Its device's issuing CA (in
 *   the inbound chain) expires in 20 days, and Key Vault holds a newer enabled version of its outbound certificate the
 *   connection does not reference yet (drift): both for the expiry report.
 * - vpngw-noaccess: its identity id-vpngw-noaccess has no access to kv-vpn-certs, and the bot may not change that
 *   vault's access policies: provisioning on it is blocked with the exact grant an administrator makes. With
 *   `vaultAccessGrants` (a deployment's ALLOW_VAULT_ACCESS_GRANTS) the bot may write them (Key Vault Contributor on
 *   kv-vpn-certs): the plan grants the access policy itself.
 */
export async function buildSandboxEstate(opts: { now: Date; readonly vaultAccessGrants?: boolean }): Promise<Estate> {
  const now = opts.now.getTime();
  const at = (ms: number) => new Date(now + ms);
  const n = sandboxNames;
  const sub = n.subscriptionId;
  const rgScope = `/subscriptions/${sub}/resourceGroups/${n.resourceGroup}`;

  // Azure side: the root that issues the outbound certificates, trusted by every device.
  const azureRoot = await createRootCa({ subject: 'CN=Contoso Azure VPN Root CA, O=Contoso, C=GB', notBefore: at(-400 * dayMs), notAfter: at(3250 * dayMs) });
  const outbound = (site: SiteName, notBefore: number, notAfter: number) =>
    issueCertificate(azureRoot, { subject: `CN=azure-${site.replace('site-', '')}.vpn.contoso.example, O=Contoso`, notBefore: at(notBefore), notAfter: at(notAfter) });

  // Device PKIs as the portal guidance wants them: each site has its own root and an issuing CA under it, and the
  // connection's inbound chain carries both (root first). Berlin's device moved to a second-generation PKI.
  const devicePki = async (city: string, generation = '', issuingDays = 1500): Promise<DevicePki> => {
    const root = await createRootCa({ subject: `CN=${city} Device Root CA${generation}, O=Contoso ${city}`, notBefore: at(-500 * dayMs), notAfter: at(3000 * dayMs) });
    const issuing = await issueCertificate(root, { subject: `CN=${city} Device Issuing CA${generation}, O=Contoso ${city}`, isCa: true, pathLength: 0, notBefore: at(-400 * dayMs), notAfter: at(issuingDays * dayMs) });
    return { root, issuing };
  };
  const deviceLeaf = (pki: DevicePki, site: SiteName) =>
    issueCertificate(pki.issuing, { subject: `CN=${n.sites[site].deviceCn}`, notBefore: at(-30 * dayMs), notAfter: at(335 * dayMs), subjectAltNames: { dns: [n.sites[site].deviceCn] } });
  const chainOf = (pki: DevicePki) => [pki.root.info, pki.issuing.info];

  const [londonPki, parisPki, berlinPkiG1, berlinPkiG2, madridPki, romePki, osloPki, lisbonPki] = await Promise.all([
    devicePki('London'),
    devicePki('Paris'),
    devicePki('Berlin'),
    devicePki('Berlin', ' G2'),
    devicePki('Madrid'),
    devicePki('Rome'),
    devicePki('Oslo'),
    devicePki('Lisbon'),
  ]);
  const [londonDevice, parisDevice, berlinDevice, madridDevice, romeDevice, osloDevice, lisbonDevice] = await Promise.all([
    deviceLeaf(londonPki, 'site-london'),
    deviceLeaf(parisPki, 'site-paris'),
    deviceLeaf(berlinPkiG2, 'site-berlin'),
    deviceLeaf(madridPki, 'site-madrid'),
    deviceLeaf(romePki, 'site-rome'),
    deviceLeaf(osloPki, 'site-oslo'),
    deviceLeaf(lisbonPki, 'site-lisbon'),
  ]);
  const [londonOut, parisOut, berlinOut, madridOut, romeOut, osloOut, lisbonOut] = await Promise.all([
    outbound('site-london', -65 * dayMs, 300 * dayMs + 6 * hourMs),
    outbound('site-paris', -355 * dayMs, 10 * dayMs + 6 * hourMs),
    outbound('site-berlin', -100 * dayMs, 265 * dayMs),
    outbound('site-madrid', -100 * dayMs, 265 * dayMs),
    outbound('site-rome', -1 * dayMs, 364 * dayMs),
    outbound('site-oslo', -100 * dayMs, 265 * dayMs),
    outbound('site-lisbon', -50 * dayMs, 315 * dayMs),
  ]);

  // site-vienna (rotate outbound): its outbound certificate comes from a legacy CA outside Key Vault, and its device
  // trusts only that CA: a rotation to a certificate of the vault CA does not come up there and is rolled back.
  const viennaLegacyRoot = await createRootCa({ subject: 'CN=Contoso Legacy VPN Root CA, O=Contoso, C=AT', notBefore: at(-900 * dayMs), notAfter: at(2000 * dayMs) });
  // Expiry reports (issue 11): Vienna's device issuing CA expires in 20 days (the device owner must renew it), and Key
  // Vault already holds a newer enabled version of its outbound certificate that the connection does not use (drift).
  const [viennaPki, viennaOut, viennaOutNewer] = await Promise.all([
    devicePki('Vienna', '', 20),
    issueCertificate(viennaLegacyRoot, { subject: 'CN=azure-vienna.vpn.contoso.example, O=Contoso', notBefore: at(-100 * dayMs), notAfter: at(200 * dayMs), subjectAltNames: { dns: ['azure-vienna.vpn.contoso.example'] } }),
    issueCertificate(viennaLegacyRoot, { subject: 'CN=azure-vienna.vpn.contoso.example, O=Contoso', notBefore: at(-2 * dayMs), notAfter: at(400 * dayMs), subjectAltNames: { dns: ['azure-vienna.vpn.contoso.example'] } }),
  ]);
  const viennaDevice = await deviceLeaf(viennaPki, 'site-vienna');

  const gw = n.gateway;
  const device = (site: SiteName, leaf: IssuedCertificate, pki: DevicePki, proposals = azureDefaultIkeProposals) => ({
    publicIp: n.sites[site].publicIp,
    prefixes: [...n.sites[site].prefixes],
    certificate: leaf.info,
    privateKeyPem: leaf.privateKeyPem,
    chain: [pki.issuing.info, pki.root.info],
    trustedRoots: [azureRoot.info],
    proposals: proposals.map((p) => ({ ...p })),
  });
  const provisioned = (site: SiteName, leaf: IssuedCertificate, pki: DevicePki, connection: Omit<NonNullable<EstateSite['connection']>, 'name' | 'gateway' | 'outbound'>, proposals = azureDefaultIkeProposals): EstateSite => ({
    name: site,
    resourceGroup: n.resourceGroup,
    device: device(site, leaf, pki, proposals),
    localNetworkGateway: { name: `lng-${site}`, addressPrefixes: [...n.sites[site].prefixes] },
    connection: { name: `cn-${site}`, gateway: gw, outbound: { vault: n.keyVault, certificate: `outbound-${site}` }, ...connection },
  });

  const sites: EstateSite[] = [
    provisioned('site-london', londonDevice, londonPki, { inboundSubjectName: `CN=${n.sites['site-london'].deviceCn}`, inboundChain: chainOf(londonPki), createdAt: at(-6 * hourMs) }),
    provisioned('site-paris', parisDevice, parisPki, { inboundSubjectName: n.sites['site-paris'].deviceCn, inboundChain: chainOf(parisPki), createdAt: at(-6 * hourMs) }),
    provisioned('site-berlin', berlinDevice, berlinPkiG2, {
      inboundSubjectName: `CN=${n.sites['site-berlin'].deviceCn}`,
      inboundChain: chainOf(berlinPkiG1),
      createdAt: at(-6 * hourMs),
      history: [{ at: at(-6 * hourMs), outcome: { kind: 'connected' } }],
      currentSince: at(-2 * hourMs),
    }),
    provisioned('site-madrid', madridDevice, madridPki, {
      inboundSubjectName: 'CN=madrid-gw.contoso.example',
      inboundChain: chainOf(madridPki),
      createdAt: at(-6 * hourMs),
      history: [{ at: at(-6 * hourMs), outcome: { kind: 'connected' } }],
      currentSince: at(-3 * hourMs),
    }),
    provisioned('site-oslo', osloDevice, osloPki, { inboundSubjectName: `CN=${n.sites['site-oslo'].deviceCn}`, inboundChain: chainOf(osloPki), createdAt: at(-4 * hourMs) }, [
      { encryption: 'AES128', integrity: 'SHA256', dhGroup: 'ECP256' },
      { encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' },
    ]),
    { name: 'site-rome', resourceGroup: n.resourceGroup, device: device('site-rome', romeDevice, romePki) },
    (() => {
      const vienna = provisioned('site-vienna', viennaDevice, viennaPki, { inboundSubjectName: `CN=${n.sites['site-vienna'].deviceCn}`, inboundChain: chainOf(viennaPki), createdAt: at(-6 * hourMs) });
      return { ...vienna, device: { ...vienna.device, trustedRoots: [viennaLegacyRoot.info] } };
    })(),
    {
      ...provisioned('site-lisbon', lisbonDevice, lisbonPki, { inboundSubjectName: `CN=${n.sites['site-lisbon'].deviceCn}`, inboundChain: chainOf(lisbonPki), createdAt: at(-5 * hourMs) }),
      connection: {
        name: 'cn-site-lisbon',
        gateway: n.branchGateway,
        outbound: { vault: n.keyVault, certificate: 'outbound-site-lisbon' },
        inboundSubjectName: `CN=${n.sites['site-lisbon'].deviceCn}`,
        inboundChain: chainOf(lisbonPki),
        createdAt: at(-5 * hourMs),
      },
    },
  ];

  // Exactly what each needs: the gateway reads the certificate and its secret (key and chain); the bot reads
  // certificates and makes new versions (create/import/update; delete removes a pending request); the reader reads.
  const outboundAccess = { objectId: n.identityPrincipalId, certificates: ['get', 'list'], secrets: ['get', 'list'], keys: [] };
  const botAccess = { objectId: n.principals.bot.objectId, certificates: ['get', 'list', 'create', 'import', 'update', 'delete'], secrets: [], keys: [] };
  const readerAccess = { objectId: n.principals.reader.objectId, certificates: ['get', 'list'], secrets: [], keys: [] };

  return {
    subscriptionId: sub,
    tenantId: n.tenantId,
    location: n.location,
    resourceGroups: [n.resourceGroup],
    principals: [
      {
        key: 'bot',
        ...n.principals.bot,
        roles: [
          { role: 'Reader', scope: `/subscriptions/${sub}` },
          { role: 'Network Contributor', scope: rgScope },
          { role: 'Monitoring Contributor', scope: rgScope },
          { role: 'Log Analytics Reader', scope: rgScope },
          { role: 'Managed Identity Operator', scope: `${rgScope}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${n.identity}` },
          // ALLOW_VAULT_ACCESS_GRANTS: may write kv-vpn-certs' access policies (the deployed role grants accessPolicies/write there).
          ...(opts.vaultAccessGrants ? [{ role: 'Key Vault Contributor' as const, scope: `${rgScope}/providers/Microsoft.KeyVault/vaults/${n.keyVault}` }] : []),
        ],
      },
      { key: 'reader', ...n.principals.reader, roles: [{ role: 'Reader', scope: `/subscriptions/${sub}` }] },
      { key: 'outsider', ...n.principals.outsider, roles: [] },
      { key: 'admin', ...n.principals.admin, roles: [{ role: 'Reader', scope: `/subscriptions/${sub}` }, { role: 'Network Contributor', scope: rgScope }] },
    ],
    identities: [
      { name: n.identity, resourceGroup: n.resourceGroup, principalId: n.identityPrincipalId, clientId: n.identityClientId },
      // Attached to vpngw-noaccess, with no access to any vault.
      { name: n.noAccessIdentity, resourceGroup: n.resourceGroup, principalId: n.noAccessIdentityPrincipalId, clientId: n.noAccessIdentityClientId },
    ],
    virtualNetworks: [
      {
        name: n.virtualNetwork,
        resourceGroup: n.resourceGroup,
        addressPrefixes: ['10.0.0.0/16'],
        subnets: [
          { name: 'GatewaySubnet', addressPrefix: '10.0.255.0/27' },
          { name: 'snet-workloads', addressPrefix: '10.0.1.0/24' },
        ],
      },
      { name: n.branchVirtualNetwork, resourceGroup: n.resourceGroup, addressPrefixes: ['10.1.0.0/16'], subnets: [{ name: 'GatewaySubnet', addressPrefix: '10.1.255.0/27' }] },
      { name: n.basicVirtualNetwork, resourceGroup: n.resourceGroup, addressPrefixes: ['10.2.0.0/16'], subnets: [{ name: 'GatewaySubnet', addressPrefix: '10.2.255.0/27' }] },
      { name: n.noAccessVirtualNetwork, resourceGroup: n.resourceGroup, addressPrefixes: ['10.3.0.0/16'], subnets: [{ name: 'GatewaySubnet', addressPrefix: '10.3.255.0/27' }] },
    ],
    gateways: [
      {
        name: gw,
        resourceGroup: n.resourceGroup,
        sku: 'VpnGw2AZ',
        activeActive: true,
        virtualNetwork: n.virtualNetwork,
        publicIps: [
          { name: `pip-${gw}-1`, ipAddress: n.gatewayPublicIps[0] },
          { name: `pip-${gw}-2`, ipAddress: n.gatewayPublicIps[1] },
        ],
        privateIps: ['10.0.255.4', '10.0.255.5'],
        identity: n.identity,
      },
      {
        name: n.branchGateway,
        resourceGroup: n.resourceGroup,
        sku: 'VpnGw1AZ',
        activeActive: true,
        virtualNetwork: n.branchVirtualNetwork,
        publicIps: [
          { name: `pip-${n.branchGateway}-1`, ipAddress: n.branchGatewayPublicIps[0] },
          { name: `pip-${n.branchGateway}-2`, ipAddress: n.branchGatewayPublicIps[1] },
        ],
        privateIps: ['10.1.255.4', '10.1.255.5'],
        identity: n.identity,
      },
      {
        // provision (issue 10): Basic takes no managed identity, so it cannot read an outbound certificate.
        name: n.basicGateway,
        resourceGroup: n.resourceGroup,
        sku: 'Basic',
        activeActive: false,
        virtualNetwork: n.basicVirtualNetwork,
        publicIps: [{ name: `pip-${n.basicGateway}-1`, ipAddress: n.basicGatewayPublicIp }],
        privateIps: ['10.2.255.4'],
      },
      {
        // provision (issue 10): its identity has no access to the vault of the outbound certificates.
        name: n.noAccessGateway,
        resourceGroup: n.resourceGroup,
        sku: 'VpnGw1AZ',
        activeActive: true,
        virtualNetwork: n.noAccessVirtualNetwork,
        publicIps: [
          { name: `pip-${n.noAccessGateway}-1`, ipAddress: n.noAccessGatewayPublicIps[0] },
          { name: `pip-${n.noAccessGateway}-2`, ipAddress: n.noAccessGatewayPublicIps[1] },
        ],
        privateIps: ['10.3.255.4', '10.3.255.5'],
        identity: n.noAccessIdentity,
      },
    ],
    workspaces: [{ name: n.workspace, resourceGroup: n.resourceGroup, customerId: n.workspaceCustomerId }],
    diagnosticSettings: [
      {
        name: n.diagnosticSetting,
        gateway: { resourceGroup: n.resourceGroup, name: gw },
        workspace: { resourceGroup: n.resourceGroup, name: n.workspace },
        categories: ['IKEDiagnosticLog', 'TunnelDiagnosticLog'],
        since: at(-7 * hourMs),
      },
    ],
    vaults: [
      {
        name: n.keyVault,
        accessPolicies: [outboundAccess, botAccess, readerAccess],
        certificates: [
          { name: 'outbound-site-london', pem: toPemBundle(londonOut, [azureRoot]) },
          { name: 'outbound-site-paris', pem: toPemBundle(parisOut, [azureRoot]) },
          { name: 'outbound-site-berlin', pem: toPemBundle(berlinOut, [azureRoot]) },
          { name: 'outbound-site-madrid', pem: toPemBundle(madridOut, [azureRoot]) },
          { name: 'outbound-site-oslo', pem: toPemBundle(osloOut, [azureRoot]) },
          { name: 'outbound-site-rome', pem: toPemBundle(romeOut, [azureRoot]) },
          { name: 'outbound-site-lisbon', pem: toPemBundle(lisbonOut, [azureRoot]) },
          { name: 'outbound-site-vienna', pem: toPemBundle(viennaOut, [viennaLegacyRoot]) },
          { name: 'outbound-site-vienna', pem: toPemBundle(viennaOutNewer, [viennaLegacyRoot]), afterConnections: true },
        ],
      },
      {
        // The root CA that issues the outbound certificates, its key not exportable: the bot signs with it through
        // Key Vault (Key Vault Crypto User) and reads its certificate (Key Vault Certificate User); nobody else has a role.
        name: n.caVault,
        permissionModel: 'rbac',
        roleAssignments: [
          { principalId: n.principals.bot.objectId, role: 'Key Vault Crypto User' },
          { principalId: n.principals.bot.objectId, role: 'Key Vault Certificate User' },
        ],
        certificates: [{ name: n.caCertificate, pem: toPemBundle(azureRoot), exportable: false }],
      },
    ],
    sites,
    files: [
      { path: n.files.romeDeviceChain, content: `${romePki.root.pem}${romePki.issuing.pem}` },
      { path: n.files.romeDeviceRoot, content: romePki.root.pem },
      { path: n.files.romeDeviceLeaf, content: romeDevice.pem },
      { path: n.files.azureOutboundRoot, content: azureRoot.pem },
      { path: n.files.viennaLegacyRoot, content: viennaLegacyRoot.pem },
      { path: n.files.berlinG2Chain, content: `${berlinPkiG2.root.pem}${berlinPkiG2.issuing.pem}` },
      { path: n.files.berlinDeviceLeaf, content: berlinDevice.pem },
    ],
  };
}
