import { LogsQueryClient, LogsQueryResultStatus, type LogsTable } from '@azure/monitor-query-logs';
import { UserError } from '../../core/errors/user-error';
import { azureCaller } from './azure-call';
import { parseAzureResourceId } from './azure-resource-id';
import { sdkClientOptions, type AzureSettings } from './azure-settings';

/** One IKEDiagnosticLog row of a VPN gateway. */
export interface IkeDiagnosticRow {
  readonly at: Date;
  /** Gateway name as the log has it (upper case). */
  readonly gateway: string;
  /** `GatewayTenantWorker_IN_0` / `_IN_1`. */
  readonly instance: string;
  readonly level: string;
  /** Azure's message: `SESSION_ID :{guid} Remote <ip>:500: Local <ip>:500: [SEND|RECEIVED|LOCAL]...`. Untrusted text. */
  readonly message: string;
}

/** One TunnelDiagnosticLog row: a tunnel connected or disconnected. */
export interface TunnelDiagnosticRow {
  readonly at: Date;
  readonly gateway: string;
  readonly instance: string;
  readonly remoteIp: string;
  /** `Connected` / `Disconnected` (Azure's text). */
  readonly status: string;
  readonly reason?: string;
  readonly operationName?: string;
}

export interface DiagnosticsQuery {
  readonly gatewayResourceId: string;
  readonly from: Date;
  readonly to: Date;
  /** The newest `limit` rows of the window are returned (oldest first). 1..1000. */
  readonly limit: number;
  /** Only rows about the tunnel to this device IP. */
  readonly remoteIp?: string;
}

/** Log Analytics for the product (read only): the gateway's IKE and tunnel diagnostics. */
export interface LogsReader {
  /** `workspace`: the workspace id (GUID) or the workspace's resource id. */
  queryIkeDiagnostics(workspace: string, query: DiagnosticsQuery): Promise<IkeDiagnosticRow[]>;
  queryTunnelDiagnostics(workspace: string, query: DiagnosticsQuery): Promise<TunnelDiagnosticRow[]>;
}

/** Most rows one diagnostics query may ask for (the service allows far more; this bounds one activity's memory). */
export const maxDiagnosticsRows = 10_000;

/**
 * AzureDiagnostics has a `_s` column only once a row carrying it has arrived in the workspace: a fresh workspace (or
 * one that only got IKE rows) fails a query naming `remoteIP_s`. So the queries read those columns through
 * `column_ifexists`, which stands in an empty string until they exist.
 */
const dynamicColumn = (name: string): string => `column_ifexists("${name}", "")`;

/**
 * KQL for a gateway's IKE log in a time window, newest first (the adapter returns them oldest first).
 * Every input is escaped or validated: nothing a caller passes can change the query's shape.
 */
export function ikeDiagnosticsQuery(query: DiagnosticsQuery): string {
  return [
    'AzureDiagnostics',
    `| where TimeGenerated between (${kqlDatetime(query.from)} .. ${kqlDatetime(query.to)})`,
    `| where Category == "IKEDiagnosticLog" and ResourceId =~ ${kqlString(gatewayId(query.gatewayResourceId))}`,
    // IKE rows have no remote-IP column: the device's address is in the message (`Remote <ip>:500:`).
    ...(query.remoteIp ? [`| where Message contains ${kqlString(`Remote ${ipv4(query.remoteIp)}:`)}`] : []),
    `| project TimeGenerated, Resource, instance_s = ${dynamicColumn('instance_s')}, Level, Message`,
    '| order by TimeGenerated desc',
    `| take ${limitOf(query.limit)}`,
  ].join('\n');
}

/** KQL for a gateway's tunnel connect/disconnect events in a time window, newest first. */
export function tunnelDiagnosticsQuery(query: DiagnosticsQuery): string {
  return [
    'AzureDiagnostics',
    `| where TimeGenerated between (${kqlDatetime(query.from)} .. ${kqlDatetime(query.to)})`,
    `| where Category == "TunnelDiagnosticLog" and ResourceId =~ ${kqlString(gatewayId(query.gatewayResourceId))}`,
    ...(query.remoteIp ? [`| where ${dynamicColumn('remoteIP_s')} == ${kqlString(ipv4(query.remoteIp))}`] : []),
    `| project TimeGenerated, Resource, ${['instance_s', 'remoteIP_s', 'status_s', 'stateChangeReason_s'].map((c) => `${c} = ${dynamicColumn(c)}`).join(', ')}, OperationName`,
    '| order by TimeGenerated desc',
    `| take ${limitOf(query.limit)}`,
  ].join('\n');
}

