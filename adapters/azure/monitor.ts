import { MonitorClient, type DiagnosticSettingsResource } from '@azure/arm-monitor';
import { cappedPages } from './arm-paging';
import { ArmRequester } from './arm-request';
import { UserError } from '../../core/errors/user-error';
import { azureCaller, waitOutBusy } from './azure-call';
import { parseAzureResourceId } from './azure-resource-id';
import { armClientPerSubscription, type AzureSettings } from './azure-settings';

/** The gateway log categories the product reads. */
export const gatewayLogCategories = ['IKEDiagnosticLog', 'TunnelDiagnosticLog'] as const;
export type GatewayLogCategory = (typeof gatewayLogCategories)[number];

export interface DiagnosticSettingInfo {
  readonly name: string;
  /** Log Analytics workspace resource id, when the setting sends to one. */
  readonly workspaceId?: string;
  readonly enabledCategories: readonly string[];
}

export interface GatewayDiagnosticsInfo {
  readonly gatewayId: string;
  readonly settings: readonly DiagnosticSettingInfo[];
  /** Workspace (resource id) receiving each category we need; undefined when nothing sends it to a workspace. */
  readonly workspaceFor: Readonly<Record<GatewayLogCategory, string | undefined>>;
}

export interface WorkspaceInfo {
  readonly id: string;
  readonly name: string;
  /** The "workspace id" the Log Analytics query API is addressed with. */
  readonly customerId: string;
}

/** Tunnel metrics of a VPN gateway (names as Azure Monitor has them). */
export const tunnelMetricNames = [
  'TunnelAverageBandwidth',
  'TunnelIngressBytes',
  'TunnelEgressBytes',
  'TunnelIngressPackets',
  'TunnelEgressPackets',
  'TunnelIngressPacketDropCount',
  'TunnelEgressPacketDropCount',
  'TunnelIngressPacketDropTSMismatch',
  'TunnelEgressPacketDropTSMismatch',
  'TunnelPeakPackets',
  'TunnelTotalFlowCount',
  'MmsaCount',
  'QmsaCount',
] as const;
export type TunnelMetricName = (typeof tunnelMetricNames)[number];

export type MetricInterval = 'PT5M' | 'PT15M' | 'PT30M' | 'PT1H' | 'PT6H' | 'PT12H' | 'P1D';

export interface TunnelMetricsQuery {
  readonly from: Date;
  readonly to: Date;
  readonly interval: MetricInterval;
  /** Only this connection's tunnels. */
  readonly connectionName?: string;
  /** Only tunnels to this device IP. */
  readonly remoteIp?: string;
  /** Default: bandwidth, bytes in/out and traffic-selector drops. */
  readonly metrics?: readonly TunnelMetricName[];
}

export interface TunnelMetricSeries {
  readonly metric: TunnelMetricName;
  readonly unit: string;
  readonly connectionName?: string;
  readonly remoteIp?: string;
  /** `GatewayTenantWorker_IN_0` / `_IN_1`. */
  readonly instance?: string;
  /** One point per interval; `value` is absent where Azure had no data. Aggregation: the metric's primary one. */
  readonly points: readonly { readonly at: Date; readonly value?: number }[];
}

/** Azure Monitor as the product reads it: where the gateway's logs go, and its tunnel metrics. */
export interface MonitorReader {
  getGatewayDiagnostics(gatewayId: string): Promise<GatewayDiagnosticsInfo>;
  getTunnelMetrics(gatewayId: string, query: TunnelMetricsQuery): Promise<TunnelMetricSeries[]>;
  getWorkspace(workspaceResourceId: string): Promise<WorkspaceInfo>;
}

/** Azure Monitor as the product changes it (only from a change job). */
export interface MonitorWriter {
  /** Makes sure IKE and tunnel logs go to the workspace; adds only what is missing, and is a no-op when all is there. */
  enableGatewayDiagnostics(gatewayId: string, workspaceResourceId: string): Promise<GatewayDiagnosticsInfo>;
  /** Removes the diagnostic setting the product created on the gateway (a rollback); no-op when it is not there. */
  removeProductDiagnosticSetting(gatewayId: string): Promise<GatewayDiagnosticsInfo>;
}

export type MonitorAdapter = MonitorReader & MonitorWriter;

