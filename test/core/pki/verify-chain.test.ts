import { beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../core/pki';
import { createRootCa, issueCertificate } from '../../../local/pki/cert-factory';
import { NOW, buildPki, daysFromNow, type Pki } from './pki-fixtures';

describe('verifyChain (real signatures, validity at now)', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await buildPki();
  });

  it('builds leaf -> intermediate -> trusted root', async () => {
    const result = await verifyChain(pki.leaf.info, [pki.intermediate.info], [pki.root.info], NOW);
    expect(result.ok && result.path.map((c) => c.subject)).toEqual(['CN=vpn.contoso.example, O=Contoso', 'CN=Contoso Issuing CA, O=Contoso', 'CN=Contoso Root CA, O=Contoso, C=US']);
  });

  it('takes intermediates from the trusted set too (Azure: root + intermediates configured)', async () => {
    const result = await verifyChain(pki.leaf.info, [], [pki.root.info, pki.intermediate.info], NOW);
    expect(result.ok).toBe(true);
  });

  it('a root of another PKI is untrusted, and says what is trusted', async () => {
    const other = await createRootCa({ subject: 'CN=Fabrikam Root' });
    const result = await verifyChain(pki.leaf.info, [pki.intermediate.info], [other.info], NOW);
    expect(result).toMatchObject({ ok: false, reason: 'untrusted' });
    expect(!result.ok && result.detail).toMatch(/Contoso Root CA.*The trusted chain holds: 'CN=Fabrikam Root'/);
  });

  it('a root with the same name but another key: the signature check catches it', async () => {
    const impostor = await createRootCa({ subject: 'CN=Contoso Root CA, O=Contoso, C=US', notBefore: daysFromNow(-400), notAfter: daysFromNow(3000) });
    const result = await verifyChain(pki.leaf.info, [pki.intermediate.info], [impostor.info], NOW);
    expect(result).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('an intermediate with a forged name but no key-identifier link still fails on its signature', async () => {
    const forger = await createRootCa({ subject: 'CN=Forger' });
    // Same subject as the real intermediate, signed by someone else: name linkage holds, signatures do not.
    const fake = await issueCertificate(forger, { subject: 'CN=Contoso Issuing CA, O=Contoso', isCa: true });
    const leafFromFake = await issueCertificate(fake, { subject: 'CN=spoof', notBefore: daysFromNow(-1), notAfter: daysFromNow(10) });
    const result = await verifyChain(leafFromFake.info, [pki.intermediate.info], [pki.root.info], NOW);
    expect(result.ok).toBe(false);
  });

  it('expired and not-yet-valid certificates on an otherwise good path', async () => {
    const expired = await issueCertificate(pki.intermediate, { subject: 'CN=old-device', notBefore: daysFromNow(-400), notAfter: daysFromNow(-1) });
    expect(await verifyChain(expired.info, [pki.intermediate.info], [pki.root.info], NOW)).toMatchObject({ ok: false, reason: 'expired', detail: "'CN=old-device' expired on 2026-05-31." });
    const future = await issueCertificate(pki.intermediate, { subject: 'CN=new-device', notBefore: daysFromNow(2), notAfter: daysFromNow(300) });
    expect(await verifyChain(future.info, [pki.intermediate.info], [pki.root.info], NOW)).toMatchObject({ ok: false, reason: 'not-yet-valid' });
  });

  it('a missing intermediate is untrusted', async () => {
    expect(await verifyChain(pki.leaf.info, [], [pki.root.info], NOW)).toMatchObject({ ok: false, reason: 'untrusted' });
  });

  it('an issuer that is not a CA cannot vouch for a certificate', async () => {
    const notCa = await issueCertificate(pki.root, { subject: 'CN=Plain Leaf', notBefore: daysFromNow(-1), notAfter: daysFromNow(10) });
    const below = await issueCertificate(notCa, { subject: 'CN=Below Plain', notBefore: daysFromNow(-1), notAfter: daysFromNow(10) });
    const result = await verifyChain(below.info, [notCa.info], [pki.root.info], NOW);
    expect(result).toMatchObject({ ok: false, reason: 'untrusted' });
    expect(!result.ok && result.detail).toMatch(/not a CA certificate/);
  });
});
