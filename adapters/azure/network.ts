import { NetworkManagementClient, type IpsecPolicy, type LocalNetworkGateway, type VirtualNetworkGateway, type VirtualNetworkGatewayConnection } from '@azure/arm-network';
import { cappedPages } from './arm-paging';
import { ArmRequester } from './arm-request';
import { mapConcurrent } from '../../core/async/map-concurrent';
import { azureCaller, waitOutBusy } from './azure-call';
import { parseAzureResourceId, resourceGroupOf } from './azure-resource-id';
import { armClientPerSubscription, type AzureSettings } from './azure-settings';

export type ConnectionStatus = 'Unknown' | 'Connecting' | 'Connected' | 'NotConnected';

export interface CertificateAuthenticationSettings {
  /** Versioned Key Vault certificate identifier of the certificate Azure presents to the device. */
  readonly outboundCertificateUrl: string;
  /** Subject (or CN) the device's certificate must have. */
  readonly inboundSubjectName: string;
  /** Base64 DER of the root and intermediates that validate the device's certificate. */
  readonly inboundChain: readonly string[];
}

export interface IpsecPolicySettings {
  readonly saLifeTimeSeconds: number;
  readonly saDataSizeKilobytes: number;
  readonly ipsecEncryption: string;
  readonly ipsecIntegrity: string;
  readonly ikeEncryption: string;
  readonly ikeIntegrity: string;
  readonly dhGroup: string;
  readonly pfsGroup: string;
}

