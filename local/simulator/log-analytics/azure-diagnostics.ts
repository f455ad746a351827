import type { KqlColumn, KqlRow } from './kql-engine';

export type AzureDiagnosticsCategory = 'IKEDiagnosticLog' | 'TunnelDiagnosticLog';

/** Columns every AzureDiagnostics table has, whatever arrived (resource-specific tables do not exist for VPN gateways). */
export const azureDiagnosticsBaseColumns: readonly KqlColumn[] = [
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
  { name: 'SourceSystem', type: 'string' },
  { name: 'Type', type: 'string' },
  { name: '_ResourceId', type: 'string' },
];

/**
 * The `_s` columns each category brings: AzureDiagnostics gains a column only once a row carrying it has arrived, so
 * a workspace that never received a tunnel row has no `remoteIP_s` and a query naming it fails. IKE rows carry only
 * `instance_s` beyond the common columns (their remote and local IPs are in Message, which queries parse); tunnel rows
 * carry the instance, the remote IP, the status and the reason (Microsoft's TunnelDiagnosticLog examples).
 */
export const categoryColumns: Readonly<Record<AzureDiagnosticsCategory, readonly KqlColumn[]>> = {
  IKEDiagnosticLog: [{ name: 'instance_s', type: 'string' }],
  TunnelDiagnosticLog: [
    { name: 'instance_s', type: 'string' },
    { name: 'remoteIP_s', type: 'string' },
    { name: 'status_s', type: 'string' },
    { name: 'stateChangeReason_s', type: 'string' },
  ],
};

/** Where the workspace's AzureDiagnostics rows come from: the tunnel engine, per gateway and category. */
export interface DiagnosticLogSource {
  rows(gatewayId: string, category: AzureDiagnosticsCategory, from: Date, to: Date): Iterable<KqlRow>;
}

export type DiagnosticsRowInput = {
  readonly gatewayId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly gatewayName: string;
  readonly at: Date;
  readonly operationName: string;
  readonly level: string;
  readonly message: string;
  readonly instance: string;
} & ({ readonly category: 'IKEDiagnosticLog' } | { readonly category: 'TunnelDiagnosticLog'; readonly remoteIp: string; readonly status: string; readonly stateChangeReason: string });

/**
 * One AzureDiagnostics row, with Azure's conventions (upper-cased ResourceId and names; lower-cased _ResourceId).
 * `TenantId` is the receiving workspace's id, set when the workspace is queried.
 */
export function azureDiagnosticsRow(input: DiagnosticsRowInput): KqlRow {
  return {
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
    ...(input.category === 'TunnelDiagnosticLog' ? { remoteIP_s: input.remoteIp, status_s: input.status, stateChangeReason_s: input.stateChangeReason } : {}),
    SourceSystem: 'Azure',
    Type: 'AzureDiagnostics',
    _ResourceId: input.gatewayId.toLowerCase(),
  };
}
