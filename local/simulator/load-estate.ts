import { randomUUID } from 'node:crypto';
import type { Estate } from '../estate/estate';
import { buildResourceId } from './arm/resource-id';
import type { KeyVaultStore } from './key-vault/key-vault-store';
import type { SimRbac } from './sim-rbac';
import { newEtag, type SimConnection, type SimResources } from './sim-resources';
import { toSimDevice, type SimDevices } from './tunnels/sim-device';
import type { TunnelEngine } from './tunnels/tunnel-engine';
import type { TunnelOutcome } from './tunnels/tunnel-outcome';

/** Creates an estate vault in the store (before its listener starts: the listener's URL is registered on it). */
export function createEstateVault(estate: Estate, vault: Estate['vaults'][number], vaults: KeyVaultStore): void {
  const resourceId = buildResourceId(estate.subscriptionId, vault.resourceGroup ?? estate.resourceGroups[0] ?? '', 'Microsoft.KeyVault/vaults', vault.name);
  vaults.createVault(vault.name, { tenantId: estate.tenantId, permissionModel: vault.permissionModel ?? 'accessPolicies', resourceId, accessPolicies: (vault.accessPolicies ?? []).map((p) => ({ ...p })) });
}

/**
 * Materialises an Estate in the simulator: ARM resources, role assignments, the vaults' roles and certificates,
 * devices, and the tunnels' history. Vaults must already exist and listen (`createEstateVault`; their URLs go into
 * the connections' certificate ids).
 */
