import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ARM_LIST_PAGES } from '../../../adapters/azure/arm-paging';
import { isAzureError, type AzureError } from '../../../adapters/azure/azure-error';
import { createNetworkAdapter, parseAzureUtc, type NetworkAdapter } from '../../../adapters/azure/network';
import { toBase64Der } from '../../../core/pki/certificate-info';
import type { AzureSimulator } from '../../../local/simulator/azure-simulator';
import { sandboxNames } from '../../../local/estate/sandbox-estate';
import { startTestSimulator, testNow } from '../../local/simulator/simulator-fixture';

const hour = 3600_000;

async function azureError(promise: Promise<unknown>): Promise<AzureError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAzureError(error)) throw new Error(`expected an AzureError, got ${String(error)}`);
  return error;
}

describe('network adapter against the simulator (real @azure/arm-network client)', () => {
  let sim: AzureSimulator;
  let network: NetworkAdapter;
  const sub = sandboxNames.subscriptionId;
  const rg = sandboxNames.resourceGroup;
  const id = (type: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`;
  const connectionId = (site: string) => id('Microsoft.Network/connections', `cn-${site}`);
  const gatewayId = id('Microsoft.Network/virtualNetworkGateways', sandboxNames.gateway);

  beforeAll(async () => {
    // A small page size makes the SDK follow nextLink.
    sim = await startTestSimulator({ pageSize: 2 });
    network = createNetworkAdapter(sim.settingsFor('bot'));
  });
  afterAll(async () => {
    await sim.close();
  });

  it('lists certificate connections across pages, with byte counters but no live status', async () => {
    sim.stats.reset();
    const connections = await network.listCertificateConnections({ subscriptionId: sub });
    expect(connections.map((c) => c.name).sort()).toEqual(['cn-site-berlin', 'cn-site-lisbon', 'cn-site-london', 'cn-site-madrid', 'cn-site-oslo', 'cn-site-paris', 'cn-site-vienna']);
    // 7 connections at 2 per page: 4 list calls, plus one resource-group list.
    expect(sim.stats.count('Microsoft.Network/connections/read')).toBe(4);
    expect(sim.stats.count('Microsoft.Resources/subscriptions/resourceGroups/read')).toBe(1);
    const london = connections.find((c) => c.name === 'cn-site-london');
    expect(london?.authenticationType).toBe('Certificate');
    expect(london?.certificate?.inboundSubjectName).toBe('CN=london-vpn.contoso.example');
    expect(london?.certificate?.outboundCertificateUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/certificates\/outbound-site-london\/[0-9a-f]{32}$/);
    expect(london?.ingressBytes).toBeGreaterThan(0);
    expect(connections.find((c) => c.name === 'cn-site-oslo')?.ingressBytes).toBe(0);
    expect(london).not.toHaveProperty('status');
  });

  it('gets a connection with status per tunnel of the active-active gateway', async () => {
    const london = await network.getConnection(connectionId('site-london'));
    expect(london.status).toBe('Connected');
    expect(london.tunnels.map((t) => t.gatewayPublicIp)).toEqual(sandboxNames.gatewayPublicIps);
    expect(london.tunnels.every((t) => t.status === 'Connected')).toBe(true);
    expect(london.tunnels[0]?.lastConnectedAt?.toISOString()).toBe(new Date(testNow.getTime() - 6 * hour).toISOString());
    expect(london.ingressBytes).toBe(london.tunnels.reduce((s, t) => s + t.ingressBytes, 0));
    expect(london.dpdTimeoutSeconds).toBe(45);

    const oslo = await network.getConnection(connectionId('site-oslo'));
    expect(oslo.status).toBe('NotConnected');
    expect(oslo.tunnels.every((t) => t.lastConnectedAt === undefined)).toBe(true);
  });

  it('reads the gateway, its virtual network, its identity and the sites', async () => {
    const gateway = await network.getGateway(gatewayId);
    expect(gateway).toMatchObject({ name: 'vpngw-hub', sku: 'VpnGw2AZ', activeActive: true, vpnType: 'RouteBased', publicIpAddresses: sandboxNames.gatewayPublicIps });
    expect(gateway.identity?.userAssignedIdentities[0]).toMatchObject({ principalId: sandboxNames.identityPrincipalId, clientId: sandboxNames.identityClientId });

    const vnet = await network.getVirtualNetwork(gateway.virtualNetworkId ?? '');
    expect(vnet.addressPrefixes).toEqual(['10.0.0.0/16']);
    expect(vnet.subnets.map((s) => s.name)).toContain('GatewaySubnet');

    const identity = await network.getUserAssignedIdentity(gateway.identity?.userAssignedIdentities[0]?.id ?? '');
    expect(identity).toMatchObject({ name: 'id-vpngw-kv', principalId: sandboxNames.identityPrincipalId, tenantId: sandboxNames.tenantId });

    const site = await network.getLocalNetworkGateway(id('Microsoft.Network/localNetworkGateways', 'lng-site-paris'));
    expect(site).toMatchObject({ gatewayIpAddress: '203.0.113.20', addressPrefixes: ['10.20.0.0/16'], provisioningState: 'Succeeded' });
    const sites = await network.listLocalNetworkGateways({ subscriptionId: sub, resourceGroups: [rg] });
    expect(sites).toHaveLength(7);
  });

  it('provisions a new site end to end: local network gateway and certificate connection come up Connected', async () => {
    const rome = sim.devices.site('site-rome');
    if (!rome) throw new Error('sandbox has no rome device');
    sim.stats.reset();
    const lng = await network.upsertLocalNetworkGateway({ id: id('Microsoft.Network/localNetworkGateways', 'lng-site-rome'), location: 'westeurope', gatewayIpAddress: rome.publicIp, addressPrefixes: ['10.50.0.0/16'] });
    expect(lng.provisioningState).toBe('Succeeded');

    const connection = await network.upsertCertificateConnection({
      id: connectionId('site-rome'),
      location: 'westeurope',
      gatewayId,
      localNetworkGatewayId: lng.id,
      certificate: {
        outboundCertificateUrl: sim.vaults.certificateIdFor(sandboxNames.keyVault, 'outbound-site-rome'),
        inboundSubjectName: 'rome-vpn.contoso.example',
        inboundChain: rome.chain.map(toBase64Der),
      },
    });
    expect(connection.provisioningState).toBe('Succeeded');
    expect(connection.status).toBe('Connected');
    // Long-running operations went through Azure-AsyncOperation polling (InProgress, then Succeeded).
    expect(sim.stats.count('Microsoft.Network/locations/operations/read')).toBeGreaterThanOrEqual(4);
  });

  it('updates a connection without wiping what the update does not mention (a PUT replaces the whole resource)', async () => {
    const paris = await network.getConnection(connectionId('site-paris'));
    const policy = { saLifeTimeSeconds: 3600, saDataSizeKilobytes: 102400000, ipsecEncryption: 'GCMAES256', ipsecIntegrity: 'GCMAES256', ikeEncryption: 'AES256', ikeIntegrity: 'SHA256', dhGroup: 'DHGroup14', pfsGroup: 'PFS14' };
    const base = { id: paris.id, location: paris.location, gatewayId: paris.gatewayId, localNetworkGatewayId: paris.localNetworkGatewayId ?? '', certificate: paris.certificate! };
    await network.upsertCertificateConnection({ ...base, ipsecPolicy: policy, dpdTimeoutSeconds: 30, tags: { owner: 'network-team' } });
    // A later change of the certificate only (what a rotation does) keeps the policy, DPD timeout and tags.
    const rotated = await network.upsertCertificateConnection({ ...base, certificate: { ...base.certificate, inboundSubjectName: 'CN=paris-vpn.contoso.example' } });
    expect([rotated.ipsecPolicy, rotated.dpdTimeoutSeconds, rotated.tags, rotated.certificate?.inboundSubjectName]).toEqual([policy, 30, { owner: 'network-team' }, 'CN=paris-vpn.contoso.example']);
  });

  it('surfaces Azure validation codes for a bad certificate connection', async () => {
    const base = {
      id: connectionId('site-rome'),
      location: 'westeurope',
      gatewayId,
      localNetworkGatewayId: id('Microsoft.Network/localNetworkGateways', 'lng-site-rome'),
      certificate: { outboundCertificateUrl: sim.vaults.certificateIdFor(sandboxNames.keyVault, 'outbound-site-rome'), inboundSubjectName: 'rome-vpn.contoso.example', inboundChain: sim.devices.site('site-rome')?.chain.map(toBase64Der) ?? [] },
    };
    const emptyChain = await azureError(network.upsertCertificateConnection({ ...base, certificate: { ...base.certificate, inboundChain: [] } }));
    expect(emptyChain).toMatchObject({ kind: 'BadRequest', code: 'AzureBadRequest', azureCode: 'InboundAuthCertificateChainIsEmpty' });
    expect(emptyChain.safeMessage).toContain('create or update connection cn-site-rome');

    const noSubject = await azureError(network.upsertCertificateConnection({ ...base, certificate: { ...base.certificate, inboundSubjectName: '' } }));
    expect(noSubject.azureCode).toBe('CertificateSubjectNameIsEmpty');

    const noOutbound = await azureError(network.upsertCertificateConnection({ ...base, certificate: { ...base.certificate, outboundCertificateUrl: '' } }));
    expect(noOutbound.azureCode).toBe('OutboundAuthCertificateIsEmpty');

    const badId = await azureError(network.upsertCertificateConnection({ ...base, gatewayId: `${gatewayId.replace('virtualNetworkGateways', 'virtualNetworkGateways')}-missing` }));
    expect(badId.azureCode).toBe('InvalidResourceReference');
  });

  it('refuses a site whose prefixes overlap the hub virtual network', async () => {
    const error = await azureError(network.upsertLocalNetworkGateway({ id: id('Microsoft.Network/localNetworkGateways', 'lng-site-london'), location: 'westeurope', gatewayIpAddress: '203.0.113.10', addressPrefixes: ['10.0.8.0/24'] }));
    expect(error).toMatchObject({ kind: 'BadRequest', azureCode: 'LocalNetworkGatewayAddressSpaceOverlapsWithVirtualNetwork' });
  });

  it('fails the long-running operation when the gateway identity cannot read the outbound certificate', async () => {
    sim.vaults.removeAccessPolicy(sandboxNames.keyVault, sandboxNames.identityPrincipalId);
    try {
      const connection = await network.getConnection(connectionId('site-paris'));
      const error = await azureError(
        network.upsertCertificateConnection({
          id: connection.id,
          location: connection.location,
          gatewayId: connection.gatewayId,
          localNetworkGatewayId: connection.localNetworkGatewayId ?? '',
          certificate: connection.certificate ?? { outboundCertificateUrl: '', inboundSubjectName: '', inboundChain: [] },
        }),
      );
      expect(error).toMatchObject({ kind: 'OperationFailed', code: 'AzureOperationFailed', azureCode: 'VpnGatewayKeyVaultInaccessibleKeyvault' });
      expect(error.hint).toMatch(/get\/list/);
      const after = await network.getConnection(connection.id);
      expect(after.provisioningState).toBe('Failed');
    } finally {
      sim.vaults.setAccessPolicy(sandboxNames.keyVault, { objectId: sandboxNames.identityPrincipalId, certificates: ['get', 'list'], secrets: ['get', 'list'], keys: [] });
      // Access granted reaches the vault after the propagation delay.
      await sim.advance(60_000);
    }
  });

  it('keeps the gateway identity when set again, and needs Managed Identity Operator to attach another', async () => {
    const identityId = id('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-vpngw-kv');
    const gateway = await network.setGatewayIdentity(gatewayId, identityId);
    expect(gateway.identity?.userAssignedIdentities.map((i) => i.id)).toEqual([identityId]);
    expect(gateway.provisioningState).toBe('Succeeded');

    const other = await azureError(network.setGatewayIdentity(gatewayId, id('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-other')));
    expect(other).toMatchObject({ kind: 'Forbidden', azureCode: 'LinkedAuthorizationFailed', details: { missingAction: 'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action' } });
  });

  it('answers 403 with the missing action for a principal without the role', async () => {
    const reader = createNetworkAdapter(sim.settingsFor('reader'));
    expect((await reader.getConnection(connectionId('site-london'))).name).toBe('cn-site-london');
    const error = await azureError(reader.resetConnection(connectionId('site-london')));
    expect(error).toMatchObject({ kind: 'Forbidden', code: 'AzureForbidden', azureCode: 'AuthorizationFailed', details: { missingAction: 'Microsoft.Network/connections/resetconnection/action' } });
    expect(error.safeMessage).not.toContain(sandboxNames.principals.reader.objectId);
  });

  it('resets a connection (long-running, via Location) and deletes one', async () => {
    await network.resetConnection(connectionId('site-london'));
    expect((await network.getConnection(connectionId('site-london'))).status).toBe('Connected');

    await network.deleteConnection(connectionId('site-rome'));
    const gone = await azureError(network.getConnection(connectionId('site-rome')));
    expect(gone).toMatchObject({ kind: 'NotFound', status: 404 });
    expect(gone.details.status).toBe(404);
  });

  describe('injected faults become typed, presentable errors', () => {
    it('429 after the SDK retried, with Retry-After', async () => {
      const fault = sim.faults.add({ match: { method: 'GET', pathContains: '/connections/cn-site-london' }, respond: { status: 429, retryAfterSeconds: 0 }, times: 10 });
      const error = await azureError(network.getConnection(connectionId('site-london')));
      fault.remove();
      expect(error).toMatchObject({ kind: 'Throttled', code: 'AzureThrottled', retryAfterSeconds: 0 });
      expect(fault.hits).toBe(3); // first try + maxRetries (2)
    });

    it('a 503 that clears within the retries is invisible; one that persists is ServiceUnavailable', async () => {
      const transient = sim.faults.add({ match: { method: 'GET', pathContains: '/connections/cn-site-paris' }, respond: { status: 503 }, times: 1 });
      expect((await network.getConnection(connectionId('site-paris'))).name).toBe('cn-site-paris');
      expect(transient.hits).toBe(1);

      const persistent = sim.faults.add({ match: { method: 'GET', pathContains: '/connections/cn-site-paris' }, respond: { status: 500 } });
      const error = await azureError(network.getConnection(connectionId('site-paris')));
      persistent.remove();
      expect(error).toMatchObject({ kind: 'ServiceUnavailable', code: 'AzureUnavailable', status: 500 });
    });

    it('a slow answer past the deadline is a Timeout', async () => {
      const impatient = createNetworkAdapter(sim.settingsFor('bot', { operationTimeoutMs: 200 }));
      const fault = sim.faults.add({ match: { pathContains: '/connections/cn-site-berlin' }, respond: { delayMs: 1500 }, times: 1 });
      const error = await azureError(impatient.getConnection(connectionId('site-berlin')));
      expect(error).toMatchObject({ kind: 'Timeout', code: 'AzureTimeout' });
      expect(fault.hits).toBe(1);
    });

    it('a failed long-running operation keeps Azure\'s code', async () => {
      sim.faults.add({ match: { method: 'PUT', pathContains: '/localNetworkGateways/lng-site-oslo' }, respond: { lroFails: 'InternalServerError' }, times: 1 });
      const error = await azureError(network.upsertLocalNetworkGateway({ id: id('Microsoft.Network/localNetworkGateways', 'lng-site-oslo'), location: 'westeurope', gatewayIpAddress: '203.0.113.60', addressPrefixes: ['10.60.0.0/16'] }));
      expect(error).toMatchObject({ kind: 'OperationFailed', azureCode: 'InternalServerError' });
      expect((await network.getLocalNetworkGateway(id('Microsoft.Network/localNetworkGateways', 'lng-site-oslo'))).provisioningState).toBe('Failed');
    });

    it('a dropped connection is ServiceUnavailable once retries are exhausted', async () => {
      const fault = sim.faults.add({ match: { pathContains: '/virtualNetworks/vnet-hub' }, respond: { dropConnection: true } });
      const error = await azureError(network.getVirtualNetwork(id('Microsoft.Network/virtualNetworks', 'vnet-hub')));
      fault.remove();
      expect(error).toMatchObject({ kind: 'ServiceUnavailable' });
      expect(error.details.status).toBeUndefined();
    });
  });

  describe('paging: next pages on the ARM endpoint only, and a bounded number of them', () => {
    /** Another host on loopback that records whether anything connected to it (a token would follow the connection). */
    async function otherHost(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
      let connections = 0;
      const server = createNetServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
      return { url: `https://127.0.0.2:${(server.address() as AddressInfo).port}`, connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
    }

    it("refuses a connection list's nextLink to another host before sending anything there", async () => {
      const other = await otherHost();
      const fault = sim.faults.add({ match: { method: 'GET', pathContains: '/providers/Microsoft.Network/connections' }, respond: { nextLink: `${other.url}/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/connections?page=2` }, times: 1 });
      try {
        const error = await azureError(network.listCertificateConnections({ subscriptionId: sub, resourceGroups: [rg] }));
        expect(error.safeMessage).toMatch(/answered with a link to another host, so I stopped reading/);
        expect(error.safeMessage).not.toContain('127.0.0.2');
        expect(fault.hits).toBe(1);
        expect(other.connections()).toBe(0);
      } finally {
        fault.remove();
        await other.close();
      }
    });

    it('refuses a resource-group list whose nextLink names another host', async () => {
      const other = await otherHost();
      const fault = sim.faults.add({ match: { method: 'GET', pathContains: '/resourcegroups' }, respond: { nextLink: `${other.url}/subscriptions/${sub}/resourcegroups?page=2` }, times: 1 });
      try {
        const error = await azureError(network.listCertificateConnections({ subscriptionId: sub }));
        expect(error.safeMessage).toMatch(/answered with a link to another host/);
        expect(other.connections()).toBe(0);
      } finally {
        fault.remove();
        await other.close();
      }
    });

    it('stops a list that pages forever after a bounded number of pages', async () => {
      const endless = sim.faults.add({ match: { method: 'GET', pathContains: '/providers/Microsoft.Network/connections' }, respond: { nextLink: '{self}' } });
      try {
        sim.stats.reset();
        const error = await azureError(network.listCertificateConnections({ subscriptionId: sub, resourceGroups: [rg] }));
        expect(error.safeMessage).toMatch(new RegExp(`kept answering with more pages while I tried to list the VPN connections, so I stopped after ${MAX_ARM_LIST_PAGES}`));
        expect(sim.stats.count('Microsoft.Network/connections/read')).toBe(MAX_ARM_LIST_PAGES);
      } finally {
        endless.remove();
      }
    });
  });

  it('replaces a connection only if it is unchanged since read (If-Match)', async () => {
    const paris = await network.getConnection(connectionId('site-paris'));
    const input = {
      id: paris.id,
      location: paris.location,
      gatewayId: paris.gatewayId,
      localNetworkGatewayId: paris.localNetworkGatewayId ?? '',
      certificate: paris.certificate ?? { outboundCertificateUrl: '', inboundSubjectName: '', inboundChain: [] },
    };
    const stale = await azureError(network.upsertCertificateConnection({ ...input, ifMatchEtag: 'W/"stale"' }));
    expect(stale).toMatchObject({ kind: 'PreconditionFailed', code: 'AzureChangedConcurrently', status: 412 });
    const updated = await network.upsertCertificateConnection({ ...input, ifMatchEtag: paris.etag ?? '' });
    expect(updated.provisioningState).toBe('Succeeded');
    expect(updated.etag).not.toBe(paris.etag);
  });

  it('rejects ids that are not the expected resource type before calling Azure', async () => {
    sim.stats.reset();
    await expect(network.getConnection('/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/connections/a')).rejects.toMatchObject({ code: 'InvalidResourceId' });
    await expect(network.getConnection(gatewayId)).rejects.toMatchObject({ code: 'InvalidResourceId' });
    expect(sim.stats.snapshot().total).toBe(0);
  });

  it('parses Azure\'s tunnel timestamp format', () => {
    expect(parseAzureUtc('11/23/2026 5:04:09 PM')?.toISOString()).toBe('2026-11-23T17:04:09.000Z');
    expect(parseAzureUtc('1/2/2026 12:00:01 AM')?.toISOString()).toBe('2026-01-02T00:00:01.000Z');
    expect(parseAzureUtc('not a date')).toBeUndefined();
  });
});
