import type { SimConnection, SimGateway, SimLocalNetworkGateway, SimPublicIp, SimResources, SimVirtualNetwork } from '../sim-resources';
import type { SimConnectionHealth } from './connection-runtime';

/** Azure's JSON for Microsoft.Network resources (shapes from the 2025-05-01 REST examples). */

export function renderGateway(gateway: SimGateway, resources: SimResources): Record<string, unknown> {
  const ipConfigurations = gateway.publicIpIds.map((publicIpId, i) => ({
    name: i === 0 ? 'default' : 'activeActive',
    id: `${gateway.id}/ipConfigurations/${i === 0 ? 'default' : 'activeActive'}`,
    etag: gateway.etag,
    type: 'Microsoft.Network/virtualNetworkGateways/ipConfigurations',
    properties: {
      provisioningState: 'Succeeded',
      privateIPAllocationMethod: 'Dynamic',
      publicIPAddress: { id: publicIpId },
      subnet: { id: `${gateway.virtualNetworkId}/subnets/GatewaySubnet` },
    },
  }));
  const identity = gateway.identity
    ? {
        type: gateway.identity.type,
        userAssignedIdentities: Object.fromEntries(
          gateway.identity.userAssignedIdentityIds.map((id) => {
            const found = resources.identities.get(id);
            return [id, found ? { principalId: found.principalId, clientId: found.clientId } : {}];
          }),
        ),
      }
    : undefined;
  return {
    name: gateway.name,
    id: gateway.id,
    etag: gateway.etag,
    type: 'Microsoft.Network/virtualNetworkGateways',
    location: gateway.location,
    tags: gateway.tags,
    ...(identity ? { identity } : {}),
    properties: {
      provisioningState: gateway.provisioningState,
      resourceGuid: gateway.resourceGuid,
      packetCaptureDiagnosticState: 'None',
      enablePrivateIpAddress: false,
      ipConfigurations,
      natRules: [],
      virtualNetworkGatewayPolicyGroups: [],
      enableBgpRouteTranslationForNat: false,
      disableIPSecReplayProtection: false,
      sku: { name: gateway.sku, tier: gateway.sku, capacity: 2 },
      gatewayType: gateway.gatewayType,
      vpnType: gateway.vpnType,
      enableBgp: gateway.enableBgp,
      activeActive: gateway.activeActive,
      vpnGatewayGeneration: gateway.vpnGatewayGeneration,
      bgpSettings: {
        asn: gateway.asn,
        bgpPeeringAddress: gateway.privateIps.join(','),
        peerWeight: 0,
        bgpPeeringAddresses: gateway.publicIpIds.map((publicIpId, i) => ({
          ipconfigurationId: ipConfigurations[i]?.id,
          defaultBgpIpAddresses: gateway.privateIps[i] ? [gateway.privateIps[i]] : [],
          customBgpIpAddresses: [],
          tunnelIpAddresses: [resources.publicIps.get(publicIpId)?.ipAddress].filter((x): x is string => Boolean(x)),
        })),
      },
      allowRemoteVnetTraffic: false,
      allowVirtualWanTraffic: false,
      enableHighBandwidthVpnGateway: false,
    },
  };
}

export function renderVirtualNetwork(vnet: SimVirtualNetwork, resources: SimResources): Record<string, unknown> {
  return {
    name: vnet.name,
    id: vnet.id,
    etag: vnet.etag,
    type: 'Microsoft.Network/virtualNetworks',
    location: vnet.location,
    tags: vnet.tags,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: vnet.resourceGuid,
      addressSpace: { addressPrefixes: vnet.addressPrefixes },
      subnets: vnet.subnets.map((s) => ({
        name: s.name,
        id: `${vnet.id}/subnets/${s.name}`,
        etag: vnet.etag,
        type: 'Microsoft.Network/virtualNetworks/subnets',
        properties: {
          provisioningState: 'Succeeded',
          addressPrefix: s.addressPrefix,
          ...(s.name === 'GatewaySubnet'
            ? {
                ipConfigurations: resources.gateways
                  .list((g) => g.virtualNetworkId.toLowerCase() === vnet.id.toLowerCase())
                  .flatMap((g) => g.publicIpIds.map((_, i) => ({ id: `${g.id}/ipConfigurations/${i === 0 ? 'default' : 'activeActive'}` }))),
              }
            : {}),
          privateEndpointNetworkPolicies: 'Disabled',
          privateLinkServiceNetworkPolicies: 'Enabled',
        },
      })),
      virtualNetworkPeerings: [],
      enableDdosProtection: false,
    },
  };
}

