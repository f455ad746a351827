import type { KqlColumn, KqlRow } from './kql-engine';

export type AzureDiagnosticsCategory = 'IKEDiagnosticLog' | 'TunnelDiagnosticLog';

/** The AzureDiagnostics columns a VPN gateway's IKE and tunnel logs fill (resource-specific tables do not exist for it). */
export const azureDiagnosticsColumns: readonly KqlColumn[] = [
  { name: 'TenantId', type: 'string' },
  { name: 'TimeGenerated', type: 'datetime' },
  { name: 'ResourceId', type: 'string' },
  { name: 'Category', type: 'string' },
  { name: 'ResourceGroup', type: 'string' },
  { name: 'SubscriptionId', type: 'string' },
  { name: 'ResourceProvider', type: 'string' },
  { name: 'Resource', type: 'string' },
  { name: 'ResourceType', type: 'string' },
  { name: 'OperationName', type: 'string' },
  { name: 'Level', type: 'string' },
  { name: 'Message', type: 'string' },
  { name: 'instance_s', type: 'string' },
  { name: 'remoteIP_s', type: 'string' },
  { name: 'localIP_s', type: 'string' },
  { name: 'status_s', type: 'string' },
  { name: 'stateChangeReason_s', type: 'string' },
  { name: 'event_s', type: 'string' },
  { name: 'SourceSystem', type: 'string' },
  { name: 'Type', type: 'string' },
  { name: '_ResourceId', type: 'string' },
];

/** Where the workspace's AzureDiagnostics rows come from: the tunnel engine, per gateway and category. */
export interface DiagnosticLogSource {
  rows(gatewayId: string, category: AzureDiagnosticsCategory, from: Date, to: Date): Iterable<KqlRow>;
}

export interface DiagnosticsRowInput {
  readonly tenantId: string;
  readonly gatewayId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly gatewayName: string;
  readonly category: AzureDiagnosticsCategory;
  readonly at: Date;
  readonly operationName: string;
  readonly level: string;
  readonly message: string;
  readonly instance: string;
  readonly remoteIp: string;
  readonly localIp: string;
  readonly status?: string;
  readonly stateChangeReason?: string;
  readonly event?: string;
}

/** One AzureDiagnostics row, with Azure's conventions (upper-cased ResourceId and names; lower-cased _ResourceId). */
export function azureDiagnosticsRow(input: DiagnosticsRowInput): KqlRow {
  return {
    TenantId: input.tenantId,
    TimeGenerated: input.at,
    ResourceId: input.gatewayId.toUpperCase(),
    Category: input.category,
    ResourceGroup: input.resourceGroup.toUpperCase(),
    SubscriptionId: input.subscriptionId,
    ResourceProvider: 'MICROSOFT.NETWORK',
    Resource: input.gatewayName.toUpperCase(),
    ResourceType: 'VIRTUALNETWORKGATEWAYS',
    OperationName: input.operationName,
    Level: input.level,
    Message: input.message,
    instance_s: input.instance,
    remoteIP_s: input.remoteIp,
    localIP_s: input.localIp,
    status_s: input.status ?? null,
    stateChangeReason_s: input.stateChangeReason ?? null,
    event_s: input.event ?? null,
    SourceSystem: 'Azure',
    Type: 'AzureDiagnostics',
    _ResourceId: input.gatewayId.toLowerCase(),
  };
}