/** A connection as the list returns it: configuration and byte counters, no live status. */
export interface ConnectionSummary {
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly gatewayId: string;
  readonly localNetworkGatewayId?: string;
  readonly connectionType: string;
  readonly connectionProtocol?: string;
  readonly authenticationType: 'Certificate' | 'PSK' | string;
  readonly certificate?: CertificateAuthenticationSettings;
  readonly provisioningState: string;
  readonly ingressBytes: number;
  readonly egressBytes: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface TunnelState {
  /** Azure's tunnel name (`<gateway>_<gateway instance public IP>`). */
  readonly name: string;
  /** The gateway instance's public IP, when the name carries it. */
  readonly gatewayPublicIp?: string;
  readonly status: ConnectionStatus;
  readonly ingressBytes: number;
  readonly egressBytes: number;
  readonly lastConnectedAt?: Date;
}

/** A connection as GET returns it, with live status per tunnel. */
export interface ConnectionDetails extends ConnectionSummary {
  readonly status: ConnectionStatus;
  readonly tunnels: readonly TunnelState[];
  readonly etag?: string;
  readonly dpdTimeoutSeconds?: number;
  readonly connectionMode?: string;
  readonly usePolicyBasedTrafficSelectors: boolean;
  readonly ipsecPolicy?: IpsecPolicySettings;
}

export interface LocalNetworkGatewayInfo {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly gatewayIpAddress?: string;
  readonly fqdn?: string;
  readonly addressPrefixes: readonly string[];
  readonly provisioningState: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface GatewayInfo {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly sku: string;
  readonly gatewayType: string;
  readonly vpnType: string;
  readonly activeActive: boolean;
  readonly generation?: string;
  readonly provisioningState: string;
  /** Public IPs the gateway instances terminate tunnels on (IN_0 first). */
  readonly publicIpAddresses: readonly string[];
  readonly virtualNetworkId?: string;
  readonly bgp: { readonly enabled: boolean; readonly asn?: number };
  readonly identity?: { readonly type: string; readonly userAssignedIdentities: readonly { readonly id: string; readonly principalId?: string; readonly clientId?: string }[] };
}

export interface VirtualNetworkInfo {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly addressPrefixes: readonly string[];
  readonly subnets: readonly { readonly name: string; readonly addressPrefix?: string }[];
  /** Peered virtual networks and the address space each brings (what the gateway routes to besides its own). */
  readonly peerings?: readonly { readonly name: string; readonly remoteNetworkName: string; readonly addressPrefixes: readonly string[] }[];
}

export interface UserAssignedIdentityInfo {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly principalId: string;
  readonly clientId: string;
  readonly tenantId: string;
}

/** For updates, properties the input leaves out keep their current value (the adapter reads, modifies, then PUTs). */
export interface UpsertLocalNetworkGatewayInput {
  readonly id: string;
  readonly location: string;
  /** The device's public address; empty when `fqdn` names it instead. */
  readonly gatewayIpAddress: string;
  readonly fqdn?: string;
  readonly addressPrefixes: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
}

export interface UpsertCertificateConnectionInput {
  readonly id: string;
  readonly location: string;
  readonly gatewayId: string;
  readonly localNetworkGatewayId: string;
  readonly certificate: CertificateAuthenticationSettings;
  /** Azure's default and the portal's: 45 s. Left out: the connection's current value (45 s for a new one). */
  readonly dpdTimeoutSeconds?: number;
  readonly connectionMode?: 'Default' | 'InitiatorOnly' | 'ResponderOnly';
  readonly usePolicyBasedTrafficSelectors?: boolean;
  readonly ipsecPolicy?: IpsecPolicySettings;
  readonly tags?: Readonly<Record<string, string>>;
  /** Only replace the connection if it still has this etag (optimistic concurrency for rotation). */
  readonly ifMatchEtag?: string;
}

/** Microsoft.Network as the product reads it: sites, certificate connections and the VPN gateway. */
export interface NetworkReader {
  /** Certificate-authenticated connections of the subscription (or the given resource groups), from the list calls. */
  listCertificateConnections(scope: { subscriptionId: string; resourceGroups?: readonly string[] }): Promise<ConnectionSummary[]>;
  /** Every site-to-site (IPsec) connection of the scope, whatever its authentication (for `status <site>` on a PSK one). */
  listSiteToSiteConnections(scope: { subscriptionId: string; resourceGroups?: readonly string[] }): Promise<ConnectionSummary[]>;
  getConnection(id: string): Promise<ConnectionDetails>;
  getLocalNetworkGateway(id: string): Promise<LocalNetworkGatewayInfo>;
  listLocalNetworkGateways(scope: { subscriptionId: string; resourceGroups?: readonly string[] }): Promise<LocalNetworkGatewayInfo[]>;
  getGateway(id: string): Promise<GatewayInfo>;
  getVirtualNetwork(id: string): Promise<VirtualNetworkInfo>;
  getUserAssignedIdentity(id: string): Promise<UserAssignedIdentityInfo>;
}

/** Microsoft.Network as the product changes it (only ever from a change job that was approved). */
export interface NetworkWriter {
  /**
   * Creates or updates a site (long-running). An update keeps what the input does not set (a PUT replaces the whole
   * resource, so the adapter starts from what Azure has).
   */
  upsertLocalNetworkGateway(input: UpsertLocalNetworkGatewayInput): Promise<LocalNetworkGatewayInfo>;
  /**
   * Creates or updates a certificate-authenticated connection (long-running); resolves when Azure finished applying
   * it. An update keeps what the input does not set (IPsec policy, DPD, mode, traffic selectors, routing weight...).
   */
  upsertCertificateConnection(input: UpsertCertificateConnectionInput): Promise<ConnectionDetails>;
  /** Attaches a user-assigned identity to the gateway (the one that reads the outbound certificate) (long-running). */
  setGatewayIdentity(gatewayId: string, identityId: string): Promise<GatewayInfo>;
  deleteConnection(id: string): Promise<void>;
  /** Deletes a site's local network gateway (long-running); Azure refuses while a connection still uses it. */
  deleteLocalNetworkGateway(id: string): Promise<void>;
  resetConnection(id: string): Promise<void>;
  /**
   * Changes only the given certificate settings of a connection (long-running): GET, modify, PUT, so everything else
   * (IPsec policy, DPD, mode, traffic selectors, tags...) stays as Azure has it; Azure's busy answers are waited out.
   * `ifMatchEtag`: only if the connection is still as it was read then.
   */
  updateCertificateAuthentication(id: string, patch: Partial<CertificateAuthenticationSettings>, opts?: { readonly ifMatchEtag?: string }): Promise<ConnectionDetails>;
  /**
   * Sets (or, with undefined, removes) the connection's custom IPsec/IKE policy (long-running): GET, modify, PUT, so
   * everything else stays as Azure has it; Azure's busy answers are waited out.
   */
  setIpsecPolicy(id: string, policy: IpsecPolicySettings | undefined): Promise<ConnectionDetails>;
}

export type NetworkAdapter = NetworkReader & NetworkWriter;

const resourcesApiVersion = '2021-04-01';
/** Resource groups listed at once when a scope is a whole subscription. */
const listConcurrency = 4;
const managedIdentityApiVersion = '2023-01-31';

export function createNetworkAdapter(settings: AzureSettings): NetworkAdapter {
  const client = armClientPerSubscription(settings, (credential, subscriptionId, options) => new NetworkManagementClient(credential, subscriptionId, options));
  const arm = (subscriptionId: string) => new ArmRequester(client(subscriptionId).pipeline, settings.armEndpoint);
  const { call, deadline: timeout, longRunning: lroOptions } = azureCaller(settings);
  const whenNotBusy = <T>(fn: () => Promise<T>): Promise<T> => waitOutBusy(settings, fn);
  /** The resource as Azure has it, or undefined when it does not exist yet. */
  const current = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      if ((error as { statusCode?: unknown }).statusCode === 404) return undefined;
      throw error;
    }
  };

