import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAzureError } from '../../../adapters/azure/azure-error';
import { createLogsAdapter } from '../../../adapters/azure/logs';
import { createMonitorAdapter, productDiagnosticSettingName, type MonitorAdapter, type TunnelMetricSeries } from '../../../adapters/azure/monitor';
import { createNetworkAdapter } from '../../../adapters/azure/network';
import { sandboxNames } from '../../../local/estate/sandbox-estate';
import type { AzureSimulator } from '../../../local/simulator/azure-simulator';
import { rawRequest, startTestSimulator, testNow } from '../../local/simulator/simulator-fixture';

const hour = 3600_000;
const sum = (series: readonly TunnelMetricSeries[]) => series.flatMap((s) => s.points).reduce((total, p) => total + (p.value ?? 0), 0);

describe('monitor adapter against the simulator (real @azure/arm-monitor client)', () => {
  let sim: AzureSimulator;
  let monitor: MonitorAdapter;
  const sub = sandboxNames.subscriptionId;
  const rg = sandboxNames.resourceGroup;
  const gatewayId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworkGateways/${sandboxNames.gateway}`;
  const workspaceId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.OperationalInsights/workspaces/${sandboxNames.workspace}`;

  beforeAll(async () => {
    sim = await startTestSimulator();
    monitor = createMonitorAdapter(sim.settingsFor('bot'));
  });
  afterAll(async () => {
    await sim.close();
  });

  it('tells which workspace receives the gateway\'s IKE and tunnel logs', async () => {
    const diagnostics = await monitor.getGatewayDiagnostics(gatewayId);
    expect(diagnostics.settings.map((s) => s.name)).toEqual([sandboxNames.diagnosticSetting]);
    expect(diagnostics.workspaceFor.IKEDiagnosticLog).toBe(workspaceId);
    expect(diagnostics.workspaceFor.TunnelDiagnosticLog).toBe(workspaceId);
    expect(await monitor.getWorkspace(workspaceId)).toEqual({ id: workspaceId, name: sandboxNames.workspace, customerId: sandboxNames.workspaceCustomerId });
  });

  it('tunnel bytes in the metrics add up to the connection\'s byte counters', async () => {
    const connection = await createNetworkAdapter(sim.settingsFor('bot')).getConnection(`/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/connections/cn-site-london`);
    const series = await monitor.getTunnelMetrics(gatewayId, { from: new Date(testNow.getTime() - 7 * hour), to: testNow, interval: 'PT1H', connectionName: 'cn-site-london', metrics: ['TunnelIngressBytes', 'TunnelEgressBytes'] });
    const ingress = series.filter((s) => s.metric === 'TunnelIngressBytes');
    // One series per gateway instance, split by the Instance dimension, 7 hourly points each.
    expect(ingress.map((s) => s.instance).sort()).toEqual(['GatewayTenantWorker_IN_0', 'GatewayTenantWorker_IN_1']);
    expect(ingress.every((s) => s.connectionName === 'cn-site-london' && s.remoteIp === '203.0.113.10' && s.points.length === 7)).toBe(true);
    // The first hour predates the connection: no data.
    expect(ingress[0]?.points[0]?.value).toBeUndefined();
    expect(sum(ingress)).toBe(connection.ingressBytes);
    expect(sum(series.filter((s) => s.metric === 'TunnelEgressBytes'))).toBe(connection.egressBytes);
  });

  it('a tunnel that never came up carries no traffic; one with unrouted device prefixes drops on traffic selectors', async () => {
    const window = { from: new Date(testNow.getTime() - hour), to: testNow, interval: 'PT5M' as const };
    const oslo = await monitor.getTunnelMetrics(gatewayId, { ...window, connectionName: 'cn-site-oslo', metrics: ['TunnelIngressBytes', 'MmsaCount'] });
    expect(oslo.length).toBe(4);
    expect(sum(oslo)).toBe(0);

    const paris = await monitor.getTunnelMetrics(gatewayId, { ...window, connectionName: 'cn-site-paris' });
    expect(sum(paris.filter((s) => s.metric === 'TunnelIngressPacketDropTSMismatch'))).toBe(0);
    expect(paris.filter((s) => s.metric === 'TunnelAverageBandwidth').every((s) => s.points.length === 12 && s.points.every((p) => (p.value ?? 0) > 0))).toBe(true);

    // Shrink paris's site to half of what the device routes: Azure keeps the tunnel but drops the other half.
    const network = createNetworkAdapter(sim.settingsFor('bot'));
    const site = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/localNetworkGateways/lng-site-paris`;
    await network.upsertLocalNetworkGateway({ id: site, location: 'westeurope', gatewayIpAddress: '203.0.113.20', addressPrefixes: ['10.20.0.0/17'] });
    await sim.advance(30 * 60_000);
    const after = await monitor.getTunnelMetrics(gatewayId, { from: new Date(sim.clock.now().getTime() - 20 * 60_000), to: sim.clock.now(), interval: 'PT5M', connectionName: 'cn-site-paris', metrics: ['TunnelIngressPacketDropTSMismatch', 'TunnelIngressBytes'] });
    expect(sum(after.filter((s) => s.metric === 'TunnelIngressPacketDropTSMismatch'))).toBeGreaterThan(0);
    expect(sum(after.filter((s) => s.metric === 'TunnelIngressBytes'))).toBeGreaterThan(0);
    await network.upsertLocalNetworkGateway({ id: site, location: 'westeurope', gatewayIpAddress: '203.0.113.20', addressPrefixes: ['10.20.0.0/16'] });
  });

  it('enables diagnostics when they are missing, and only then; logs start at that moment', async () => {
    sim.stats.reset();
    await monitor.enableGatewayDiagnostics(gatewayId, workspaceId);
    expect(sim.stats.count('Microsoft.Insights/diagnosticSettings/write')).toBe(0);

    const removed = await rawRequest(sim, 'DELETE', `${gatewayId}/providers/Microsoft.Insights/diagnosticSettings/${sandboxNames.diagnosticSetting}?api-version=2021-05-01-preview`);
    expect(removed.status).toBe(200);
    expect((await monitor.getGatewayDiagnostics(gatewayId)).workspaceFor.IKEDiagnosticLog).toBeUndefined();

    const enabledAt = sim.clock.now();
    const enabled = await monitor.enableGatewayDiagnostics(gatewayId, workspaceId);
    expect(enabled.settings.map((s) => s.name)).toEqual([productDiagnosticSettingName]);
    expect(enabled.workspaceFor).toEqual({ IKEDiagnosticLog: workspaceId, TunnelDiagnosticLog: workspaceId });

    await sim.advance(10 * 60_000);
    const rows = await createLogsAdapter(sim.settingsFor('bot')).queryIkeDiagnostics(sandboxNames.workspaceCustomerId, { gatewayResourceId: gatewayId, from: new Date(enabledAt.getTime() - 2 * hour), to: sim.clock.now(), limit: 1000 });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.at >= enabledAt)).toBe(true);
  });

  it('refuses a metrics read without a role, and bad filter input before calling Azure', async () => {
    const outsider = createMonitorAdapter(sim.settingsFor('outsider'));
    const error = await outsider.getTunnelMetrics(gatewayId, { from: new Date(testNow.getTime() - hour), to: testNow, interval: 'PT5M' }).catch((e: unknown) => e);
    expect(isAzureError(error) && error.kind).toBe('Forbidden');
    expect(isAzureError(error) && error.details.missingAction).toBe('Microsoft.Insights/metrics/read');

    sim.stats.reset();
    await expect(monitor.getTunnelMetrics(gatewayId, { from: testNow, to: testNow, interval: 'PT5M' })).rejects.toMatchObject({ code: 'InvalidTimeWindow' });
    await expect(monitor.getTunnelMetrics(gatewayId, { from: new Date(0), to: testNow, interval: 'PT5M', connectionName: "x' or Instance eq '*" })).rejects.toMatchObject({ code: 'InvalidMetricFilter' });
    expect(sim.stats.snapshot().total).toBe(0);
  });
});
