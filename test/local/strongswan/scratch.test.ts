import { it, expect } from 'vitest';
import { createRootCa, issueCertificate } from '../../../local/pki/cert-factory';
import { establish } from '../../../local/strongswan/peers';
import type { StructuredPeer } from '../../../local/strongswan/peer-config';

it('scratch', async () => {
  const aroot = await createRootCa({ subject: 'CN=Azure Root' });
  const droot = await createRootCa({ subject: 'CN=Dev Root' });
  const dint = await issueCertificate(droot, { subject: 'CN=Dev Issuing', isCa: true });
  const a = await issueCertificate(aroot, { subject: 'CN=azure-x, O=Contoso' });
  const d = await issueCertificate(dint, { subject: 'CN=dev-x' });
  const azure: StructuredPeer = { kind: 'structured', role: 'azure', host: { address: '198.51.100.10', insideAddresses: ['10.0.0.1'] }, remoteAddress: '203.0.113.10',
    certificate: { pem: a.pem, privateKeyPem: a.privateKeyPem }, chain: [aroot.pem], trustAnchors: [droot.pem, dint.pem], remoteId: 'CN=dev-x', ikeProposals: ['aes256-sha1-modp1024', 'aes256-sha256-modp1024'], espProposals: ['aes256gcm16', 'aes256-sha1'], localTs: ['0.0.0.0/0'], remoteTs: ['0.0.0.0/0'] };
  const device: StructuredPeer = { kind: 'structured', role: 'device', host: { address: '203.0.113.10', insideAddresses: ['10.10.0.1'] }, remoteAddress: '198.51.100.10',
    certificate: { pem: d.pem, privateKeyPem: d.privateKeyPem }, chain: [dint.pem, droot.pem], trustAnchors: [aroot.pem], remoteId: '%any', ikeProposals: ['aes256-sha256-modp1024'], espProposals: ['aes256-sha1'], localTs: ['10.10.0.0/16'], remoteTs: ['10.0.0.0/16'] };
  const t = performance.now();
  const r = await establish(azure, device);
  console.log(performance.now() - t, r.ms, r.established, r.initiateOutput.slice(-300));
  console.log(r.azureLog);
  console.log(r.device.text, r.azure.text);
  expect(r.established).toBe(true);
});