  const resourceGroupsOf = async (scope: { subscriptionId: string; resourceGroups?: readonly string[] }): Promise<string[]> => {
    if (scope.resourceGroups && scope.resourceGroups.length > 0) return [...scope.resourceGroups];
    const groups = await arm(scope.subscriptionId).list<{ name: string }>(`/subscriptions/${scope.subscriptionId}/resourcegroups`, resourcesApiVersion, timeout());
    return groups.map((g) => g.name);
  };

  /** Site-to-site (IPsec) connections of the scope: one list call per resource group, a few groups at a time. */
  const listSiteToSite = (scope: { subscriptionId: string; resourceGroups?: readonly string[] }): Promise<ConnectionSummary[]> =>
    call('list the VPN connections', async () => {
      const groups = await resourceGroupsOf(scope);
      const perGroup = await mapConcurrent(groups, listConcurrency, async (group) => {
        const found: ConnectionSummary[] = [];
        for await (const c of cappedPages(client(scope.subscriptionId).virtualNetworkGatewayConnections.list(group, { abortSignal: timeout() }).byPage(), 'list the VPN connections')) {
          if (c.connectionType === undefined || c.connectionType === 'IPsec') found.push(toConnectionSummary(c));
        }
        return found;
      });
      return perGroup.flat();
    });

