import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPorts } from '../../activities/activity-ports';
import { PROVISION_TAGS, provisionSiteChange } from '../../activities/changes/provision-site-change';
import { removeSiteChange } from '../../activities/changes/remove-site-change';
import type { ProvisionMergeRequest, ProvisionSiteRequest } from '../../core/change/change-kind';
import { changeJobId } from '../../core/change/change-job-id';
import type { ChangePlan } from '../../core/change/change-plan';
import { EKU, toBase64Der, toPem } from '../../core/pki/certificate-info';
import { parseCertificateRequest } from '../../core/pki/issue-from-csr';
import { parseDer } from '../../core/pki/parse-certificate';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import { buildSandboxEstate, sandboxNames } from '../../local/estate/sandbox-estate';
import { signCsr } from '../../local/pki/csr';
import { createRootCa, issueCertificate, type IssuedCertificate } from '../../local/pki/cert-factory';
import type { AzureSimulator } from '../../local/simulator/azure-simulator';
import { startTestSimulator, testNow } from '../local/simulator/simulator-fixture';
import type { TestPorts } from './fake-adapters';
import { simulatorPorts } from './simulator-ports';

/**
 * `provision <site> --outbound external` against the simulator: part 1 (plan, apply: the local network gateway and a
 * Key Vault CSR, no connection; verify), then `provision <site> --merge` (the provisioning found from what part 1 left
 * in Azure and its change record; the signed certificate checked before anything is asked; merge, connection, the
 * device connects). The pipeline around the steps is tested in the fault matrix and end to end.
 */
let sim: AzureSimulator;
let ports: ActivityPorts;
let fakes: TestPorts;
let request: ProvisionSiteRequest;
let sandboxCa: IssuedCertificate;
const handler = provisionSiteChange;
const vaultUrl = () => sim.estateInfo.vaults.find((v) => v.name === sandboxNames.keyVault)!.url;

beforeAll(async () => {
  const estate = await buildSandboxEstate({ now: testNow });
  sim = await startTestSimulator({ estate, logIngestionDelayMs: 0 });
  ({ ports, fakes } = simulatorPorts(sim));
  const rome = estate.sites.find((s) => s.name === 'site-rome')!.device;
  request = {
    kind: 'provision-site',
    site: 'site-rome',
    ip: rome.publicIp,
    prefixes: [...rome.prefixes],
    subject: `CN=${sandboxNames.sites['site-rome'].deviceCn}`,
    chain: rome.chain.map((c) => toBase64Der(c as { der: Uint8Array })),
    policy: 'default',
    outbound: { kind: 'external' },
  };
  // The customer's CA in this test: the sandbox's root, which site-rome's device trusts (as it would trust its own CA).
  const ca = sim.vaults.certificateRecord(sandboxNames.caVault, sandboxNames.caCertificate).versions.at(-1)!;
  const caInfo = parseDer(ca.der!);
  sandboxCa = { der: caInfo.der, pem: toPem(caInfo), privateKeyPem: ca.privateKeyPem!, info: caInfo };
});
afterAll(async () => {
  await sim.close();
});

const rg = () => `/subscriptions/${sandboxNames.subscriptionId}/resourceGroups/${sandboxNames.resourceGroup}/providers/Microsoft.Network`;
const romeConnection = () => sim.resources.connections.get(`${rg()}/connections/cn-site-rome`);
const romeLng = () => sim.resources.localNetworkGateways.get(`${rg()}/localNetworkGateways/lng-site-rome`);
const pending = () => ports.keyVault.getPendingRequest(vaultUrl(), 'outbound-site-rome');

async function planned(r: ProvisionSiteRequest | ProvisionMergeRequest): Promise<ChangePlan> {
  const p = await handler.plan(r, ports);
  if (p.kind !== 'provision-site') throw new Error(`expected a plan, got ${JSON.stringify(p)}`);
  return p;
}