const defaultMetrics: readonly TunnelMetricName[] = ['TunnelAverageBandwidth', 'TunnelIngressBytes', 'TunnelEgressBytes', 'TunnelIngressPacketDropTSMismatch', 'TunnelEgressPacketDropTSMismatch'];
const primaryAggregation: Record<TunnelMetricName, 'average' | 'total' | 'maximum'> = {
  TunnelAverageBandwidth: 'average',
  TunnelIngressBytes: 'total',
  TunnelEgressBytes: 'total',
  TunnelIngressPackets: 'total',
  TunnelEgressPackets: 'total',
  TunnelIngressPacketDropCount: 'total',
  TunnelEgressPacketDropCount: 'total',
  TunnelIngressPacketDropTSMismatch: 'total',
  TunnelEgressPacketDropTSMismatch: 'total',
  TunnelPeakPackets: 'maximum',
  TunnelTotalFlowCount: 'total',
  MmsaCount: 'total',
  QmsaCount: 'total',
};
/** Name the product gives the diagnostic setting it creates. */
export const productDiagnosticSettingName = 'vpn-chatops-diagnostics';
const operationalInsightsApiVersion = '2022-10-01';

export function createMonitorAdapter(settings: AzureSettings): MonitorAdapter {
  const client = armClientPerSubscription(settings, (credential, subscriptionId, options) => new MonitorClient(credential, subscriptionId, options));
  const { call, deadline: timeout } = azureCaller(settings);

  const readDiagnostics = async (gatewayId: string): Promise<GatewayDiagnosticsInfo> => {
    const ref = parseAzureResourceId(gatewayId, 'Microsoft.Network/virtualNetworkGateways');
    const settingsList: DiagnosticSettingInfo[] = [];
    for await (const s of cappedPages(client(ref.subscriptionId).diagnosticSettings.list(resourceUri(ref.id), { abortSignal: timeout() }).byPage(), "read the VPN gateway's diagnostic settings")) settingsList.push(toSettingInfo(s));
    return { gatewayId: ref.id, settings: settingsList, workspaceFor: workspaceMap(settingsList) };
  };

  return {
    getGatewayDiagnostics: (gatewayId) => call('read the VPN gateway\'s diagnostic settings', () => readDiagnostics(gatewayId)),

    enableGatewayDiagnostics: async (gatewayId, workspaceResourceId) => {
      const gateway = parseAzureResourceId(gatewayId, 'Microsoft.Network/virtualNetworkGateways');
      const workspace = parseAzureResourceId(workspaceResourceId, 'Microsoft.OperationalInsights/workspaces');
      return call(`send VPN gateway ${gateway.name}'s IKE and tunnel logs to workspace ${workspace.name}`, async () => {
        const current = await readDiagnostics(gateway.id);
        const missing = gatewayLogCategories.filter((c) => current.workspaceFor[c]?.toLowerCase() !== workspace.id.toLowerCase());
        if (missing.length === 0) return current;
        // Azure refuses the same category to the same workspace from two settings: extend ours, never duplicate.
        const ours = current.settings.find((s) => s.name === productDiagnosticSettingName);
        const categories = new Set<string>([...(ours && ours.workspaceId?.toLowerCase() === workspace.id.toLowerCase() ? ours.enabledCategories : []), ...missing]);
        const sentElsewhereToWorkspace = new Set(
          current.settings.filter((s) => s.name !== productDiagnosticSettingName && s.workspaceId?.toLowerCase() === workspace.id.toLowerCase()).flatMap((s) => s.enabledCategories),
        );
        const parameters: DiagnosticSettingsResource = {
          workspaceId: workspace.id,
          logs: [...categories].filter((c) => !sentElsewhereToWorkspace.has(c)).map((category) => ({ category, enabled: true })),
          metrics: [{ category: 'AllMetrics', enabled: true }],
        };
        await waitOutBusy(settings, () => client(gateway.subscriptionId).diagnosticSettings.createOrUpdate(resourceUri(gateway.id), productDiagnosticSettingName, parameters, { abortSignal: timeout() }));
        return readDiagnostics(gateway.id);
      });
    },

    removeProductDiagnosticSetting: async (gatewayId) => {
      const gateway = parseAzureResourceId(gatewayId, 'Microsoft.Network/virtualNetworkGateways');
      return call(`remove the diagnostic setting ${productDiagnosticSettingName} of VPN gateway ${gateway.name}`, async () => {
        const current = await readDiagnostics(gateway.id);
        if (current.settings.some((s) => s.name === productDiagnosticSettingName)) {
          await waitOutBusy(settings, () => client(gateway.subscriptionId).diagnosticSettings.delete(resourceUri(gateway.id), productDiagnosticSettingName, { abortSignal: timeout() }));
        }
        return readDiagnostics(gateway.id);
      });
    },

    getTunnelMetrics: async (gatewayId, query) => {
      const ref = parseAzureResourceId(gatewayId, 'Microsoft.Network/virtualNetworkGateways');
      return call(`read the tunnel metrics of VPN gateway ${ref.name}`, async () => {
        if (!(query.from < query.to)) throw new UserError('InvalidTimeWindow', 'The metrics window must start before it ends.');
        const names = query.metrics && query.metrics.length > 0 ? query.metrics : defaultMetrics;
        const aggregations = [...new Set(names.map((n) => primaryAggregation[n]))];
        const response = await client(ref.subscriptionId).metrics.list(resourceUri(ref.id), {
          timespan: `${query.from.toISOString()}/${query.to.toISOString()}`,
          interval: query.interval,
          metricnames: names.join(','),
          aggregation: aggregations.join(','),
          metricnamespace: 'Microsoft.Network/virtualNetworkGateways',
          filter: [
            `ConnectionName eq '${odataValue(query.connectionName ?? '*')}'`,
            `RemoteIP eq '${odataValue(query.remoteIp ?? '*')}'`,
            `Instance eq '*'`,
          ].join(' and '),
          top: 1000,
          abortSignal: timeout(),
        });
        const out: TunnelMetricSeries[] = [];
        for (const metric of response.value) {
          const name = metric.name.value as TunnelMetricName;
          if (!tunnelMetricNames.includes(name)) continue;
          const aggregation = primaryAggregation[name];
          for (const series of metric.timeseries ?? []) {
            const dims = new Map((series.metadatavalues ?? []).map((m) => [(m.name?.value ?? '').toLowerCase(), m.value ?? '']));
            const connectionName = dims.get('connectionname');
            const remoteIp = dims.get('remoteip');
            const instance = dims.get('instance');
            out.push({
              metric: name,
              unit: metric.unit,
              ...(connectionName ? { connectionName } : {}),
              ...(remoteIp ? { remoteIp } : {}),
              ...(instance ? { instance } : {}),
              points: (series.data ?? []).map((p) => {
                const value = p[aggregation];
                return { at: p.timeStamp, ...(typeof value === 'number' ? { value } : {}) };
              }),
            });
          }
        }
        return out;
      });
    },

    getWorkspace: async (workspaceResourceId) => {
      const ref = parseAzureResourceId(workspaceResourceId, 'Microsoft.OperationalInsights/workspaces');
      return call(`read Log Analytics workspace ${ref.name}`, async () => {
        const body = await new ArmRequester(client(ref.subscriptionId).pipeline, settings.armEndpoint).get<{ id: string; name: string; properties?: { customerId?: string } }>(ref.id, operationalInsightsApiVersion, timeout());
        return { id: body.id, name: body.name, customerId: body.properties?.customerId ?? '' };
      });
    },
  };
}