  return {
    listCertificateConnections: async (scope) => (await listSiteToSite(scope)).filter((c) => c.authenticationType === 'Certificate'),

    listSiteToSiteConnections: (scope) => listSiteToSite(scope),

    getConnection: async (id) => {
      const ref = parseAzureResourceId(id, 'Microsoft.Network/connections');
      return call(`get connection ${ref.name}`, async () => toConnectionDetails(await client(ref.subscriptionId).virtualNetworkGatewayConnections.get(ref.resourceGroup, ref.name, { abortSignal: timeout() })));
    },

    getLocalNetworkGateway: async (id) => {
      const ref = parseAzureResourceId(id, 'Microsoft.Network/localNetworkGateways');
      return call(`get local network gateway ${ref.name}`, async () => toLocalNetworkGateway(await client(ref.subscriptionId).localNetworkGateways.get(ref.resourceGroup, ref.name, { abortSignal: timeout() })));
    },

    listLocalNetworkGateways: (scope) =>
      call('list the local network gateways', async () => {
        const out: LocalNetworkGatewayInfo[] = [];
        for (const group of await resourceGroupsOf(scope)) {
          for await (const l of cappedPages(client(scope.subscriptionId).localNetworkGateways.list(group, { abortSignal: timeout() }).byPage(), 'list the local network gateways')) out.push(toLocalNetworkGateway(l));
        }
        return out;
      }),

    getGateway: async (id) => {
      const ref = parseAzureResourceId(id, 'Microsoft.Network/virtualNetworkGateways');
      return call(`get VPN gateway ${ref.name}`, async () => toGateway(await client(ref.subscriptionId).virtualNetworkGateways.get(ref.resourceGroup, ref.name, { abortSignal: timeout() })));
    },

    getVirtualNetwork: async (id) => {
      const ref = parseAzureResourceId(id, 'Microsoft.Network/virtualNetworks');
      return call(`get virtual network ${ref.name}`, async () => {
        const v = await client(ref.subscriptionId).virtualNetworks.get(ref.resourceGroup, ref.name, { abortSignal: timeout() });
        return {
          id: v.id ?? ref.id,
          name: v.name ?? ref.name,
          resourceGroup: resourceGroupOf(v.id) ?? ref.resourceGroup,
          location: v.location ?? '',
          addressPrefixes: v.addressSpace?.addressPrefixes ?? [],
          subnets: (v.subnets ?? []).map((s) => ({ name: s.name ?? '', ...(s.addressPrefix ? { addressPrefix: s.addressPrefix } : {}) })),
          peerings: (v.virtualNetworkPeerings ?? []).map((p) => ({
            name: p.name ?? '',
            remoteNetworkName: (p.remoteVirtualNetwork?.id ?? '').split('/').pop() ?? '',
            addressPrefixes: p.remoteAddressSpace?.addressPrefixes ?? [],
          })),
        };
      });
    },

    getUserAssignedIdentity: async (id) => {
      const ref = parseAzureResourceId(id, 'Microsoft.ManagedIdentity/userAssignedIdentities');
      return call(`get managed identity ${ref.name}`, async () => {
        const body = await arm(ref.subscriptionId).get<{ id: string; name: string; location: string; properties?: { principalId?: string; clientId?: string; tenantId?: string } }>(ref.id, managedIdentityApiVersion, timeout());
        return {
          id: body.id,
          name: body.name,
          resourceGroup: resourceGroupOf(body.id) ?? ref.resourceGroup,
          location: body.location,
          principalId: body.properties?.principalId ?? '',
          clientId: body.properties?.clientId ?? '',
          tenantId: body.properties?.tenantId ?? '',
        };
      });
    },

    upsertLocalNetworkGateway: async (input) => {
      const ref = parseAzureResourceId(input.id, 'Microsoft.Network/localNetworkGateways');
      return call(`create or update local network gateway ${ref.name}`, async () => {
        const c = client(ref.subscriptionId);
        const existing = await current(() => c.localNetworkGateways.get(ref.resourceGroup, ref.name, { abortSignal: timeout() }));
        const parameters: LocalNetworkGateway = {
          ...(existing ?? {}),
          location: input.location,
          ...(input.fqdn ? { fqdn: input.fqdn, gatewayIpAddress: undefined } : { gatewayIpAddress: input.gatewayIpAddress }),
          localNetworkAddressSpace: { ...(existing?.localNetworkAddressSpace ?? {}), addressPrefixes: [...input.addressPrefixes] },
          tags: { ...(input.tags ?? existing?.tags ?? {}) },
        };
        return toLocalNetworkGateway(await whenNotBusy(() => c.localNetworkGateways.createOrUpdate(ref.resourceGroup, ref.name, parameters, lroOptions())));
      });
    },

    upsertCertificateConnection: async (input) => {
      const ref = parseAzureResourceId(input.id, 'Microsoft.Network/connections');
      parseAzureResourceId(input.gatewayId, 'Microsoft.Network/virtualNetworkGateways');
      parseAzureResourceId(input.localNetworkGatewayId, 'Microsoft.Network/localNetworkGateways');
      return call(`create or update connection ${ref.name}`, async () => {
        const c = client(ref.subscriptionId);
        // A PUT replaces the connection: start from what Azure has, so settings this input does not carry survive.
        const existing = await current(() => c.virtualNetworkGatewayConnections.get(ref.resourceGroup, ref.name, { abortSignal: timeout() }));
        const parameters: VirtualNetworkGatewayConnection = {
          ...(existing ?? { enableBgp: false }),
          location: input.location,
          tags: { ...(input.tags ?? existing?.tags ?? {}) },
          virtualNetworkGateway1: { id: input.gatewayId },
          localNetworkGateway2: { id: input.localNetworkGatewayId },
          connectionType: 'IPsec',
          connectionProtocol: 'IKEv2',
          connectionMode: input.connectionMode ?? existing?.connectionMode ?? 'Default',
          dpdTimeoutSeconds: input.dpdTimeoutSeconds ?? existing?.dpdTimeoutSeconds ?? 45,
          usePolicyBasedTrafficSelectors: input.usePolicyBasedTrafficSelectors ?? existing?.usePolicyBasedTrafficSelectors ?? false,
          ipsecPolicies: input.ipsecPolicy ? [toSdkIpsecPolicy(input.ipsecPolicy)] : (existing?.ipsecPolicies ?? []),
          authenticationType: 'Certificate',
          sharedKey: undefined,
          certificateAuthentication: {
            outboundAuthCertificate: input.certificate.outboundCertificateUrl,
            inboundAuthCertificateSubjectName: input.certificate.inboundSubjectName,
            inboundAuthCertificateChain: [...input.certificate.inboundChain],
          },
        };
        const result = await whenNotBusy(() =>
          c.virtualNetworkGatewayConnections.createOrUpdate(ref.resourceGroup, ref.name, parameters, {
            ...lroOptions(),
            ...(input.ifMatchEtag ? { requestOptions: { headers: { 'If-Match': input.ifMatchEtag } } } : {}),
          }),
        );
        return toConnectionDetails(result);
      });
    },

    updateCertificateAuthentication: async (id, patch, opts = {}) => {
      const ref = parseAzureResourceId(id, 'Microsoft.Network/connections');
      return call(`update the certificate settings of connection ${ref.name}`, async () => {
        const c = client(ref.subscriptionId);
        const put = async () => {
          // Read again on every attempt: a busy answer means someone else is changing it, so start from what they left.
          const existing = await c.virtualNetworkGatewayConnections.get(ref.resourceGroup, ref.name, { abortSignal: timeout() });
          const auth = existing.certificateAuthentication ?? {};
          const parameters: VirtualNetworkGatewayConnection = {
            ...existing,
            certificateAuthentication: {
              ...auth,
              ...(patch.outboundCertificateUrl !== undefined ? { outboundAuthCertificate: patch.outboundCertificateUrl } : {}),
              ...(patch.inboundSubjectName !== undefined ? { inboundAuthCertificateSubjectName: patch.inboundSubjectName } : {}),
              ...(patch.inboundChain !== undefined ? { inboundAuthCertificateChain: [...patch.inboundChain] } : {}),
            },
          };
          return c.virtualNetworkGatewayConnections.createOrUpdate(ref.resourceGroup, ref.name, parameters, {
            ...lroOptions(),
            ...(opts.ifMatchEtag ? { requestOptions: { headers: { 'If-Match': opts.ifMatchEtag } } } : {}),
          });
        };
        return toConnectionDetails(await whenNotBusy(put));
      });
    },

    setIpsecPolicy: async (id, policy) => {
      const ref = parseAzureResourceId(id, 'Microsoft.Network/connections');
      return call(`set the IPsec/IKE policy of connection ${ref.name}`, async () => {
        const c = client(ref.subscriptionId);
        const put = async () => {
          // Read again on every attempt: a busy answer means someone else is changing it, so start from what they left.
          const existing = await c.virtualNetworkGatewayConnections.get(ref.resourceGroup, ref.name, { abortSignal: timeout() });
          const parameters: VirtualNetworkGatewayConnection = { ...existing, ipsecPolicies: policy ? [toSdkIpsecPolicy(policy)] : [] };
          return c.virtualNetworkGatewayConnections.createOrUpdate(ref.resourceGroup, ref.name, parameters, lroOptions());
        };
        return toConnectionDetails(await whenNotBusy(put));
      });
    },

    setGatewayIdentity: async (gatewayId, identityId) => {
      const ref = parseAzureResourceId(gatewayId, 'Microsoft.Network/virtualNetworkGateways');
      parseAzureResourceId(identityId, 'Microsoft.ManagedIdentity/userAssignedIdentities');
      return call(`set the managed identity of VPN gateway ${ref.name}`, async () => {
        const c = client(ref.subscriptionId);
        // A PUT replaces the gateway: start from what Azure has, change only the identity.
        const gateway = await c.virtualNetworkGateways.get(ref.resourceGroup, ref.name, { abortSignal: timeout() });
        const updated: VirtualNetworkGateway = { ...gateway, identity: { type: 'UserAssigned', userAssignedIdentities: { [identityId]: {} } } };
        return toGateway(await whenNotBusy(() => c.virtualNetworkGateways.createOrUpdate(ref.resourceGroup, ref.name, updated, lroOptions())));
      });
    },

    deleteConnection: async (id) => {
      const ref = parseAzureResourceId(id, 'Microsoft.Network/connections');
      return call(`delete connection ${ref.name}`, async () => {
        await whenNotBusy(() => client(ref.subscriptionId).virtualNetworkGatewayConnections.delete(ref.resourceGroup, ref.name, lroOptions()));
      });
    },

    deleteLocalNetworkGateway: async (id) => {
      const ref = parseAzureResourceId(id, 'Microsoft.Network/localNetworkGateways');
      return call(`delete local network gateway ${ref.name}`, async () => {
        await whenNotBusy(() => client(ref.subscriptionId).localNetworkGateways.delete(ref.resourceGroup, ref.name, lroOptions()));
      });
    },

    resetConnection: async (id) => {
      const ref = parseAzureResourceId(id, 'Microsoft.Network/connections');
      return call(`reset connection ${ref.name}`, async () => {
        await whenNotBusy(() => client(ref.subscriptionId).virtualNetworkGatewayConnections.resetConnection(ref.resourceGroup, ref.name, lroOptions()));
      });
    },
  };
}