async function applyAll(p: ChangePlan): Promise<string[]> {
  const done: string[] = [];
  for (let step = 0; step < (p.steps ?? []).length; step++) done.push(await handler.apply(p, ports, step));
  return done;
}

/** What the change pipeline keeps: the change job under the connection's business key, with the plan it ran. */
function recordChangeJob(p: ChangePlan): void {
  const jobId = changeJobId(p.target.connectionId);
  fakes.jobs.records.set(jobId, { jobId, orchestration: ORCHESTRATIONS.change, status: 'Completed', createdAt: sim.clock.now(), lastUpdatedAt: sim.clock.now(), envelope: { jobId, payload: { plan: p } } as never });
}

/** The customer's CA signs the CSR (dated by the simulator's clock). */
const sign = (csr: Uint8Array, over: Parameters<typeof signCsr>[2] = {}) => signCsr(sandboxCa, csr, { notBefore: sim.clock.now(), notAfter: new Date(sim.clock.now().getTime() + 200 * 86_400_000), ...over });
const merge = (text: string): ProvisionMergeRequest => ({ kind: 'provision-site', site: 'site-rome', merge: text });

describe('provision --outbound external, part 1: up to the CSR', () => {
  let part1: ChangePlan;

  it('plans the local network gateway and a Key Vault CSR, not the connection; no root to trust yet', async () => {
    part1 = await planned(request);
    expect(part1.title).toMatch(/Provision site-rome on vpngw-hub \(part 1: up to the CSR for your CA\)/);
    expect(part1.steps!.map((s) => s.title)).toEqual(['create local network gateway lng-site-rome', 'make the key and CSR for outbound-site-rome in Key Vault']);
    expect(part1.changes.find((c) => c.resource === 'outbound-site-rome')?.after).toMatch(/a pending request: Key Vault makes the key and a CSR for .* \(RSA 2048, serverAuth \+ clientAuth.*provision site-rome --merge completes it/);
    expect(part1.changes.find((c) => c.resource === 'cn-site-rome')?.after).toMatch(/^after provision site-rome --merge/);
    expect(part1.notes!.map((n) => n.label)).not.toContain(expect.stringMatching(/^Root to trust/));
    expect(part1.notes!.find((n) => n.label === 'Then:')?.text).toMatch(/send provision site-rome --merge with the signed certificate/);
    expect(part1.verifyWithinMs).toBeUndefined();
  });

  it('applies: the local network gateway and a pending request whose CSR meets Azure\'s outbound rules; no connection; verified as waiting', async () => {
    const done = await applyAll(part1);
    expect(done[0]).toMatch(/created local network gateway lng-site-rome/);
    expect(done[1]).toMatch(/^waiting for the signed certificate: Key Vault \S+ made the key and this CSR for outbound-site-rome[\s\S]*send provision site-rome --merge[\s\S]*-----BEGIN CERTIFICATE REQUEST-----/);
    expect(romeLng()?.tags[PROVISION_TAGS.provisionedBy]).toBe(part1.details.provisionId);
    expect(romeConnection()).toBeUndefined();
    const csr = parseCertificateRequest((await pending())!.csrDer);
    expect(csr).toMatchObject({ keyAlgorithm: 'RSA', keyBits: 2048, selfSignatureValid: true, subject: part1.details.certSubject });
    expect(csr.subject).not.toBe('');
    const serverClient = sign((await pending())!.csrDer).info.extendedKeyUsages;
    expect(serverClient).toEqual(expect.arrayContaining([EKU.serverAuth, EKU.clientAuth]));
    expect(await handler.verify(part1, ports, sim.clock.now())).toEqual({ ok: true, detail: expect.stringMatching(/^waiting for the signed certificate: Key Vault holds the pending request for outbound-site-rome/) });
  });

  it('asking again continues under the same provisioning and keeps the same CSR', async () => {
    const csrBefore = (await pending())!.csrPem;
    const again = await planned(request);
    expect(again.details.provisionId).toBe(part1.details.provisionId);
    expect(again.notes![0]!.text).toMatch(/Key Vault already holds the CSR an earlier run of this provisioning made: it is kept/);
    const done = await applyAll(again);
    expect(done[0]).toMatch(/local network gateway lng-site-rome already there/);
    expect(done[1]).toContain(csrBefore.trim());
    expect((await pending())!.csrPem).toBe(csrBefore);
  });

  it('--merge before the change record is kept refuses, saying how to continue; nothing changes', async () => {
    await expect(planned(merge(sandboxCa.pem))).rejects.toMatchObject({ code: 'ProvisioningRecordMissing', hint: expect.stringMatching(/--outbound external .* again with the same values/) });
    recordChangeJob(part1);
  });
});

describe('provision <site> --merge, part 2: the signed certificate, the merge and the connection', () => {
  it('bad input is refused with its code and fix, and nothing is half-applied', async () => {
    const csrDer = (await pending())!.csrDer;
    const other = await createRootCa({ subject: 'CN=Other Root' });
    const otherLeaf = await issueCertificate(other, { subject: 'CN=azure-rome.vpn' });
    const now = sim.clock.now();
    const refusals: [string, string, RegExp?][] = [
      // No provisioning of that site waits.
      ['', 'NoPendingProvisioning'],
      // A certificate for another key.
      [`${otherLeaf.pem}${other.pem}`, 'CertificateDoesNotMatchRequest', /Paste the certificate your CA issued for that CSR/],
      // Expired.
      [`${sign(csrDer, { notBefore: new Date(now.getTime() - 400 * 86_400_000), notAfter: new Date(now.getTime() - 86_400_000) }).pem}${sandboxCa.pem}`, 'VpnConnectionOutBoundAuthenticationCertificateIsExpired'],
      // Without serverAuth + clientAuth.
      [`${sign(csrDer, { extendedKeyUsages: [EKU.serverAuth] }).pem}${sandboxCa.pem}`, 'VpnConnectionOutBoundAuthenticationCertificateClientAndServerAuth'],
      // The signed certificate without its chain; a chain without its root.
      [sign(csrDer).pem, 'VpnConnectionOutBoundAuthenticationCertificateChainFault'],
    ];
    for (const [text, code, hint] of refusals) {
      const r = text === '' ? { ...merge(sandboxCa.pem), site: 'site-nowhere' } : merge(text);
      const refused = handler.plan(r, ports);
      await expect(refused, code).rejects.toMatchObject({ code, ...(hint ? { hint: expect.stringMatching(hint) } : {}) });
    }
    const issuing = await issueCertificate({ ...sandboxCa }, { subject: 'CN=Customer Issuing CA', isCa: true, pathLength: 0, notBefore: new Date(now.getTime() - 86_400_000), notAfter: new Date(now.getTime() + 300 * 86_400_000) });
    const underIssuing = signCsr(issuing, csrDer, { notBefore: now, notAfter: new Date(now.getTime() + 100 * 86_400_000) });
    await expect(planned(merge(`${underIssuing.pem}${issuing.pem}`))).rejects.toMatchObject({ code: 'VpnConnectionOutBoundAuthenticationCertificateChainDoesNotHaveRootCert' });
    expect(await pending()).toBeDefined();
    expect(romeConnection()).toBeUndefined();
  });

  it('plans merge and connection from the stored provisioning, applies them, and the device connects; again is nothing to change', async () => {
    const signed = sign((await pending())!.csrDer);
    const p = await planned(merge(`${sandboxCa.pem}${signed.pem}`));
    expect(p.title).toMatch(/part 2/);
    expect(p.steps!.map((s) => s.title)).toEqual(['merge the signed certificate into outbound-site-rome', 'create connection cn-site-rome']);
    expect(p.changes.find((c) => c.field === 'chain merged')?.after).toBe(`${signed.info.subject} → ${sandboxCa.info.subject}`);
    // Not retyped: the device, prefixes, inbound chain and subject are the first part's.
    expect(p.changes.find((c) => c.resource === 'cn-site-rome')?.after).toContain(`inbound subject ${request.subject}`);
    expect(p.details).toMatchObject({ chain: expect.any(String), deviceIp: request.ip, prefixes: request.prefixes.join(','), provisionId: expect.any(String), newThumbprint: signed.info.thumbprint });
    expect(p.notes!.find((n) => n.label.startsWith('Root to trust'))?.text).toBe(sandboxCa.pem);
    expect(p.verifyWithinMs).toBe(5 * 60_000);

    const started = sim.clock.now();
    const done = await applyAll(p);
    expect(done[0]).toMatch(new RegExp(`merged the signed certificate into outbound-site-rome version \\w+ .*thumbprint ${signed.info.thumbprint}`));
    expect(done[1]).toMatch(/created connection cn-site-rome \(certificate authentication, outbound outbound-site-rome\)/);
    expect(await pending()).toBeUndefined();
    const versions = await ports.keyVault.listCertificateVersions(vaultUrl(), 'outbound-site-rome');
    const mine = versions.find((v) => v.thumbprint === signed.info.thumbprint)!;
    expect(mine.tags[PROVISION_TAGS.provisionedBy]).toBe(p.details.provisionId);
    expect(romeConnection()!.config.certificateAuthentication!.outboundAuthCertificate).toBe(mine.id);
    // Applying again (a retried step) changes nothing.
    expect(await applyAll(p)).toEqual([expect.stringMatching(/already carries the signed certificate/), 'connection cn-site-rome already there']);

    await sim.advance(60_000);
    expect(await handler.verify(p, ports, started)).toMatchObject({ ok: true });
    expect(sim.inspectTunnels(romeConnection()!.id).map((t) => t.status)).toEqual(['Connected', 'Connected']);

    recordChangeJob(p);
    expect(await handler.plan(merge(`${sandboxCa.pem}${signed.pem}`), ports)).toMatchObject({ kind: 'nothing-to-change', why: expect.stringMatching(/site-rome is provisioned: connection cn-site-rome exists/) });
  });
});

describe('Remove of a provisioning that waits for the signed certificate', () => {
  it('deletes its local network gateway and cancels its pending request (named by its record); nothing else', async () => {
    // site-rome as the part above left it goes first (connection, local network gateway, the merged version).
    const removeRequest = { kind: 'remove-site', site: 'site-rome' } as const;
    const first = await removeSiteChange.plan(removeRequest, ports);
    if (first.kind !== 'remove-site') throw new Error(JSON.stringify(first));
    await removeSiteChange.apply(first, ports);
    expect(await removeSiteChange.verify(first, ports, sim.clock.now())).toMatchObject({ ok: true });
    expect(romeConnection()).toBeUndefined();

    const part1 = await planned(request);
    await applyAll(part1);
    recordChangeJob(part1);
    expect(await pending()).toBeDefined();
    const enabledBefore = (await ports.keyVault.listCertificateVersions(vaultUrl(), 'outbound-site-rome')).filter((v) => v.enabled).map((v) => v.version);
    const removal = await removeSiteChange.plan(removeRequest, ports);
    if (removal.kind !== 'remove-site') throw new Error(JSON.stringify(removal));
    expect(removal.changes.map((c) => `${c.resource} ${c.field}: ${c.after}`)).toEqual(['lng-site-rome local network gateway: deleted', 'outbound-site-rome pending request: cancelled']);
    expect(await removeSiteChange.apply(removal, ports)).toBe('deleted local network gateway lng-site-rome; cancelled the pending request for outbound-site-rome');
    expect(await removeSiteChange.verify(removal, ports, sim.clock.now())).toMatchObject({ ok: true });
    expect(await pending()).toBeUndefined();
    expect(romeLng()).toBeUndefined();
    expect((await ports.keyVault.listCertificateVersions(vaultUrl(), 'outbound-site-rome')).filter((v) => v.enabled).map((v) => v.version)).toEqual(enabledBefore);
  });
});