/** A KQL string literal: double-quoted, backslash and quote escaped; control characters refused. */
export function kqlString(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new UserError('InvalidQueryInput', 'The value contains control characters.');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function kqlDatetime(value: Date): string {
  if (Number.isNaN(value.getTime())) throw new UserError('InvalidQueryInput', 'The time is not valid.');
  return `datetime(${value.toISOString()})`;
}

/** Log Analytics has no write side in this product. */
export type LogsAdapter = LogsReader;

export function createLogsAdapter(settings: AzureSettings): LogsAdapter {
  const client = new LogsQueryClient(settings.credential, { ...sdkClientOptions(settings), endpoint: settings.logAnalyticsEndpoint });
  const { call, deadline } = azureCaller(settings);
  const run = (workspace: string, text: string, query: DiagnosticsQuery, what: string): Promise<LogsTable> =>
    call(`query the ${what} of the VPN gateway`, async () => {
      const timespan = { startTime: query.from, endTime: query.to };
      const options = { abortSignal: deadline() };
      const result = workspace.startsWith('/')
        ? await client.queryResource(parseAzureResourceId(workspace, 'Microsoft.OperationalInsights/workspaces').id, text, timespan, options)
        : await client.queryWorkspace(workspaceGuid(workspace), text, timespan, options);
      // A partial result still holds the rows that were read; the query's own `take` keeps it small.
      const table = result.status === LogsQueryResultStatus.Success ? result.tables[0] : result.partialTables[0];
      return table ?? { name: 'PrimaryResult', columnDescriptors: [], rows: [] };
    });

  return {
    async queryIkeDiagnostics(workspace, query) {
      const table = await run(workspace, ikeDiagnosticsQuery(query), query, 'IKE log');
      const col = columns(table);
      return table.rows
        .map((row) => ({
          at: asDate(row[col('TimeGenerated')]),
          gateway: asString(row[col('Resource')]),
          instance: asString(row[col('instance_s')]),
          level: asString(row[col('Level')]),
          message: asString(row[col('Message')]),
        }))
        .reverse();
    },
    async queryTunnelDiagnostics(workspace, query) {
      const table = await run(workspace, tunnelDiagnosticsQuery(query), query, 'tunnel log');
      const col = columns(table);
      return table.rows
        .map((row) => {
          const reason = asString(row[col('stateChangeReason_s')]);
          const operationName = asString(row[col('OperationName')]);
          return {
            at: asDate(row[col('TimeGenerated')]),
            gateway: asString(row[col('Resource')]),
            instance: asString(row[col('instance_s')]),
            remoteIp: asString(row[col('remoteIP_s')]),
            status: asString(row[col('status_s')]),
            ...(reason ? { reason } : {}),
            ...(operationName ? { operationName } : {}),
          };
        })
        .reverse();
    },
  };
}

function columns(table: LogsTable): (name: string) => number {
  const index = new Map(table.columnDescriptors.map((c, i) => [c.name ?? '', i]));
  return (name) => index.get(name) ?? -1;
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
}

function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

function gatewayId(id: string): string {
  return parseAzureResourceId(id, 'Microsoft.Network/virtualNetworkGateways').id;
}

function ipv4(value: string): string {
  if (!/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(value)) throw new UserError('InvalidIpAddress', 'That is not an IPv4 address.');
  return value;
}

function limitOf(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > maxDiagnosticsRows) throw new UserError('InvalidQueryInput', `The row limit must be between 1 and ${maxDiagnosticsRows}.`);
  return limit;
}

function workspaceGuid(value: string): string {
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(value)) {
    throw new UserError('InvalidWorkspace', 'That is neither a Log Analytics workspace id (GUID) nor a workspace resource id.');
  }
  return value;
}
