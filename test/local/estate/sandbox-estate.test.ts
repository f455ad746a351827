import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogsAdapter } from '../../../adapters/azure/logs';
import { createMonitorAdapter } from '../../../adapters/azure/monitor';
import { createNetworkAdapter } from '../../../adapters/azure/network';
import { toBase64Der } from '../../../core/pki/certificate-info';
import { checkInboundChain } from '../../../core/pki/check-inbound-chain';
import { parseCertificate } from '../../../core/pki/parse-certificate';
import { parseCertificateChain } from '../../../core/pki/parse-certificate-chain';
import { verifyChain } from '../../../core/pki/verify-chain';
import { sandboxNames } from '../../../local/estate/sandbox-estate';
import type { AzureSimulator } from '../../../local/simulator/azure-simulator';
import { rawRequest, startTestSimulator, testNow } from '../simulator/simulator-fixture';

const day = 24 * 3600_000;
const hour = 3600_000;
const n = sandboxNames;
const rgId = `/subscriptions/${n.subscriptionId}/resourceGroups/${n.resourceGroup}`;
const connection = (site: string) => `${rgId}/providers/Microsoft.Network/connections/cn-${site}`;

describe('the sandbox estate', () => {
  let sim: AzureSimulator;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'sandbox-estate-'));
    sim = await startTestSimulator({ stateDir });
  });
  afterAll(async () => {
    await sim.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('has the hub: active-active VpnGw2AZ gateway in vnet-hub with its Key Vault identity and log workspace', async () => {
    const network = createNetworkAdapter(sim.settingsFor('bot'));
    const gateway = await network.getGateway(`${rgId}/providers/Microsoft.Network/virtualNetworkGateways/vpngw-hub`);
    expect(gateway).toMatchObject({ sku: 'VpnGw2AZ', activeActive: true, vpnType: 'RouteBased', publicIpAddresses: n.gatewayPublicIps });
    expect((await network.getVirtualNetwork(gateway.virtualNetworkId ?? '')).addressPrefixes).toEqual(['10.0.0.0/16']);
    expect(gateway.identity?.userAssignedIdentities[0]?.id).toBe(`${rgId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-vpngw-kv`);
    expect(sim.vaults.isAllowed(n.keyVault, n.identityPrincipalId, 'certificates/get') && sim.vaults.isAllowed(n.keyVault, n.identityPrincipalId, 'secrets/get')).toBe(true);
    const diagnostics = await createMonitorAdapter(sim.settingsFor('bot')).getGatewayDiagnostics(gateway.id);
    expect(diagnostics.workspaceFor).toEqual({ IKEDiagnosticLog: `${rgId}/providers/Microsoft.OperationalInsights/workspaces/log-vpn`, TunnelDiagnosticLog: `${rgId}/providers/Microsoft.OperationalInsights/workspaces/log-vpn` });
  });

  it('has each site in its documented state', async () => {
    const network = createNetworkAdapter(sim.settingsFor('bot'));
    const status = async (site: string) => (await network.getConnection(connection(site))).status;
    expect(await status('site-london')).toBe('Connected');
    expect(await status('site-paris')).toBe('Connected');
    for (const site of ['site-berlin', 'site-madrid', 'site-oslo']) expect(await status(site)).toBe('NotConnected');

    const kinds = (site: string) => sim.inspectTunnels(connection(site)).map((t) => [t.outcome?.kind, t.since.toISOString()]);
    expect(kinds('site-berlin')).toEqual(Array(2).fill(['inbound-untrusted', new Date(testNow.getTime() - 2 * hour).toISOString()]));
    expect(kinds('site-madrid')).toEqual(Array(2).fill(['inbound-subject-mismatch', new Date(testNow.getTime() - 3 * hour).toISOString()]));
    expect(kinds('site-oslo')).toEqual(Array(2).fill(['proposal-mismatch', new Date(testNow.getTime() - 4 * hour).toISOString()]));
  });

  it("follows the portal's chain guidance: each inbound chain is the device's root, then its issuing CA", async () => {
    const network = createNetworkAdapter(sim.settingsFor('bot'));
    for (const site of ['site-london', 'site-paris', 'site-berlin', 'site-madrid', 'site-oslo']) {
      const chain = ((await network.getConnection(connection(site))).certificate?.inboundChain ?? []).map((b64) => parseCertificate(Buffer.from(b64, 'base64')));
      expect(chain.map((c) => c.subject)).toEqual([expect.stringMatching(/^CN=\w+ Device Root CA/), expect.stringMatching(/^CN=\w+ Device Issuing CA/)]);
      expect(checkInboundChain(chain, testNow)).toEqual([]);
    }
  });

  it('gives paris an outbound certificate that expires in 10 days and london one valid for about 300', async () => {
    const network = createNetworkAdapter(sim.settingsFor('bot'));
    const daysLeft = async (site: string) => {
      const url = (await network.getConnection(connection(site))).certificate?.outboundCertificateUrl ?? '';
      const read = sim.vaults.readAsGateway(n.identityPrincipalId, url, testNow);
      if (!read.ok) throw new Error(read.code);
      return Math.round((parseCertificate(read.certificates[0]!).notAfter.getTime() - testNow.getTime()) / day);
    };
    expect(await daysLeft('site-paris')).toBe(10);
    expect(await daysLeft('site-london')).toBe(300);
  });

  it('has hours of history in the workspace', async () => {
    const logs = createLogsAdapter(sim.settingsFor('bot'));
    const gatewayResourceId = `${rgId}/providers/Microsoft.Network/virtualNetworkGateways/vpngw-hub`;
    const tunnel = await logs.queryTunnelDiagnostics(n.workspaceCustomerId, { gatewayResourceId, from: new Date(testNow.getTime() - 24 * hour), to: testNow, limit: 100 });
    expect(tunnel[0]?.at.getTime()).toBeLessThanOrEqual(testNow.getTime() - 5 * hour);
    const ike = await logs.queryIkeDiagnostics(n.workspaceCustomerId, { gatewayResourceId, from: new Date(testNow.getTime() - 5 * hour), to: new Date(testNow.getTime() - 4 * hour), limit: 1000, remoteIp: '203.0.113.40' });
    // madrid was healthy then: its negotiations succeeded and left no errors.
    expect(ike.length).toBe(0);
    const madridNow = await logs.queryIkeDiagnostics(n.workspaceCustomerId, { gatewayResourceId, from: new Date(testNow.getTime() - hour), to: testNow, limit: 1000, remoteIp: '203.0.113.40' });
    expect(madridNow.some((r) => r.level === 'Error')).toBe(true);
  });

  it('leaves rome unprovisioned, with its public chain on disk and at the documented URL, ready to provision', async () => {
    const rome = sim.estateInfo.sites.find((s) => s.name === 'site-rome');
    expect(rome).toMatchObject({ devicePublicIp: '203.0.113.50', prefixes: ['10.50.0.0/16'] });
    expect(rome?.connectionId).toBeUndefined();
    expect(rome?.localNetworkGatewayId).toBeUndefined();

    const chainFile = sim.estateInfo.files.find((f) => f.path.endsWith(n.files.romeDeviceChain));
    expect(chainFile?.url).toBe(`${sim.url}/files/${n.files.romeDeviceChain}`);
    const onDisk = await readFile(join(stateDir, n.files.romeDeviceChain), 'utf8');
    const served = await rawRequest(sim, 'GET', `/files/${n.files.romeDeviceChain}`, { principal: null });
    expect(served.status).toBe(200);
    expect(served.text).toBe(onDisk);

    const leaf = parseCertificateChain(await readFile(join(stateDir, n.files.romeDeviceLeaf), 'utf8'))[0];
    const chain = parseCertificateChain(onDisk);
    expect(leaf?.subject).toBe('CN=rome-vpn.contoso.example');
    expect(leaf && (await verifyChain(leaf, [], chain, testNow)).ok).toBe(true);

    const network = createNetworkAdapter(sim.settingsFor('bot'));
    const site = await network.upsertLocalNetworkGateway({ id: `${rgId}/providers/Microsoft.Network/localNetworkGateways/lng-site-rome`, location: n.location, gatewayIpAddress: '203.0.113.50', addressPrefixes: ['10.50.0.0/16'] });
    const created = await network.upsertCertificateConnection({
      id: connection('site-rome'),
      location: n.location,
      gatewayId: `${rgId}/providers/Microsoft.Network/virtualNetworkGateways/vpngw-hub`,
      localNetworkGatewayId: site.id,
      certificate: { outboundCertificateUrl: sim.vaults.certificateIdFor(n.keyVault, 'outbound-site-rome'), inboundSubjectName: 'CN=rome-vpn.contoso.example', inboundChain: chain.map(toBase64Der) },
    });
    expect(created.status).toBe('Connected');
  });
});