function toSettingInfo(s: DiagnosticSettingsResource): DiagnosticSettingInfo {
  return {
    name: s.name ?? '',
    ...(s.workspaceId ? { workspaceId: s.workspaceId } : {}),
    enabledCategories: (s.logs ?? []).filter((l) => l.enabled).flatMap((l) => (l.category ? [l.category] : l.categoryGroup?.toLowerCase() === 'alllogs' ? [...gatewayLogCategories] : [])),
  };
}

function workspaceMap(settings: readonly DiagnosticSettingInfo[]): Record<GatewayLogCategory, string | undefined> {
  const find = (category: GatewayLogCategory) => settings.find((s) => s.workspaceId && s.enabledCategories.some((c) => c.toLowerCase() === category.toLowerCase()))?.workspaceId;
  return { IKEDiagnosticLog: find('IKEDiagnosticLog'), TunnelDiagnosticLog: find('TunnelDiagnosticLog') };
}

/** The SDK's `{+resourceUri}` template already puts a '/' in front. */
function resourceUri(id: string): string {
  return id.replace(/^\/+/, '');
}

/** OData string literal content: quotes doubled; only characters a connection name or IP can have. */
function odataValue(value: string): string {
  if (!/^[A-Za-z0-9_.()*:-]{1,80}$/.test(value)) throw new UserError('InvalidMetricFilter', 'Connection names and IP addresses contain only letters, digits and . _ - ( ) :');
  return value.replace(/'/g, "''");
}