export function renderPublicIp(ip: SimPublicIp, resources: SimResources): Record<string, unknown> {
  const owner = resources.gateways.list().find((g) => g.publicIpIds.some((p) => p.toLowerCase() === ip.id.toLowerCase()));
  const index = owner ? owner.publicIpIds.findIndex((p) => p.toLowerCase() === ip.id.toLowerCase()) : -1;
  return {
    name: ip.name,
    id: ip.id,
    etag: ip.etag,
    type: 'Microsoft.Network/publicIPAddresses',
    location: ip.location,
    tags: ip.tags,
    sku: { name: 'Standard', tier: 'Regional' },
    zones: ip.zones,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: ip.resourceGuid,
      ipAddress: ip.ipAddress,
      publicIPAddressVersion: 'IPv4',
      publicIPAllocationMethod: 'Static',
      idleTimeoutInMinutes: 4,
      ipTags: [],
      ...(owner ? { ipConfiguration: { id: `${owner.id}/ipConfigurations/${index === 0 ? 'default' : 'activeActive'}` } } : {}),
    },
  };
}

export function renderLocalNetworkGateway(lng: SimLocalNetworkGateway): Record<string, unknown> {
  return {
    name: lng.name,
    id: lng.id,
    etag: lng.etag,
    type: 'Microsoft.Network/localNetworkGateways',
    location: lng.location,
    tags: lng.tags,
    properties: {
      provisioningState: lng.provisioningState,
      resourceGuid: lng.resourceGuid,
      localNetworkAddressSpace: { addressPrefixes: lng.addressPrefixes },
      ...(lng.gatewayIpAddress ? { gatewayIpAddress: lng.gatewayIpAddress } : {}),
      ...(lng.fqdn ? { fqdn: lng.fqdn } : {}),
    },
  };
}

/**
 * A connection as GET returns it (`includeStatus`: connectionStatus and tunnelConnectionStatus) or as the list
 * returns it (byte counters, but no status: the list examples in the REST specs carry none).
 */
export function renderConnection(connection: SimConnection, health: SimConnectionHealth, opts: { includeStatus: boolean }): Record<string, unknown> {
  const c = connection.config;
  return {
    name: connection.name,
    id: connection.id,
    etag: connection.etag,
    type: 'Microsoft.Network/connections',
    location: connection.location,
    tags: connection.tags,
    properties: {
      provisioningState: connection.provisioningState,
      resourceGuid: connection.resourceGuid,
      packetCaptureDiagnosticState: 'None',
      // Azure embeds the referenced gateways as `{ id, properties: {} }` (and the SDK's deserializer needs `properties`).
      virtualNetworkGateway1: { id: c.virtualNetworkGatewayId, properties: {} },
      localNetworkGateway2: { id: c.localNetworkGatewayId, properties: {} },
      connectionType: c.connectionType,
      connectionProtocol: c.connectionProtocol,
      routingWeight: c.routingWeight,
      dpdTimeoutSeconds: c.dpdTimeoutSeconds,
      connectionMode: c.connectionMode,
      enableBgp: c.enableBgp,
      useLocalAzureIpAddress: c.useLocalAzureIpAddress,
      usePolicyBasedTrafficSelectors: c.usePolicyBasedTrafficSelectors,
      ipsecPolicies: c.ipsecPolicies,
      trafficSelectorPolicies: [],
      ingressNatRules: [],
      egressNatRules: [],
      expressRouteGatewayBypass: false,
      enablePrivateLinkFastPath: false,
      authenticationType: c.authenticationType,
      ...(c.certificateAuthentication
        ? {
            certificateAuthentication: {
              outboundAuthCertificate: c.certificateAuthentication.outboundAuthCertificate,
              inboundAuthCertificateSubjectName: c.certificateAuthentication.inboundAuthCertificateSubjectName,
              inboundAuthCertificateChain: c.certificateAuthentication.inboundAuthCertificateChain,
            },
          }
        : {}),
      ingressBytesTransferred: health.ingressBytesTransferred,
      egressBytesTransferred: health.egressBytesTransferred,
      ...(opts.includeStatus
        ? {
            connectionStatus: health.connectionStatus,
            tunnelConnectionStatus: health.tunnels.map((t) => ({
              tunnel: t.tunnel,
              connectionStatus: t.connectionStatus,
              ingressBytesTransferred: t.ingressBytesTransferred,
              egressBytesTransferred: t.egressBytesTransferred,
              ...(t.lastConnectionEstablishedUtcTime ? { lastConnectionEstablishedUtcTime: formatDotNetUtc(t.lastConnectionEstablishedUtcTime) } : {}),
            })),
          }
        : {}),
    },
  };
}

/** Azure reports `lastConnectionEstablishedUtcTime` in .NET's invariant general format, e.g. `11/23/2026 5:04:09 PM`. */
export function formatDotNetUtc(date: Date): string {
  const hours = date.getUTCHours();
  const h12 = hours % 12 === 0 ? 12 : hours % 12;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${h12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}