export function loadEstate(estate: Estate, deps: { resources: SimResources; rbac: SimRbac; vaults: KeyVaultStore; devices: SimDevices; engine: TunnelEngine }): void {
  const { resources, rbac, vaults, devices, engine } = deps;
  const sub = estate.subscriptionId;
  const location = estate.location;
  const base = (name: string, resourceGroup: string, fullType: string) => ({
    id: buildResourceId(sub, resourceGroup, fullType, name),
    name,
    subscriptionId: sub,
    resourceGroup,
    location,
    tags: {},
    etag: newEtag(),
    resourceGuid: randomUUID(),
  });

  for (const rg of estate.resourceGroups) resources.resourceGroups.set({ id: `/subscriptions/${sub}/resourceGroups/${rg}`, name: rg, subscriptionId: sub, location });
  for (const p of estate.principals) for (const r of p.roles) rbac.assign({ principalId: p.objectId, role: r.role, scope: r.scope });
  for (const i of estate.identities) {
    resources.identities.set({ ...base(i.name, i.resourceGroup, 'Microsoft.ManagedIdentity/userAssignedIdentities'), principalId: i.principalId, clientId: i.clientId, tenantId: estate.tenantId });
  }
  for (const v of estate.virtualNetworks) {
    resources.virtualNetworks.set({ ...base(v.name, v.resourceGroup, 'Microsoft.Network/virtualNetworks'), addressPrefixes: [...v.addressPrefixes], subnets: v.subnets.map((s) => ({ ...s })) });
  }
  for (const g of estate.gateways) {
    const publicIpIds = g.publicIps.map((ip) => resources.publicIps.set({ ...base(ip.name, g.resourceGroup, 'Microsoft.Network/publicIPAddresses'), ipAddress: ip.ipAddress, zones: ['1', '2', '3'] }).id);
    const identity = g.identity ? estate.identities.find((i) => i.name === g.identity) : undefined;
    resources.gateways.set({
      ...base(g.name, g.resourceGroup, 'Microsoft.Network/virtualNetworkGateways'),
      sku: g.sku,
      gatewayType: 'Vpn',
      vpnType: 'RouteBased',
      vpnGatewayGeneration: 'Generation2',
      activeActive: g.activeActive,
      enableBgp: false,
      asn: g.asn ?? 65515,
      virtualNetworkId: buildResourceId(sub, g.resourceGroup, 'Microsoft.Network/virtualNetworks', g.virtualNetwork),
      publicIpIds,
      privateIps: [...g.privateIps],
      ...(identity ? { identity: { type: 'UserAssigned' as const, userAssignedIdentityIds: [buildResourceId(sub, identity.resourceGroup, 'Microsoft.ManagedIdentity/userAssignedIdentities', identity.name)] } } : {}),
      provisioningState: 'Succeeded',
    });
  }
  for (const w of estate.workspaces) resources.workspaces.set({ ...base(w.name, w.resourceGroup, 'Microsoft.OperationalInsights/workspaces'), customerId: w.customerId });

  for (const d of estate.diagnosticSettings) {
    const gatewayId = buildResourceId(sub, d.gateway.resourceGroup, 'Microsoft.Network/virtualNetworkGateways', d.gateway.name);
    const id = `${gatewayId}/providers/microsoft.insights/diagnosticSettings/${d.name}`;
    resources.diagnosticSettings.set({
      id,
      name: d.name,
      resourceId: gatewayId,
      workspaceId: buildResourceId(sub, d.workspace.resourceGroup, 'Microsoft.OperationalInsights/workspaces', d.workspace.name),
      logs: d.categories.map((category) => ({ category, enabled: true })),
      metrics: [{ category: 'AllMetrics', enabled: true }],
      since: d.since,
    });
  }

  for (const v of estate.vaults) {
    for (const a of v.roleAssignments ?? []) rbac.assign({ principalId: a.principalId, role: a.role, scope: vaults.resourceIdOf(v.name) });
    for (const c of v.certificates) if (!c.afterConnections) vaults.importCertificate(v.name, c.name, { pem: c.pem }, c.exportable === false ? { policy: { key_props: { exportable: false } } } : {});
  }

  for (const site of estate.sites) {
    devices.add(
      toSimDevice({
        site: site.name,
        publicIp: site.device.publicIp,
        prefixes: [...site.device.prefixes],
        certificate: site.device.certificate,
        chain: site.device.chain,
        trustedRoots: site.device.trustedRoots,
        proposals: [...site.device.proposals],
        reachable: site.device.reachable ?? true,
        authentication: 'certificate',
      }),
    );
    if (!site.localNetworkGateway) continue;
    const lng = resources.localNetworkGateways.set({
      ...base(site.localNetworkGateway.name, site.resourceGroup, 'Microsoft.Network/localNetworkGateways'),
      gatewayIpAddress: site.device.publicIp,
      addressPrefixes: [...site.localNetworkGateway.addressPrefixes],
      provisioningState: 'Succeeded',
    });
    const c = site.connection;
    if (!c) continue;
    const gateway = estate.gateways.find((g) => g.name === c.gateway);
    if (!gateway) throw new Error(`Estate site ${site.name} refers to unknown gateway ${c.gateway}.`);
    const connection: SimConnection = {
      ...base(c.name, site.resourceGroup, 'Microsoft.Network/connections'),
      config: {
        virtualNetworkGatewayId: buildResourceId(sub, gateway.resourceGroup, 'Microsoft.Network/virtualNetworkGateways', gateway.name),
        localNetworkGatewayId: lng.id,
        connectionType: 'IPsec',
        connectionProtocol: 'IKEv2',
        connectionMode: 'Default',
        dpdTimeoutSeconds: 45,
        routingWeight: 0,
        enableBgp: false,
        usePolicyBasedTrafficSelectors: false,
        useLocalAzureIpAddress: false,
        ipsecPolicies: [],
        authenticationType: 'Certificate',
        certificateAuthentication: {
          outboundAuthCertificate: vaults.certificateIdFor(c.outbound.vault, c.outbound.certificate),
          inboundAuthCertificateSubjectName: c.inboundSubjectName,
          inboundAuthCertificateChain: c.inboundChain.map((cert) => Buffer.from(cert.der).toString('base64')),
        },
      },
      provisioningState: 'Succeeded',
      createdAt: c.createdAt,
    };
    resources.connections.set(connection);
    const history: { at: Date; outcome: TunnelOutcome | 'evaluate' }[] = (c.history ?? []).map((h) => ({ at: h.at, outcome: h.outcome }));
    history.push({ at: c.currentSince ?? c.createdAt, outcome: 'evaluate' });
    engine.seedHistory(connection, history);
  }
  // Versions made after the connections took their references (a renewal no connection uses yet).
  for (const v of estate.vaults) for (const c of v.certificates) if (c.afterConnections) vaults.importCertificate(v.name, c.name, { pem: c.pem }, c.exportable === false ? { policy: { key_props: { exportable: false } } } : {});
}