function toConnectionSummary(c: VirtualNetworkGatewayConnection): ConnectionSummary {
  const id = c.id ?? '';
  const cert = c.certificateAuthentication;
  return {
    id,
    name: c.name ?? '',
    subscriptionId: /\/subscriptions\/([^/]+)/i.exec(id)?.[1] ?? '',
    resourceGroup: resourceGroupOf(id) ?? '',
    location: c.location ?? '',
    gatewayId: c.virtualNetworkGateway1?.id ?? '',
    ...(c.localNetworkGateway2?.id ? { localNetworkGatewayId: c.localNetworkGateway2.id } : {}),
    connectionType: c.connectionType,
    ...(c.connectionProtocol ? { connectionProtocol: c.connectionProtocol } : {}),
    authenticationType: c.authenticationType ?? 'PSK',
    ...(cert
      ? {
          certificate: {
            outboundCertificateUrl: cert.outboundAuthCertificate ?? '',
            inboundSubjectName: cert.inboundAuthCertificateSubjectName ?? '',
            inboundChain: cert.inboundAuthCertificateChain ?? [],
          },
        }
      : {}),
    provisioningState: c.provisioningState ?? 'Unknown',
    ingressBytes: c.ingressBytesTransferred ?? 0,
    egressBytes: c.egressBytesTransferred ?? 0,
    tags: c.tags ?? {},
  };
}

