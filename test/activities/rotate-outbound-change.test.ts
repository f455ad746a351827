import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityPorts } from '../../activities/activity-ports';
import { rotateCertificateChange } from '../../activities/changes/rotate-certificate-change';
import type { RotateOutboundRequest } from '../../core/change/change-kind';
import type { ChangePlan } from '../../core/change/change-plan';
import { toPem } from '../../core/pki/certificate-info';
import { parseDer } from '../../core/pki/parse-certificate';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import { signCsr } from '../../local/pki/csr';
import { createRootCa } from '../../local/pki/cert-factory';
import type { AzureSimulator } from '../../local/simulator/azure-simulator';
import { startTestSimulator } from '../local/simulator/simulator-fixture';
import { simulatorPorts } from './simulator-ports';

/**
 * The rotate outbound handler's steps (plan, apply, verify, verifyUnchanged, rollback) against the simulator, one
 * source at a time: the pipeline around them is tested in the fault matrix and end to end.
 */
let sim: AzureSimulator;
let ports: ActivityPorts;
const handler = rotateCertificateChange;

beforeAll(async () => {
  sim = await startTestSimulator({ logIngestionDelayMs: 0 });
  ports = simulatorPorts(sim).ports;
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
});

const url = (site: string) => sim.resources.connections.get(sim.estateInfo.sites.find((s) => s.name === site)!.connectionId!)!.config.certificateAuthentication!.outboundAuthCertificate!;

async function plan(request: Omit<RotateOutboundRequest, 'kind' | 'side'>): Promise<ChangePlan> {
  const planned = await handler.plan({ kind: 'rotate-certificate', side: 'outbound', ...request }, ports);
  if (planned.kind !== 'rotate-certificate') throw new Error(`expected a plan, got ${JSON.stringify(planned)}`);
  return planned;
}

/** Apply, then let the tunnels settle and the logs arrive on the simulator's clock, then verify. */
async function applyAndVerify(p: ChangePlan) {
  const applyStarted = sim.clock.now();
  const applied = await handler.apply(p, ports);
  await sim.advance(30_000);
  return { applied, verified: await handler.verify(p, ports, applyStarted) };
}

