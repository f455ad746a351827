import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAzureError } from '../../../adapters/azure/azure-error';
import { createLogsAdapter, ikeDiagnosticsQuery, kqlString, maxDiagnosticsRows, tunnelDiagnosticsQuery, type LogsAdapter } from '../../../adapters/azure/logs';
import { sandboxNames } from '../../../local/estate/sandbox-estate';
import type { AzureSimulator } from '../../../local/simulator/azure-simulator';
import { startTestSimulator, testNow } from '../../local/simulator/simulator-fixture';

const hour = 3600_000;

describe('logs adapter against the simulator (real @azure/monitor-query-logs client)', () => {
  let sim: AzureSimulator;
  let logs: LogsAdapter;
  const sub = sandboxNames.subscriptionId;
  const rg = sandboxNames.resourceGroup;
  const gatewayResourceId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworkGateways/${sandboxNames.gateway}`;
  const workspaceResourceId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.OperationalInsights/workspaces/${sandboxNames.workspace}`;
  const lastHour = { gatewayResourceId, from: new Date(testNow.getTime() - hour), to: testNow };

  beforeAll(async () => {
    sim = await startTestSimulator();
    logs = createLogsAdapter(sim.settingsFor('bot'));
  });
  afterAll(async () => {
    await sim.close();
  });

  it('returns the newest IKE rows for one device, oldest first, showing why Azure rejects it', async () => {
    const rows = await logs.queryIkeDiagnostics(sandboxNames.workspaceCustomerId, { ...lastHour, limit: 40, remoteIp: '203.0.113.30' });
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.message.includes('Remote 203.0.113.30:500'))).toBe(true);
    expect([...rows].sort((a, b) => a.at.getTime() - b.at.getTime())).toEqual(rows);
    expect(new Set(rows.map((r) => r.instance))).toEqual(new Set(['GatewayTenantWorker_IN_0', 'GatewayTenantWorker_IN_1']));
    expect(rows.some((r) => r.level === 'Error' && r.message.includes('0x800B0109'))).toBe(true);
    expect(rows.every((r) => r.gateway === 'VPNGW-HUB')).toBe(true);
  });

  it('shows a proposal mismatch for oslo, and reads the same rows through the workspace resource id', async () => {
    const byGuid = await logs.queryIkeDiagnostics(sandboxNames.workspaceCustomerId, { ...lastHour, limit: 200, remoteIp: '203.0.113.60' });
    const byResource = await logs.queryIkeDiagnostics(workspaceResourceId, { ...lastHour, limit: 200, remoteIp: '203.0.113.60' });
    expect(byResource).toEqual(byGuid);
    expect(byGuid.some((r) => r.message.includes('No Proposal Chosen'))).toBe(true);
    expect(byGuid.some((r) => r.message.includes('Cipher=AES-CBC-128 Integrity=SHA256 DhGroup=ECP256'))).toBe(true);
  });

  it('returns tunnel connect/disconnect events with their reasons', async () => {
    const rows = await logs.queryTunnelDiagnostics(sandboxNames.workspaceCustomerId, { gatewayResourceId, from: new Date(testNow.getTime() - 12 * hour), to: testNow, limit: 100 });
    const madrid = rows.filter((r) => r.remoteIp === '203.0.113.40');
    expect(madrid.map((r) => r.status)).toEqual(['Connected', 'Connected', 'Disconnected', 'Disconnected']);
    expect(madrid[2]?.at.toISOString()).toBe(new Date(testNow.getTime() - 3 * hour).toISOString());
    expect(madrid[2]?.reason).toBe('IKE authentication credentials are unacceptable');
    expect(rows.filter((r) => r.remoteIp === '203.0.113.10').map((r) => r.status)).toEqual(['Connected', 'Connected']);
    // oslo never connected: no tunnel events at all.
    expect(rows.some((r) => r.remoteIp === '203.0.113.60')).toBe(false);
  });

  it('builds queries whose inputs cannot change their shape', () => {
    expect(kqlString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(() => kqlString('line\nbreak')).toThrow(/control characters/);
    const text = ikeDiagnosticsQuery({ gatewayResourceId, from: new Date('2026-11-23T10:00:00Z'), to: new Date('2026-11-23T11:00:00Z'), limit: 10, remoteIp: '203.0.113.10' });
    expect(text).toBe(
      [
        'AzureDiagnostics',
        '| where TimeGenerated between (datetime(2026-11-23T10:00:00.000Z) .. datetime(2026-11-23T11:00:00.000Z))',
        `| where Category == "IKEDiagnosticLog" and ResourceId =~ "${gatewayResourceId}"`,
        '| where Message contains "Remote 203.0.113.10:"',
        '| project TimeGenerated, Resource, instance_s = column_ifexists("instance_s", ""), Level, Message',
        '| order by TimeGenerated desc',
        '| take 10',
      ].join('\n'),
    );
    expect(() => tunnelDiagnosticsQuery({ ...lastHour, limit: 10, remoteIp: '1.2.3.4" or 1==1 //' })).toThrow(/IPv4/);
    expect(() => tunnelDiagnosticsQuery({ ...lastHour, gatewayResourceId: `${gatewayResourceId}" | take 1 //`, limit: 10 })).toThrow();
    expect(() => ikeDiagnosticsQuery({ ...lastHour, limit: maxDiagnosticsRows + 1 })).toThrow(/limit/);
    expect(() => ikeDiagnosticsQuery({ ...lastHour, limit: maxDiagnosticsRows })).not.toThrow();
  });

  it('turns refusals and throttling into typed errors', async () => {
    const outsider = await createLogsAdapter(sim.settingsFor('outsider')).queryIkeDiagnostics(sandboxNames.workspaceCustomerId, { ...lastHour, limit: 1 }).catch((e: unknown) => e);
    expect(isAzureError(outsider) && outsider.kind).toBe('Forbidden');
    expect(isAzureError(outsider) && outsider.azureCode).toBe('InsufficientAccessError');

    const fault = sim.faults.add({ match: { service: 'logs' }, respond: { status: 429, retryAfterSeconds: 0 } });
    const throttled = await logs.queryTunnelDiagnostics(sandboxNames.workspaceCustomerId, { ...lastHour, limit: 1 }).catch((e: unknown) => e);
    fault.remove();
    expect(isAzureError(throttled) && throttled.kind).toBe('Throttled');

    const unknownWorkspace = await logs.queryIkeDiagnostics('00000000-0000-4000-8000-000000000000', { ...lastHour, limit: 1 }).catch((e: unknown) => e);
    expect(isAzureError(unknownWorkspace) && unknownWorkspace.kind).toBe('NotFound');
    await expect(logs.queryIkeDiagnostics('log-vpn', { ...lastHour, limit: 1 })).rejects.toMatchObject({ code: 'InvalidWorkspace' });
  });
});