function toConnectionDetails(c: VirtualNetworkGatewayConnection): ConnectionDetails {
  const policy = c.ipsecPolicies?.[0];
  return {
    ...toConnectionSummary(c),
    status: toStatus(c.connectionStatus),
    tunnels: (c.tunnelConnectionStatus ?? []).map((t) => {
      const name = t.tunnel ?? '';
      const ip = /_(\d{1,3}(?:\.\d{1,3}){3})$/.exec(name)?.[1];
      const last = t.lastConnectionEstablishedUtcTime ? parseAzureUtc(t.lastConnectionEstablishedUtcTime) : undefined;
      return {
        name,
        ...(ip ? { gatewayPublicIp: ip } : {}),
        status: toStatus(t.connectionStatus),
        ingressBytes: t.ingressBytesTransferred ?? 0,
        egressBytes: t.egressBytesTransferred ?? 0,
        ...(last ? { lastConnectedAt: last } : {}),
      };
    }),
    ...(c.etag ? { etag: c.etag } : {}),
    ...(c.dpdTimeoutSeconds !== undefined ? { dpdTimeoutSeconds: c.dpdTimeoutSeconds } : {}),
    ...(c.connectionMode ? { connectionMode: c.connectionMode } : {}),
    usePolicyBasedTrafficSelectors: c.usePolicyBasedTrafficSelectors ?? false,
    ...(policy
      ? {
          ipsecPolicy: {
            saLifeTimeSeconds: policy.saLifeTimeSeconds,
            saDataSizeKilobytes: policy.saDataSizeKilobytes,
            ipsecEncryption: policy.ipsecEncryption,
            ipsecIntegrity: policy.ipsecIntegrity,
            ikeEncryption: policy.ikeEncryption,
            ikeIntegrity: policy.ikeIntegrity,
            dhGroup: policy.dhGroup,
            pfsGroup: policy.pfsGroup,
          },
        }
      : {}),
  };
}

