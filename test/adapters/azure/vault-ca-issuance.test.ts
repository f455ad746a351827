import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeyVaultAdapter } from '../../../adapters/azure/key-vault';
import { createKeyVaultCaAdapter } from '../../../adapters/azure/key-vault-ca';
import type { ActivityPorts } from '../../../activities/activity-ports';
import { issueFromVaultCa } from '../../../activities/vault-ca-issuance';
import { EKU, checkOutboundCertificate, signatureVerifies, verifyChain } from '../../../core/pki';
import { parseCertificate } from '../../../core/pki/parse-certificate';
import { sandboxNames } from '../../../local/estate/sandbox-estate';
import type { AzureSimulator } from '../../../local/simulator/azure-simulator';
import { checkOutboundCertificate as checkAsAzure } from '../../../local/simulator/azure-rules/outbound-certificate';
import { testPorts } from '../../activities/fake-adapters';
import { startTestSimulator } from '../../local/simulator/simulator-fixture';

/**
 * Issuing from the CA in Key Vault, through the real SDK clients against the simulated Key Vault: Key Vault makes the
 * key and the CSR, the bot builds the certificate, Key Vault signs it with the CA key (kv-vpn-ca, RBAC, key not
 * exportable), and the merge completes the pending version with the chain up to the root.
 */
describe('issuance from the CA in Key Vault (simulator)', () => {
  let sim: AzureSimulator;
  let ports: ActivityPorts;
  let vaultUrl: string;
  let caVaultUrl: string;
  const subject = 'CN=azure-paris.vpn.contoso.example, O=Contoso';
  const dnsNames = ['azure-paris.vpn.contoso.example'];
  beforeAll(async () => {
    sim = await startTestSimulator();
    vaultUrl = sim.estateInfo.vaults.find((v) => v.name === sandboxNames.keyVault)!.url;
    caVaultUrl = sim.estateInfo.vaults.find((v) => v.name === sandboxNames.caVault)!.url;
    const settings = sim.settingsFor('bot');
    ports = {
      ...testPorts().ports,
      keyVault: createKeyVaultAdapter(settings, { pollIntervalMs: 10 }),
      vaultCa: createKeyVaultCaAdapter(settings),
      outboundRotation: { caCertificateId: `${caVaultUrl}/certificates/${sandboxNames.caCertificate}`, defaultDays: 365, graceHours: 168, verifyMinutes: 15 },
      now: () => sim.clock.now(),
    };
  });
  afterAll(async () => {
    await sim.close();
  });
  afterEach(() => {
    sim.faults.clear();
  });

  it('issues a new version chained to the vault CA that the gateway can use, with only sign and public reads on the CA vault', async () => {
    sim.stats.reset();
    const before = await ports.keyVault.getLatestEnabledVersion(vaultUrl, 'outbound-site-paris');
    const issued = await issueFromVaultCa(ports, { vaultUrl, name: 'outbound-site-paris', subject, dnsNames, days: 365, tags: { rotation: 'test-1' } });
    expect(issued.version).not.toBe(before!.version);
    expect(issued.enabled).toBe(true);
    expect(issued.tags).toMatchObject({ rotation: 'test-1' });
    const cert = issued.certificate;
    expect(cert.subject).toBe(subject);
    expect(cert.issuer).toBe('CN=Contoso Azure VPN Root CA, O=Contoso, C=GB');
    expect(cert.publicKey).toEqual({ algorithm: 'RSA', bits: 2048 });
    expect(cert.extendedKeyUsages).toEqual([EKU.serverAuth, EKU.clientAuth]);
    expect(checkOutboundCertificate(cert, sim.clock.now(), { hasPrivateKey: true })).toEqual([]);
    const ca = await ports.vaultCa.getCaCertificate(ports.outboundRotation.caCertificateId!);
    expect(signatureVerifies(cert, ca.certificate)).toBe(true);
    expect((await verifyChain(cert, [], [ca.certificate], sim.clock.now())).ok).toBe(true);
    // What the gateway reads: key, leaf and the chain to the root; Azure's outbound rules (the simulator's own) pass.
    const read = sim.vaults.readAsGateway(sandboxNames.identityPrincipalId, issued.id, sim.clock.now());
    expect(checkAsAzure(read, sim.clock.now())).toMatchObject({ ok: true });
    expect(read).toMatchObject({ ok: true, privateKeyPem: expect.stringContaining('PRIVATE KEY') });
    // The CA vault saw the CA certificate read, the key's public part read by the crypto client, and sign: never a secret.
    const caCalls = sim.stats.calls().filter((c) => c.vault === sandboxNames.caVault).map((c) => `${c.method} ${c.path!.replace(/\/[0-9a-f]{32}/g, '/<version>')}`);
    expect([...new Set(caCalls)].sort()).toEqual([
      `GET /certificates/${sandboxNames.caCertificate}/`,
      `GET /keys/${sandboxNames.caCertificate}/<version>`,
      `POST /keys/${sandboxNames.caCertificate}/<version>/sign`,
    ]);
    expect(await ports.keyVault.getPendingRequest(vaultUrl, 'outbound-site-paris')).toBeUndefined();
    // The chain Key Vault keeps with the version: leaf then root.
    expect(parseCertificate(Buffer.from(ca.certificate.der)).thumbprint).toBe(ca.certificate.thumbprint);
  });

  it('a sign failure leaves nothing pending and the current version untouched', async () => {
    const before = await ports.keyVault.getLatestEnabledVersion(vaultUrl, 'outbound-site-london');
    const fault = sim.faults.add({ match: { service: 'keyvault', pathContains: '/sign' }, respond: { status: 500 } });
    await expect(issueFromVaultCa(ports, { vaultUrl, name: 'outbound-site-london', subject: 'CN=azure-london.vpn.contoso.example, O=Contoso', dnsNames: [], days: 100 })).rejects.toMatchObject({ code: 'AzureUnavailable' });
    fault.remove();
    expect(fault.hits).toBeGreaterThan(0);
    expect(await ports.keyVault.getPendingRequest(vaultUrl, 'outbound-site-london')).toBeUndefined();
    expect((await ports.keyVault.getLatestEnabledVersion(vaultUrl, 'outbound-site-london'))!.version).toBe(before!.version);
  });

  it('a validity beyond the CA is refused before anything is created', async () => {
    await expect(issueFromVaultCa(ports, { vaultUrl, name: 'outbound-site-oslo', subject: 'CN=x', dnsNames: [], days: 5000 })).rejects.toMatchObject({ code: 'OutboundValidityBeyondCa' });
    expect(await ports.keyVault.getPendingRequest(vaultUrl, 'outbound-site-oslo')).toBeUndefined();
  });

  it('without a configured CA it says what to set', async () => {
    const { caCertificateId: _, ...rest } = ports.outboundRotation;
    await expect(issueFromVaultCa({ ...ports, outboundRotation: rest }, { vaultUrl, name: 'outbound-site-oslo', subject: 'CN=x', dnsNames: [], days: 30 })).rejects.toMatchObject({ code: 'OutboundCaNotConfigured' });
  });
});

