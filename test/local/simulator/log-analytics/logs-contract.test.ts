import { MonitorClient } from '@azure/arm-monitor';
import { LogsQueryClient, LogsQueryResultStatus } from '@azure/monitor-query-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPorts } from '../../../../activities/activity-ports';
import { diagnoseSite, LOG_LAG_NOTE } from '../../../../activities/diagnose-site';
import { sdkClientOptions } from '../../../../adapters/azure/azure-settings';
import { createKeyVaultAdapter } from '../../../../adapters/azure/key-vault';
import { createLogsAdapter } from '../../../../adapters/azure/logs';
import { createMonitorAdapter } from '../../../../adapters/azure/monitor';
import { createNetworkAdapter } from '../../../../adapters/azure/network';
import type { Estate } from '../../../../local/estate/estate';
import { buildSandboxEstate, sandboxNames } from '../../../../local/estate/sandbox-estate';
import { createRootCa, issueCertificate } from '../../../../local/pki/cert-factory';
import type { AzureSimulator } from '../../../../local/simulator/azure-simulator';
import { testPorts } from '../../../activities/fake-adapters';
import { startTestSimulator, testNow } from '../simulator-fixture';

const n = sandboxNames;
const minute = 60_000;
const hour = 60 * minute;
const rgId = `/subscriptions/${n.subscriptionId}/resourceGroups/${n.resourceGroup}`;
const gatewayId = `${rgId}/providers/Microsoft.Network/virtualNetworkGateways/${n.gateway}`;
const fresh = { name: 'log-fresh', customerId: '3f9d1c2b-4a5e-4b6c-8d7e-9f0a1b2c3d4e' };

/** The sandbox estate plus an empty workspace nothing sends to yet. */
async function estateWithFreshWorkspace(): Promise<Estate> {
  const estate = await buildSandboxEstate({ now: testNow });
  return { ...estate, workspaces: [...estate.workspaces, { name: fresh.name, resourceGroup: n.resourceGroup, customerId: fresh.customerId }] };
}

