import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAzureError } from '../../../adapters/azure/azure-error';
import { createLogsAdapter } from '../../../adapters/azure/logs';
import { createNetworkAdapter } from '../../../adapters/azure/network';
import { toBase64Der } from '../../../core/pki/certificate-info';
import { sandboxNames } from '../../../local/estate/sandbox-estate';
import { createRootCa, EKU, issueCertificate, type IssuedCertificate } from '../../../local/pki/cert-factory';
import { azureDefaultIkeProposals } from '../../../local/simulator/ike/ike-proposals';
import { startLab, type Lab } from './lab-fixture';
import { startTestSimulator, testNow } from './simulator-fixture';

const day = 24 * 3600_000;
const sub = sandboxNames.subscriptionId;
const rg = sandboxNames.resourceGroup;
const labIp = '203.0.113.70';

/**
 * The tunnel rules, decided on real certificates: a lab site whose device and Key Vault certificates each test
 * changes, connected to the sandbox gateway through the real SDK.
 */
describe('tunnel rules with real certificates', () => {
  let lab: Lab;
  let otherRoot: IssuedCertificate;
  const importOutbound = (name: string, cert: IssuedCertificate) => lab.importOutbound(name, cert);
  const connect = (overrides: { outbound?: string; subject?: string; chain?: string[] } = {}) =>
    lab.network.upsertCertificateConnection({
      id: lab.connectionId,
      location: 'westeurope',
      gatewayId: lab.gatewayId,
      localNetworkGatewayId: lab.siteId,
      certificate: { outboundCertificateUrl: overrides.outbound ?? lab.goodOutboundId, inboundSubjectName: overrides.subject ?? 'CN=lab-vpn.contoso.example', inboundChain: overrides.chain ?? [toBase64Der(lab.deviceRoot)] },
    });
  const outcome = () => lab.sim.inspectTunnels(lab.connectionId).map((t) => t.outcome?.kind);
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    if (!isAzureError(error)) throw new Error(`expected an AzureError, got ${String(error)}`);
    return error;
  };

  beforeAll(async () => {
    lab = await startLab();
    // Same name as the device's root, another key.
    otherRoot = await createRootCa({ subject: 'CN=Lab Device Root', notBefore: new Date(testNow.getTime() - 100 * day) });
  });
  afterAll(async () => {
    await lab.close();
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
    const since = new Date(lab.sim.clock.now().getTime() - 1000);
    const query = () => createLogsAdapter(lab.sim.settingsFor('bot')).queryIkeDiagnostics(sandboxNames.workspaceCustomerId, { gatewayResourceId: lab.gatewayId, from: since, to: lab.sim.clock.now(), limit: 100, remoteIp: labIp });
    expect(await query()).toEqual([]);
    await lab.sim.advance(4 * 60_000);
    expect((await query()).some((r) => r.message.includes('0x800B0109') && r.message.includes('CN=lab-vpn.contoso.example'))).toBe(true);
  });

  it('stays down when the device certificate\'s subject is not the configured one', async () => {
    await connect({ subject: 'lab-gw.contoso.example' });
    expect(outcome()).toEqual(['inbound-subject-mismatch', 'inbound-subject-mismatch']);
    // Without "CN=" (as the portal steps say) the right name matches.
    expect((await connect({ subject: 'lab-vpn.contoso.example' })).status).toBe('Connected');
  });

  it('drops the tunnel when the device presents an expired certificate', async () => {
    const expired = await issueCertificate(lab.deviceRoot, { subject: 'CN=lab-vpn.contoso.example', notBefore: new Date(testNow.getTime() - 400 * day), notAfter: new Date(testNow.getTime() - day) });
    lab.sim.setDeviceCertificate('site-lab', expired.info);
    await lab.sim.tick();
    expect(outcome()).toEqual(['inbound-expired', 'inbound-expired']);
    lab.sim.setDeviceCertificate('site-lab', lab.deviceLeaf.info);
    await lab.sim.tick();
    expect(outcome()).toEqual(['connected', 'connected']);
  });

  it('refuses an outbound certificate with a 1024-bit key or without both EKUs (the operation fails with Azure\'s code)', async () => {
    const weak = importOutbound('outbound-lab-weak', await issueCertificate(lab.azureRoot, { subject: 'CN=weak', keyBits: 1024 }));
    expect((await failure(connect({ outbound: weak }))).azureCode).toBe('VpnConnectionOutBoundAuthenticationCertificateRSAPrivateKeyLength');
    const serverOnly = importOutbound('outbound-lab-server-only', await issueCertificate(lab.azureRoot, { subject: 'CN=server-only', extendedKeyUsages: [EKU.serverAuth] }));
    expect((await failure(connect({ outbound: serverOnly }))).azureCode).toBe('VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth');
    const expired = importOutbound('outbound-lab-expired', await issueCertificate(lab.azureRoot, { subject: 'CN=old', notBefore: new Date(testNow.getTime() - 400 * day), notAfter: new Date(testNow.getTime() - day) }));
    expect((await failure(connect({ outbound: expired }))).azureCode).toBe('VpnConnectionOutBoundAuthenticationCertificateIsExpired');
    // Azure documents no rollback: by default the connection holds the requested configuration, marked Failed.
    const failed = await lab.network.getConnection(lab.connectionId);
    expect([failed.provisioningState, failed.certificate?.outboundCertificateUrl]).toEqual(['Failed', expired]);
    expect((await connect()).status).toBe('Connected');
  });

  it('refuses an inbound chain of more than five certificates', async () => {
    const chain = await Promise.all([1, 2, 3, 4, 5].map((i) => createRootCa({ subject: `CN=Extra Root ${i}`, keyBits: 1024 })));
    const error = await failure(connect({ chain: [toBase64Der(lab.deviceRoot), ...chain.map(toBase64Der)] }));
    expect(error).toMatchObject({ kind: 'BadRequest', azureCode: 'MaxRootCertificatePublicKeySupported' });
  });

  it('stays down when the device does not trust the root of Azure\'s certificate', async () => {
    lab.sim.setDeviceTrustedRoots('site-lab', [otherRoot.info]);
    await lab.sim.tick();
    expect(outcome()).toEqual(['outbound-rejected-by-peer', 'outbound-rejected-by-peer']);
    lab.sim.setDeviceTrustedRoots('site-lab', [lab.azureRoot.info]);
    await lab.sim.tick();
  });

  it('stays down when no IKE proposal is shared, with both proposal lists in the outcome', async () => {
    lab.sim.setDeviceProposals('site-lab', [{ encryption: 'AES256', integrity: 'SHA384', dhGroup: 'ECP384' }]);
    await lab.sim.tick();
    const tunnel = lab.sim.inspectTunnels(lab.connectionId)[0];
    expect(tunnel?.outcome).toMatchObject({ kind: 'proposal-mismatch', deviceAccepts: [{ encryption: 'AES256', integrity: 'SHA384', dhGroup: 'ECP384' }] });
    expect(tunnel?.outcome?.kind === 'proposal-mismatch' && tunnel.outcome.azureOffers).toHaveLength(6);
    lab.sim.setDeviceProposals('site-lab', azureDefaultIkeProposals.map((p) => ({ ...p })));
    lab.sim.setDeviceReachable('site-lab', false);
    await lab.sim.tick();
    expect(outcome()).toEqual(['peer-unreachable', 'peer-unreachable']);
    lab.sim.setDeviceReachable('site-lab', true);
    await lab.sim.tick();
    expect(outcome()).toEqual(['connected', 'connected']);
  });

  it('goes down by itself when the outbound certificate expires, and logs the disconnect at that moment', async () => {
    const shortLived = await issueCertificate(lab.azureRoot, { subject: 'CN=short', notBefore: new Date(testNow.getTime() - day), notAfter: new Date(lab.sim.clock.now().getTime() + 2 * day) });
    const id = importOutbound('outbound-lab-short', shortLived);
    expect((await connect({ outbound: id })).status).toBe('Connected');
    await lab.sim.advance(3 * day);
    expect(outcome()).toEqual(['outbound-unusable', 'outbound-unusable']);
    expect((await lab.network.getConnection(lab.connectionId)).status).toBe('NotConnected');
    const events = await createLogsAdapter(lab.sim.settingsFor('bot')).queryTunnelDiagnostics(sandboxNames.workspaceCustomerId, { gatewayResourceId: lab.gatewayId, from: new Date(lab.sim.clock.now().getTime() - 4 * day), to: lab.sim.clock.now(), limit: 100, remoteIp: labIp });
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
