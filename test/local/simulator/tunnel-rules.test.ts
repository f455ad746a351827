import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAzureError } from '../../../adapters/azure/azure-error';
import { createLogsAdapter } from '../../../adapters/azure/logs';
import { createNetworkAdapter, type NetworkAdapter } from '../../../adapters/azure/network';
import { AZURE_DEFAULT_IKE_PROPOSALS } from '../../../core/ike/ike-proposal';
import { toBase64Der } from '../../../core/pki/certificate-info';
import { sandboxNames } from '../../../local/estate/sandbox-estate';
import { createRootCa, EKU, issueCertificate, toPemBundle, type IssuedCertificate } from '../../../local/pki/cert-factory';
import type { AzureSimulator } from '../../../local/simulator/azure-simulator';
import { startTestSimulator, testNow } from './simulator-fixture';

const day = 24 * 3600_000;
const sub = sandboxNames.subscriptionId;
const rg = sandboxNames.resourceGroup;
const gatewayId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworkGateways/${sandboxNames.gateway}`;
const siteId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/localNetworkGateways/lng-site-lab`;
const connectionId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/connections/cn-site-lab`;
const labIp = '203.0.113.70';

/**
 * The tunnel rules, decided on real certificates: a lab site whose device and Key Vault certificates each test
 * changes, connected to the sandbox gateway through the real SDK.
 */
describe('tunnel rules with real certificates', () => {
  let sim: AzureSimulator;
  let network: NetworkAdapter;
  let azureRoot: IssuedCertificate;
  let deviceRoot: IssuedCertificate;
  let otherRoot: IssuedCertificate;
  let deviceLeaf: IssuedCertificate;
  let goodOutboundId: string;

  const importOutbound = (name: string, cert: IssuedCertificate) => sim.vaults.importCertificate(sandboxNames.keyVault, name, { pem: toPemBundle(cert, [azureRoot]) }).id;
  const connect = (overrides: { outbound?: string; subject?: string; chain?: string[] } = {}) =>
    network.upsertCertificateConnection({
      id: connectionId,
      location: 'westeurope',
      gatewayId,
      localNetworkGatewayId: siteId,
      certificate: { outboundCertificateUrl: overrides.outbound ?? goodOutboundId, inboundSubjectName: overrides.subject ?? 'CN=lab-vpn.contoso.example', inboundChain: overrides.chain ?? [toBase64Der(deviceRoot)] },
    });
  const outcome = () => sim.inspectTunnels(connectionId).map((t) => t.outcome?.kind);
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    if (!isAzureError(error)) throw new Error(`expected an AzureError, got ${String(error)}`);
    return error;
  };

  beforeAll(async () => {
    sim = await startTestSimulator();
    network = createNetworkAdapter(sim.settingsFor('bot'));
    [azureRoot, deviceRoot, otherRoot] = await Promise.all([
      createRootCa({ subject: 'CN=Lab Azure Root', notBefore: new Date(testNow.getTime() - 100 * day) }),
      createRootCa({ subject: 'CN=Lab Device Root', notBefore: new Date(testNow.getTime() - 100 * day) }),
      createRootCa({ subject: 'CN=Lab Device Root', notBefore: new Date(testNow.getTime() - 100 * day) }), // same name, other key
    ]);
    deviceLeaf = await issueCertificate(deviceRoot, { subject: 'CN=lab-vpn.contoso.example', notBefore: new Date(testNow.getTime() - day) });
    goodOutboundId = importOutbound('outbound-lab', await issueCertificate(azureRoot, { subject: 'CN=azure-lab.vpn.contoso.example', notBefore: new Date(testNow.getTime() - day) }));
    sim.addDevice({
      site: 'site-lab',
      publicIp: labIp,
      prefixes: ['10.70.0.0/16'],
      certificate: deviceLeaf.info,
      chain: [deviceRoot.info],
      trustedRoots: [azureRoot.info],
      proposals: AZURE_DEFAULT_IKE_PROPOSALS.map((p) => ({ ...p })),
      reachable: true,
      authentication: 'certificate',
    });
    await network.upsertLocalNetworkGateway({ id: siteId, location: 'westeurope', gatewayIpAddress: labIp, addressPrefixes: ['10.70.0.0/16'] });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('connects when both directions hold', async () => {
    const connection = await connect();
    expect(connection.status).toBe('Connected');
    expect(outcome()).toEqual(['connected', 'connected']);
  });

  it('stays down when the device certificate does not chain to the configured inbound chain (same-name root, other key)', async () => {
    expect((await connect({ chain: [toBase64Der(otherRoot)] })).status).toBe('NotConnected');
    expect(outcome()).toEqual(['inbound-untrusted', 'inbound-untrusted']);
    // Log Analytics has the negotiation's lines only after its ingestion delay (3 minutes by default).
    const since = new Date(sim.clock.now().getTime() - 1000);
    const query = () => createLogsAdapter(sim.settingsFor('bot')).queryIkeDiagnostics(sandboxNames.workspaceCustomerId, { gatewayResourceId: gatewayId, from: since, to: sim.clock.now(), limit: 100, remoteIp: labIp });
    expect(await query()).toEqual([]);
    await sim.advance(4 * 60_000);
    expect((await query()).some((r) => r.message.includes('0x800B0109') && r.message.includes('CN=lab-vpn.contoso.example'))).toBe(true);
  });

  it('stays down when the device certificate\'s subject is not the configured one', async () => {
    await connect({ subject: 'lab-gw.contoso.example' });
    expect(outcome()).toEqual(['inbound-subject-mismatch', 'inbound-subject-mismatch']);
    // Without "CN=" (as the portal steps say) the right name matches.
    expect((await connect({ subject: 'lab-vpn.contoso.example' })).status).toBe('Connected');
  });

  it('drops the tunnel when the device presents an expired certificate', async () => {
    const expired = await issueCertificate(deviceRoot, { subject: 'CN=lab-vpn.contoso.example', notBefore: new Date(testNow.getTime() - 400 * day), notAfter: new Date(testNow.getTime() - day) });
    sim.setDeviceCertificate('site-lab', expired.info);
    await sim.tick();
    expect(outcome()).toEqual(['inbound-expired', 'inbound-expired']);
    sim.setDeviceCertificate('site-lab', deviceLeaf.info);
    await sim.tick();
    expect(outcome()).toEqual(['connected', 'connected']);
  });

  it('refuses an outbound certificate with a 1024-bit key or without both EKUs (the operation fails with Azure\'s code)', async () => {
    const weak = importOutbound('outbound-lab-weak', await issueCertificate(azureRoot, { subject: 'CN=weak', keyBits: 1024 }));
    expect((await failure(connect({ outbound: weak }))).azureCode).toBe('VpnConnectionOutBoundAuthenticationCertificateRSAPrivateKeyLength');
    const serverOnly = importOutbound('outbound-lab-server-only', await issueCertificate(azureRoot, { subject: 'CN=server-only', extendedKeyUsages: [EKU.serverAuth] }));
    expect((await failure(connect({ outbound: serverOnly }))).azureCode).toBe('VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth');
    const expired = importOutbound('outbound-lab-expired', await issueCertificate(azureRoot, { subject: 'CN=old', notBefore: new Date(testNow.getTime() - 400 * day), notAfter: new Date(testNow.getTime() - day) }));
    expect((await failure(connect({ outbound: expired }))).azureCode).toBe('VpnConnectionOutBoundAuthenticationCertificateIsExpired');
    // Azure documents no rollback: by default the connection holds the requested configuration, marked Failed.
    const failed = await network.getConnection(connectionId);
    expect([failed.provisioningState, failed.certificate?.outboundCertificateUrl]).toEqual(['Failed', expired]);
    expect((await connect()).status).toBe('Connected');
  });

  it('refuses an inbound chain of more than five certificates', async () => {
    const chain = await Promise.all([1, 2, 3, 4, 5].map((i) => createRootCa({ subject: `CN=Extra Root ${i}`, keyBits: 1024 })));
    const error = await failure(connect({ chain: [toBase64Der(deviceRoot), ...chain.map(toBase64Der)] }));
    expect(error).toMatchObject({ kind: 'BadRequest', azureCode: 'MaxRootCertificatePublicKeySupported' });
  });

  it('stays down when the device does not trust the root of Azure\'s certificate', async () => {
    sim.setDeviceTrustedRoots('site-lab', [otherRoot.info]);
    await sim.tick();
    expect(outcome()).toEqual(['outbound-rejected-by-peer', 'outbound-rejected-by-peer']);
    sim.setDeviceTrustedRoots('site-lab', [azureRoot.info]);
    await sim.tick();
  });

  it('stays down when no IKE proposal is shared, with both proposal lists in the outcome', async () => {
    sim.setDeviceProposals('site-lab', [{ encryption: 'AES256', integrity: 'SHA384', dhGroup: 'ECP384' }]);
    await sim.tick();
    const tunnel = sim.inspectTunnels(connectionId)[0];
    expect(tunnel?.outcome).toMatchObject({ kind: 'proposal-mismatch', deviceAccepts: [{ encryption: 'AES256', integrity: 'SHA384', dhGroup: 'ECP384' }] });
    expect(tunnel?.outcome?.kind === 'proposal-mismatch' && tunnel.outcome.azureOffers).toHaveLength(6);
    sim.setDeviceProposals('site-lab', AZURE_DEFAULT_IKE_PROPOSALS.map((p) => ({ ...p })));
    sim.setDeviceReachable('site-lab', false);
    await sim.tick();
    expect(outcome()).toEqual(['peer-unreachable', 'peer-unreachable']);
    sim.setDeviceReachable('site-lab', true);
    await sim.tick();
    expect(outcome()).toEqual(['connected', 'connected']);
  });

  it('goes down by itself when the outbound certificate expires, and logs the disconnect at that moment', async () => {
    const shortLived = await issueCertificate(azureRoot, { subject: 'CN=short', notBefore: new Date(testNow.getTime() - day), notAfter: new Date(sim.clock.now().getTime() + 2 * day) });
    const id = importOutbound('outbound-lab-short', shortLived);
    expect((await connect({ outbound: id })).status).toBe('Connected');
    await sim.advance(3 * day);
    expect(outcome()).toEqual(['outbound-unusable', 'outbound-unusable']);
    expect((await network.getConnection(connectionId)).status).toBe('NotConnected');
    const events = await createLogsAdapter(sim.settingsFor('bot')).queryTunnelDiagnostics(sandboxNames.workspaceCustomerId, { gatewayResourceId: gatewayId, from: new Date(sim.clock.now().getTime() - 4 * day), to: sim.clock.now(), limit: 100, remoteIp: labIp });
    const down = events.filter((e) => e.status === 'Disconnected').at(-1);
    expect(down?.at.toISOString()).toBe(new Date(shortLived.info.notAfter.getTime() + 1).toISOString());
  });
});

describe('tunnel settling on the sandbox clock', () => {
  it('shows Connecting for the settle time after a change, then the outcome', async () => {
    const sim = await startTestSimulator({ tunnelSettleMs: 3000 });
    try {
      const network = createNetworkAdapter(sim.settingsFor('bot'));
      const london = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/connections/cn-site-london`;
      await network.resetConnection(london);
      expect((await network.getConnection(london)).status).toBe('Connecting');
      await sim.advance(3000);
      const after = await network.getConnection(london);
      expect(after.status).toBe('Connected');
      expect(after.tunnels[0]?.lastConnectedAt?.getTime()).toBe(sim.clock.now().getTime());
    } finally {
      await sim.close();
    }
  });
});
