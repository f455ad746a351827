import { randomUUID } from 'node:crypto';
import { resourceIdKey } from './arm/resource-id';

/** ARM resources the simulator keeps, in its own shape; `arm/*-render.ts` turns them into Azure's JSON. */
export type ProvisioningState = 'Succeeded' | 'Updating' | 'Deleting' | 'Failed';

interface SimResourceBase {
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  tags: Record<string, string>;
  etag: string;
  readonly resourceGuid: string;
}

export interface SimResourceGroup {
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly location: string;
}

export interface SimVirtualNetwork extends SimResourceBase {
  addressPrefixes: string[];
  subnets: { name: string; addressPrefix: string }[];
}

export interface SimPublicIp extends SimResourceBase {
  ipAddress: string;
  zones: string[];
}

export interface SimGatewayIdentity {
  readonly type: 'UserAssigned';
  readonly userAssignedIdentityIds: readonly string[];
}

export interface SimGateway extends SimResourceBase {
  sku: string;
  gatewayType: 'Vpn' | 'ExpressRoute';
  vpnType: 'RouteBased' | 'PolicyBased';
  vpnGatewayGeneration: 'Generation1' | 'Generation2';
  activeActive: boolean;
  enableBgp: boolean;
  asn: number;
  virtualNetworkId: string;
  /** One per instance: IN_0 first. */
  publicIpIds: string[];
  /** Private BGP/tunnel addresses per instance, from GatewaySubnet. */
  privateIps: string[];
  identity?: SimGatewayIdentity;
  provisioningState: ProvisioningState;
}

export interface SimLocalNetworkGateway extends SimResourceBase {
  gatewayIpAddress?: string;
  fqdn?: string;
  addressPrefixes: string[];
  provisioningState: ProvisioningState;
}

export interface SimIpsecPolicy {
  readonly saLifeTimeSeconds: number;
  readonly saDataSizeKilobytes: number;
  readonly ipsecEncryption: string;
  readonly ipsecIntegrity: string;
  readonly ikeEncryption: string;
  readonly ikeIntegrity: string;
  readonly dhGroup: string;
  readonly pfsGroup: string;
}

export interface SimCertificateAuthentication {
  readonly outboundAuthCertificate?: string;
  readonly inboundAuthCertificateSubjectName?: string;
  readonly inboundAuthCertificateChain?: readonly string[];
}

/** What a connection PUT sets: everything the tunnels depend on. */
export interface SimConnectionConfig {
  readonly virtualNetworkGatewayId: string;
  readonly localNetworkGatewayId: string;
  readonly connectionType: 'IPsec';
  readonly connectionProtocol: 'IKEv2' | 'IKEv1';
  readonly connectionMode: 'Default' | 'InitiatorOnly' | 'ResponderOnly';
  readonly dpdTimeoutSeconds: number;
  readonly routingWeight: number;
  readonly enableBgp: boolean;
  readonly usePolicyBasedTrafficSelectors: boolean;
  readonly useLocalAzureIpAddress: boolean;
  readonly ipsecPolicies: readonly SimIpsecPolicy[];
  readonly authenticationType: 'Certificate' | 'PSK';
  readonly sharedKey?: string;
  readonly certificateAuthentication?: SimCertificateAuthentication;
}

export interface SimConnection extends SimResourceBase {
  config: SimConnectionConfig;
  provisioningState: ProvisioningState;
  readonly createdAt: Date;
}

export interface SimUserAssignedIdentity extends SimResourceBase {
  readonly principalId: string;
  readonly clientId: string;
  readonly tenantId: string;
}

export interface SimWorkspace extends SimResourceBase {
  /** The "workspace id" the Log Analytics query API is addressed with. */
  readonly customerId: string;
}

export interface SimDiagnosticSetting {
  readonly id: string;
  readonly name: string;
  /** The resource the setting is on. */
  readonly resourceId: string;
  workspaceId?: string;
  logAnalyticsDestinationType?: string;
  logs: { category?: string; categoryGroup?: string; enabled: boolean }[];
  metrics: { category: string; enabled: boolean; timeGrain?: string }[];
  /** When the setting started sending: rows from before never reached the destination. */
  readonly since: Date;
}

/** One resource collection keyed by lower-cased id, iterated in insertion order. */
export class ResourceTable<T extends { readonly id: string }> {
  private readonly items = new Map<string, T>();

  get(id: string): T | undefined {
    return this.items.get(resourceIdKey(id));
  }

  set(item: T): T {
    this.items.set(resourceIdKey(item.id), item);
    return item;
  }

  delete(id: string): boolean {
    return this.items.delete(resourceIdKey(id));
  }

  list(filter?: (item: T) => boolean): T[] {
    const all = [...this.items.values()];
    return filter ? all.filter(filter) : all;
  }

  get size(): number {
    return this.items.size;
  }
}

/** Everything ARM knows about, per simulated tenant. */
export class SimResources {
  readonly resourceGroups = new ResourceTable<SimResourceGroup>();
  readonly virtualNetworks = new ResourceTable<SimVirtualNetwork>();
  readonly publicIps = new ResourceTable<SimPublicIp>();
  readonly gateways = new ResourceTable<SimGateway>();
  readonly localNetworkGateways = new ResourceTable<SimLocalNetworkGateway>();
  readonly connections = new ResourceTable<SimConnection>();
  readonly identities = new ResourceTable<SimUserAssignedIdentity>();
  readonly workspaces = new ResourceTable<SimWorkspace>();
  readonly diagnosticSettings = new ResourceTable<SimDiagnosticSetting>();

  constructor(
    readonly subscriptionId: string,
    readonly tenantId: string,
  ) {}

  resourceGroup(name: string): SimResourceGroup | undefined {
    return this.resourceGroups.get(`/subscriptions/${this.subscriptionId}/resourceGroups/${name}`);
  }

  /** Diagnostic settings on a resource. */
  diagnosticSettingsOf(resourceId: string): SimDiagnosticSetting[] {
    const key = resourceIdKey(resourceId);
    return this.diagnosticSettings.list((d) => resourceIdKey(d.resourceId) === key);
  }
}

export function newEtag(): string {
  return `W/"${randomUUID()}"`;
}