function toSdkIpsecPolicy(p: IpsecPolicySettings): IpsecPolicy {
  return { ...p };
}

function toLocalNetworkGateway(l: LocalNetworkGateway): LocalNetworkGatewayInfo {
  return {
    id: l.id ?? '',
    name: l.name ?? '',
    resourceGroup: resourceGroupOf(l.id) ?? '',
    location: l.location ?? '',
    ...(l.gatewayIpAddress ? { gatewayIpAddress: l.gatewayIpAddress } : {}),
    ...(l.fqdn ? { fqdn: l.fqdn } : {}),
    addressPrefixes: l.localNetworkAddressSpace?.addressPrefixes ?? [],
    provisioningState: l.provisioningState ?? 'Unknown',
    tags: l.tags ?? {},
  };
}

function toGateway(g: VirtualNetworkGateway): GatewayInfo {
  const subnetId = g.ipConfigurations?.[0]?.subnet?.id;
  const identities = g.identity?.userAssignedIdentities ?? {};
  return {
    id: g.id ?? '',
    name: g.name ?? '',
    resourceGroup: resourceGroupOf(g.id) ?? '',
    location: g.location ?? '',
    sku: g.sku?.name ?? '',
    gatewayType: g.gatewayType ?? '',
    vpnType: g.vpnType ?? '',
    activeActive: g.active ?? false,
    ...(g.vpnGatewayGeneration ? { generation: g.vpnGatewayGeneration } : {}),
    provisioningState: g.provisioningState ?? 'Unknown',
    publicIpAddresses: (g.bgpSettings?.bgpPeeringAddresses ?? []).flatMap((b) => b.tunnelIpAddresses ?? []),
    ...(subnetId ? { virtualNetworkId: subnetId.replace(/\/subnets\/[^/]+$/i, '') } : {}),
    bgp: { enabled: g.enableBgp ?? false, ...(g.bgpSettings?.asn !== undefined ? { asn: g.bgpSettings.asn } : {}) },
    ...(g.identity?.type
      ? {
          identity: {
            type: g.identity.type,
            userAssignedIdentities: Object.entries(identities).map(([id, v]) => ({ id, ...(v.principalId ? { principalId: v.principalId } : {}), ...(v.clientId ? { clientId: v.clientId } : {}) })),
          },
        }
      : {}),
  };
}

function toStatus(value: string | undefined): ConnectionStatus {
  return value === 'Connected' || value === 'Connecting' || value === 'NotConnected' ? value : 'Unknown';
}

/** Parses `lastConnectionEstablishedUtcTime` (`11/23/2026 5:04:09 PM`, .NET invariant format) or ISO 8601. */
export function parseAzureUtc(text: string): Date | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?: (AM|PM))?$/.exec(text.trim());
  if (m) {
    let hours = Number(m[4]);
    if (m[7] === 'PM' && hours < 12) hours += 12;
    if (m[7] === 'AM' && hours === 12) hours = 0;
    return new Date(Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), hours, Number(m[5]), Number(m[6])));
  }
  const iso = new Date(text);
  return Number.isNaN(iso.getTime()) ? undefined : iso;
}