describe('Log Analytics contract (real @azure/monitor-query-logs and @azure/arm-monitor clients)', () => {
  let sim: AzureSimulator;
  let query: LogsQueryClient;
  const freshWorkspaceId = `${rgId}/providers/Microsoft.OperationalInsights/workspaces/${fresh.name}`;

  beforeAll(async () => {
    sim = await startTestSimulator({ estate: estateWithFreshWorkspace });
    const settings = sim.settingsFor('bot');
    query = new LogsQueryClient(settings.credential, { ...sdkClientOptions(settings), endpoint: settings.logAnalyticsEndpoint });
    sim.rbac.assign({ principalId: n.principals.bot.objectId, role: 'Log Analytics Reader', scope: freshWorkspaceId });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('a fresh workspace has no remoteIP_s column: naming it is a semantic error; the product reads it through column_ifexists', async () => {
    const error = await query.queryWorkspace(fresh.customerId, 'AzureDiagnostics | where remoteIP_s == "203.0.113.10"', { duration: 'PT1H' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 400, code: 'BadArgumentError' });
    expect(JSON.stringify((error as { details?: unknown }).details)).toMatch(/SemanticError.*Failed to resolve column or scalar expression named 'remoteIP_s'/);
    const logs = createLogsAdapter(sim.settingsFor('bot'));
    expect(await logs.queryTunnelDiagnostics(fresh.customerId, { gatewayResourceId: gatewayId, from: new Date(testNow.getTime() - hour), to: testNow, limit: 10, remoteIp: '203.0.113.10' })).toEqual([]);
    expect(await logs.queryIkeDiagnostics(fresh.customerId, { gatewayResourceId: gatewayId, from: new Date(testNow.getTime() - hour), to: testNow, limit: 10 })).toEqual([]);
  });

  it('gains columns as rows of each kind arrive, each row an ingestion delay after it happened', async () => {
    // Only the IKE log goes to the fresh workspace.
    const monitor = new MonitorClient(sim.settingsFor('bot').credential, n.subscriptionId, { ...sdkClientOptions(sim.settingsFor('bot')), endpoint: sim.url });
    // The SDK's `{+resourceUri}` template adds the leading '/'.
    await monitor.diagnosticSettings.createOrUpdate(gatewayId.slice(1), 'ike-to-fresh', { workspaceId: freshWorkspaceId, logs: [{ category: 'IKEDiagnosticLog', enabled: true }] });
    const since = sim.clock.now();
    const columnsNow = async () => {
      const result = await query.queryWorkspace(fresh.customerId, 'AzureDiagnostics | take 1', { duration: 'P1D' });
      return result.status === LogsQueryResultStatus.Success ? (result.tables[0]?.columnDescriptors.map((c) => c.name) ?? []) : [];
    };
    expect(await columnsNow()).not.toContain('instance_s');
    // Oslo's device keeps failing: an IKE negotiation every 2 minutes, in the workspace 3 minutes later.
    await sim.advance(2 * minute);
    expect(await columnsNow()).not.toContain('instance_s');
    await sim.advance(3 * minute);
    const columns = await columnsNow();
    expect(columns).toContain('instance_s');
    // IKE rows carry no remote or local IP column (those are in Message) and no tunnel status.
    expect(columns.filter((c) => /IP_s$|status_s|stateChangeReason_s|event_s/.test(c))).toEqual([]);
    const rows = await query.queryWorkspace(fresh.customerId, 'AzureDiagnostics | project TenantId, TimeGenerated, Message, remote = column_ifexists("remoteIP_s", "none")', { startTime: since, endTime: sim.clock.now() });
    const table = rows.status === LogsQueryResultStatus.Success ? rows.tables[0] : undefined;
    expect(table?.rows.length).toBeGreaterThan(0);
    expect(new Set(table?.rows.map((r) => r[0]))).toEqual(new Set([fresh.customerId]));
    expect(table?.rows.every((r) => r[3] === 'none')).toBe(true);
    expect(table?.rows.some((r) => String(r[2]).includes('Remote 203.0.113.60:500: Local 198.51.100.1'))).toBe(true);
    const newest = Math.max(...(table?.rows.map((r) => (r[1] as Date).getTime()) ?? []));
    expect(sim.clock.now().getTime() - newest).toBeGreaterThanOrEqual(3 * minute);
  });

  it('reports tunnel peak packets as a Count, as Azure documents it', async () => {
    const series = await createMonitorAdapter(sim.settingsFor('bot')).getTunnelMetrics(gatewayId, { from: new Date(sim.clock.now().getTime() - hour), to: sim.clock.now(), interval: 'PT5M', connectionName: 'cn-site-london', metrics: ['TunnelPeakPackets', 'TunnelAverageBandwidth'] });
    expect(Object.fromEntries(series.map((s) => [s.metric, s.unit]))).toEqual({ TunnelPeakPackets: 'Count', TunnelAverageBandwidth: 'BytesPerSecond' });
  });
});

describe('the ingestion delay is configurable', () => {
  it('0: rows are queryable the moment they happen', async () => {
    const sim = await startTestSimulator({ logIngestionDelayMs: 0 });
    try {
      const logs = createLogsAdapter(sim.settingsFor('bot'));
      const rows = await logs.queryIkeDiagnostics(n.workspaceCustomerId, { gatewayResourceId: gatewayId, from: new Date(testNow.getTime() - 5 * minute), to: testNow, limit: 500, remoteIp: '203.0.113.60' });
      expect(testNow.getTime() - Math.max(...rows.map((r) => r.at.getTime()))).toBeLessThan(2 * minute);
    } finally {
      await sim.close();
    }
  });
});

describe("diagnose while the newest log entries have not arrived (the product must not call that healthy)", () => {
  it('a tunnel that went down a minute ago is not reported healthy from older rows', async () => {
    const sim = await startTestSimulator();
    try {
      const settings = sim.settingsFor('bot');
      const ports: ActivityPorts = {
        ...testPorts({ scopes: [{ subscriptionId: n.subscriptionId, resourceGroups: [n.resourceGroup] }] }).ports,
        network: createNetworkAdapter(settings),
        keyVault: createKeyVaultAdapter(settings),
        monitor: createMonitorAdapter(settings),
        logs: createLogsAdapter(settings),
        now: () => sim.clock.now(),
      };
      // London's device moves to a certificate from a root the connection does not trust.
      const rogue = await createRootCa({ subject: 'CN=Rogue Root' });
      sim.setDeviceCertificate('site-london', (await issueCertificate(rogue, { subject: `CN=${n.sites['site-london'].deviceCn}` })).info);
      await sim.advance(minute);
      expect((await ports.network.getConnection(`${rgId}/providers/Microsoft.Network/connections/cn-site-london`)).status).toBe('NotConnected');
      for (const hours of [1, 8]) {
        const outcome = await diagnoseSite({ site: 'site-london', hours }, ports);
        expect(outcome.kind === 'diagnosed' ? outcome.diagnosis.cause : outcome.kind).toBe(hours === 1 ? 'no-logs' : 'unknown');
        // The card says the newest entries may still be on their way (the no-logs card always does).
        if (outcome.kind === 'diagnosed') expect(outcome.diagnosis.notes?.map((note) => note.text)).toContain(LOG_LAG_NOTE);
      }
      // Once the rows are in, the cause is named.
      await sim.advance(4 * minute);
      const later = await diagnoseSite({ site: 'site-london', hours: 1 }, ports);
      expect(later.kind === 'diagnosed' && later.diagnosis.cause).toBe('inbound-untrusted');
    } finally {
      await sim.close();
    }
  });
});