describe('rotate outbound --source vault (drift)', () => {
  it('nothing to change while the connection uses the newest enabled version', async () => {
    const planned = await handler.plan({ kind: 'rotate-certificate', side: 'outbound', site: 'site-oslo', source: 'vault' }, ports);
    expect(planned).toMatchObject({ kind: 'nothing-to-change', why: expect.stringMatching(/already uses the newest enabled version of outbound-site-oslo/) });
  });

  it('a self-signed newer version is refused with Azure\'s chain code before anything is submitted', async () => {
    const vaultUrl = sim.estateInfo.vaults.find((v) => v.name === sandboxNames.keyVault)!.url;
    await sim.advance(60_000);
    await ports.keyVault.createCertificateVersion(vaultUrl, 'outbound-site-oslo', { subject: 'CN=azure-oslo.vpn.contoso.example' });
    await expect(plan({ site: 'site-oslo', source: 'vault' })).rejects.toMatchObject({ code: 'VpnConnectionOutBoundAuthenticationCertificateChainFault' });
  });

  it('a newer CA-issued version is picked up: planned with its details, applied, verified; the old one marked for retirement', async () => {
    // Someone (a renewal) issued a newer version from the vault CA, but the connection still names the old one.
    const before = url('site-lisbon');
    const ca = sim.vaults.certificateRecord(sandboxNames.caVault, sandboxNames.caCertificate).versions.at(-1)!;
    const caCert = parseDer(ca.der!);
    const vaultUrl = sim.estateInfo.vaults.find((v) => v.name === sandboxNames.keyVault)!.url;
    await sim.advance(60_000);
    const pending = await ports.keyVault.beginCsrCertificate(vaultUrl, 'outbound-site-lisbon', { subject: 'CN=azure-lisbon.vpn.contoso.example, O=Contoso', issuer: 'Unknown' });
    const signed = signCsr({ der: caCert.der, pem: toPem(caCert), privateKeyPem: ca.privateKeyPem, info: caCert }, pending.csrDer, { notBefore: sim.clock.now(), notAfter: new Date(sim.clock.now().getTime() + 200 * 86_400_000) });
    const renewed = await ports.keyVault.mergeCertificate(vaultUrl, 'outbound-site-lisbon', [signed.der, caCert.der]);

    const p = await plan({ site: 'site-lisbon', source: 'vault' });
    expect(p.changes[0]).toMatchObject({ field: 'outboundAuthCertificate', after: `outbound-site-lisbon version ${renewed.version} (the newest enabled one)` });
    expect(p.changes.find((c) => c.field === 'thumbprint')).toMatchObject({ after: renewed.certificate.thumbprint });
    expect(p.changes.find((c) => c.field === 'trust')).toMatchObject({ after: 'no change needed: same issuer as today' });
    const { verified } = await applyAndVerify(p);
    expect(url('site-lisbon')).toBe(renewed.id);
    // vpngw-branch sends no logs: the tunnels alone are checked, and the card says so.
    expect(verified).toEqual({ ok: true, detail: expect.stringMatching(/both tunnels are Connected with version .* \(the gateway sends no IKE logs to Log Analytics, so only the tunnel status was checked\)/) });
    const old = sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-lisbon').versions.find((v) => before.endsWith(v.version))!;
    expect(old.enabled).toBe(true);
    expect(old.tags).toMatchObject({ 'retire-after': expect.any(String), 'retire-for': p.details.rotationId });
    // Rolled back: the connection names the old version again, which is no longer marked; verifyUnchanged says so.
    expect(await handler.rollback!(p, ports)).toMatch(/pointed cn-site-lisbon back at version/);
    expect(url('site-lisbon')).toBe(before);
    expect(old.tags['retire-after']).toBeUndefined();
    expect(await handler.verifyUnchanged(p, ports, sim.clock.now())).toMatchObject({ ok: true });
  });
});

describe('rotate outbound --source external, then --merge', () => {
  it('a CSR is made (the connection untouched); the signed certificate and chain are checked and merged; the tunnels come back with it', async () => {
    const before = url('site-madrid');
    const request = await plan({ site: 'site-madrid', source: 'external' });
    expect(request.title).toBe('Request a certificate for the outbound side of site-madrid');
    const handed = await handler.apply(request, ports);
    expect(handed).toMatch(/Have your CA sign this CSR[\s\S]*-----BEGIN CERTIFICATE REQUEST-----/);
    expect(await handler.verify(request, ports, sim.clock.now())).toMatchObject({ ok: true });
    expect(url('site-madrid')).toBe(before);

    const csr = /-----BEGIN CERTIFICATE REQUEST-----[\s\S]+?-----END CERTIFICATE REQUEST-----/.exec(handed)![0];
    const ca = sim.vaults.certificateRecord(sandboxNames.caVault, sandboxNames.caCertificate).versions.at(-1)!;
    const caCert = parseDer(ca.der!);
    const signed = signCsr({ der: caCert.der, pem: toPem(caCert), privateKeyPem: ca.privateKeyPem, info: caCert }, csr, { notBefore: sim.clock.now(), notAfter: new Date(sim.clock.now().getTime() + 300 * 86_400_000) });
    // A certificate for another key is refused, naming the pending request.
    const other = await createRootCa({ subject: 'CN=Someone Else' });
    await expect(plan({ site: 'site-madrid', merge: toPem(other.info) })).rejects.toMatchObject({ code: 'CertificateDoesNotMatchRequest' });
    // The leaf alone: Azure's chain code.
    await expect(plan({ site: 'site-madrid', merge: signed.pem })).rejects.toMatchObject({ code: 'VpnConnectionOutBoundAuthenticationCertificateChainFault' });
    // Root first, leaf last: any order is fine.
    const merge = await plan({ site: 'site-madrid', merge: `${toPem(caCert)}${signed.pem}` });
    expect(merge.changes.find((c) => c.field === 'thumbprint')).toMatchObject({ after: signed.info.thumbprint });
    expect(merge.changes.find((c) => c.field === 'chain merged')).toMatchObject({ after: `${signed.info.subject} → ${caCert.subject}` });
    const { verified } = await applyAndVerify(merge);
    expect(url('site-madrid')).not.toBe(before);
    // site-madrid's tunnels are down for its own reason (inbound subject): verification says so and fails.
    expect(verified).toMatchObject({ ok: false });
    expect(await handler.rollback!(merge, ports)).toMatch(/pointed cn-site-madrid back .*disabled the new version/);
    expect(await handler.verifyUnchanged(merge, ports, sim.clock.now())).toMatchObject({ ok: true });
    expect(url('site-madrid')).toBe(before);
  });

  it('--merge without a pending request says how to start one', async () => {
    await expect(plan({ site: 'site-london', merge: 'x' })).rejects.toMatchObject({ code: 'NoPendingCertificateRequest' });
  });
});

describe('rotate outbound --source ca', () => {
  it('issued at apply, verified with a logged negotiation; the plan warns when the device trusts another root (vienna)', async () => {
    const vienna = await plan({ site: 'site-vienna' });
    expect(vienna.changes.find((c) => c.field === 'trust')).toMatchObject({ after: 'must trust CN=Contoso Azure VPN Root CA, O=Contoso, C=GB before this is approved' });
    expect(vienna.notes?.[0]?.text).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const { verified } = await applyAndVerify(vienna);
    // Final at once (not "not yet"): the gateway's log shows the device refusing the new certificate, quoted.
    expect(verified).toEqual({ ok: false, detail: expect.stringMatching(/NotConnected with the new certificate: The device rejected the gateway's authentication .*issuer the device does not trust yet.* Evidence: \[Azure IN_\d \d\d:\d\d:\d\d\] .*Authentication failed/) });
    await handler.rollback!(vienna, ports);
    await sim.advance(30_000);
    expect(await handler.verifyUnchanged(vienna, ports, sim.clock.now())).toMatchObject({ ok: true, detail: expect.stringMatching(/both tunnels are Connected/) });

    const london = await plan({ site: 'site-london', days: 30 });
    const { applied, verified: ok } = await applyAndVerify(london);
    expect(applied).toMatch(/cn-site-london now uses outbound-site-london version [0-9a-f]{32} \(CN=azure-london/);
    expect(ok).toMatchObject({ ok: true, detail: expect.stringMatching(/logged \d+ successful negotiations? with 203\.0\.113\.10 since the switch/) });
    // Applying again (the pipeline's retry) changes nothing more.
    const versions = sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-london').versions.length;
    await handler.apply(london, ports);
    expect(sim.vaults.certificateRecord(sandboxNames.keyVault, 'outbound-site-london').versions.length).toBe(versions);
  });

  it('refuses --days beyond the CA and a rotation while a request is pending', async () => {
    await expect(plan({ site: 'site-paris', days: 825 * 10 })).rejects.toMatchObject({ code: 'OutboundValidityBeyondCa' });
    const vaultUrl = sim.estateInfo.vaults.find((v) => v.name === sandboxNames.keyVault)!.url;
    await ports.keyVault.beginCsrCertificate(vaultUrl, 'outbound-site-paris', { subject: 'CN=x', issuer: 'Unknown' });
    await expect(plan({ site: 'site-paris' })).rejects.toMatchObject({ code: 'CertificateRequestPending' });
    await ports.keyVault.cancelPendingRequest(vaultUrl, 'outbound-site-paris');
  });
});
